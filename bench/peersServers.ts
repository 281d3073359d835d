/**
 * The servers `npm run bench:peers` compares, each in its own child process on a free loopback port:
 * Nappe as `npm start` runs it (SQLite in a temporary folder), the reference y-websocket server
 * (@y/websocket-server, its own `src/server.js`, with or without its LevelDB persistence) and Hocuspocus
 * (with or without its SQLite extension, started from a few lines of plain JavaScript: no tsx in it).
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startBuiltChild } from '../tests/helpers/child'
import type { Framing } from './peersWire'

export const SERVER_KINDS = ['nappe', 'yws', 'yws-leveldb', 'hocus', 'hocus-sqlite'] as const
export type ServerKind = (typeof SERVER_KINDS)[number]
export const SERVER_LABELS: Record<ServerKind, string> = {
  nappe: 'Nappe (SQLite)',
  yws: 'y-websocket',
  'yws-leveldb': 'y-websocket + LevelDB',
  hocus: 'Hocuspocus',
  'hocus-sqlite': 'Hocuspocus + SQLite',
}
export const PERSISTENT: readonly ServerKind[] = ['nappe', 'yws-leveldb', 'hocus-sqlite']
export const framingOf = (kind: ServerKind): Framing => (kind.startsWith('hocus') ? 'hocus' : 'yws')

export interface RunningServer {
  kind: ServerKind
  port: number
  url: string
  proc: ChildProcess
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and removes its data folder unless `keepData`. */
  stop(opts?: { keepData?: boolean }): Promise<void>
  /** kill -9, then the same server on the same port and data. */
  killAndRestart(): Promise<RunningServer>
  /** The WebSocket URL and subprotocols of a doc for a peer (Nappe builds its own: credentials). */
  docUrl(docName: string): string
}

const require = createRequire(import.meta.url)
const YWS_SERVER = require.resolve('@y/websocket-server/package.json').replace(/package\.json$/, 'src/server.js')

const HOCUS_SOURCE = `
const { Server } = await import('@hocuspocus/server')
const extensions = []
if (process.env.HOCUS_SQLITE) {
  const { SQLite } = await import('@hocuspocus/extension-sqlite')
  extensions.push(new SQLite({ database: process.env.HOCUS_SQLITE }))
}
const server = new Server({ port: Number(process.env.PORT), address: '127.0.0.1', quiet: true, extensions })
await server.listen()
`

async function waitForHttp(port: number, proc: ChildProcess, output: () => string): Promise<void> {
  let exited = false
  proc.once('exit', () => { exited = true })
  const deadline = Date.now() + 45_000
  for (;;) {
    if (exited) throw new Error(`server exited:\n${output()}`)
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output()}`)
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).status < 500) return
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50))
  }
}

function spawnPeer(kind: ServerKind, port: number, dataDir: string): ChildProcess {
  const env: Record<string, string> = { ...process.env as Record<string, string>, HOST: '127.0.0.1', PORT: String(port), NODE_ENV: 'production' }
  if (kind === 'yws-leveldb') env.YPERSISTENCE = join(dataDir, 'leveldb')
  if (kind === 'hocus-sqlite') env.HOCUS_SQLITE = join(dataDir, 'hocuspocus.sqlite')
  const args = kind.startsWith('yws') ? [YWS_SERVER] : ['--input-type=module', '-e', HOCUS_SOURCE]
  return spawn(process.execPath, args, { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] })
}

async function launch(kind: ServerKind, port: number, dataDir: string): Promise<{ proc: ChildProcess; exited: Promise<unknown> }> {
  if (kind === 'nappe') {
    const child = await startBuiltChild(port, dataDir, { LOG_LEVEL: 'warn', DOC_IDLE_SECONDS: '10' })
    return { proc: child.proc, exited: child.exited }
  }
  const proc = spawnPeer(kind, port, dataDir)
  let out = ''
  proc.stdout!.on('data', (d) => { out += d })
  proc.stderr!.on('data', (d) => { out += d })
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  try {
    await waitForHttp(port, proc, () => out)
  } catch (err) {
    proc.kill('SIGKILL')
    throw err
  }
  return { proc, exited }
}

export async function startServer(kind: ServerKind, reuse?: { port: number; dataDir: string }): Promise<RunningServer> {
  const dataDir = reuse?.dataDir ?? mkdtempSync(join(tmpdir(), `peers-${kind}-`))
  const port = reuse?.port ?? await freePort()
  const { proc, exited } = await launch(kind, port, dataDir)
  const server: RunningServer = {
    kind, port, url: `http://127.0.0.1:${port}`, proc,
    async stop(opts = {}) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM')
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true })
    },
    async killAndRestart() {
      proc.kill('SIGKILL')
      await exited
      return startServer(kind, { port, dataDir })
    },
    docUrl: (docName) => (kind === 'nappe' ? `ws://127.0.0.1:${port}/yjs/${docName}` : kind.startsWith('yws') ? `ws://127.0.0.1:${port}/${docName}` : `ws://127.0.0.1:${port}/`),
  }
  return server
}
