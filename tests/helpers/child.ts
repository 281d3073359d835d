/** Runs the server in a child process, to kill it for real: from the sources (tsx) or built, as `npm start` runs it. */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BUILT_SERVER = `${ROOT}dist/server/index.mjs`
/** node's options in `npm start` (package.json), so that tests and benchmarks run the server exactly as it does. */
const START_OPTIONS = ((): string[] => {
  const start = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? ''
  const m = /\bnode((?: --\S+)*) dist\/server\/index\.mjs/.exec(start)
  if (!m) throw new Error(`package.json's start script does not run node … dist/server/index.mjs: ${start}`)
  return m[1]!.trim().split(/\s+/).filter(Boolean)
})()

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => resolve(port))
    })
  })
}

export interface ChildServer {
  proc: ChildProcess
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * `preload`: more modules imported before the server (after tsx), e.g. a test's fault injection.
 * `root`: the checkout whose server runs (a benchmark compares this one with an older one).
 */
export async function startChild(port: number, dataDir: string, env: Record<string, string> = {}, preload: string[] = [], root = ROOT): Promise<ChildServer> {
  return spawnServer(['--import', 'tsx', ...preload.flatMap((m) => ['--import', m]), 'server/index.ts'], port, dataDir, env, root)
}

export interface BuiltServer { child: ChildServer; port: number; dataDir: string; url: string; wsUrl: string }

/**
 * The built server on a free port with a fresh data folder; `cleanups` (run by the test's afterEach, last
 * first) kills it and removes the folder. Start it again on the same port and data with startBuiltChild.
 */
export async function startBuiltServer(cleanups: Array<() => unknown>, env: Record<string, string> = {}): Promise<BuiltServer> {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'nappe-test-'))
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const child = await startBuiltChild(port, dataDir, env)
  cleanups.push(() => { child.proc.kill('SIGKILL') })
  return { child, port, dataDir, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}` }
}

/** The built server (`dist/server/`, made by `npm run build`), exactly as `npm start` runs it. */
export async function startBuiltChild(port: number, dataDir: string, env: Record<string, string> = {}): Promise<ChildServer> {
  if (!existsSync(BUILT_SERVER)) throw new Error('dist/server is missing: run `npm run build` first (npm test does it)')
  return spawnServer([...START_OPTIONS, BUILT_SERVER], port, dataDir, env, ROOT)
}

async function spawnServer(args: string[], port: number, dataDir: string, env: Record<string, string>, root: string): Promise<ChildServer> {
  // NAPPE_SERVER_CPU_PROF=<folder>: the server writes a V8 CPU profile there when it exits (benchmarks).
  const profile = process.env.NAPPE_SERVER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.NAPPE_SERVER_CPU_PROF}`] : []
  // NAPPE_SERVER_NODE_ARGS="--flag …": more options for the server's node (benchmarks trying V8's settings).
  const extra = process.env.NAPPE_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []
  const proc = spawn(process.execPath, [...profile, ...extra, ...args], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', DOC_IDLE_SECONDS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout!.on('data', (d) => { out += d })
  proc.stderr!.on('data', (d) => { out += d })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })))
  // Ready when /healthz answers (whatever the log level).
  let dead = false
  void exited.then(() => { dead = true })
  // Generous: a fresh clone compiles every file on first start (tsx has no cache yet) while other tests run.
  const deadline = Date.now() + 45_000
  for (;;) {
    if (dead) throw new Error(`server exited:\n${out}`)
    if (Date.now() > deadline) {
      proc.kill('SIGKILL') // never left running behind a failed start
      throw new Error(`server did not start:\n${out}`)
    }
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { proc, output: () => out, exited }
}
