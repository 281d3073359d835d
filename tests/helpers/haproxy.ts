/**
 * Runs HAProxy (Debian's package) with the shipped `deploy/haproxy.cfg` in a temporary folder, in the
 * foreground, on free loopback ports: the file itself, with only its ports, its check interval and the
 * process settings that need a system install (user, chroot, the admin socket, syslog) templated.
 */
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './child'

export const HAPROXY_CONFIG = fileURLToPath(new URL('../../deploy/haproxy.cfg', import.meta.url))

/** `HAPROXY_BIN`, else Debian's path, else `haproxy` on the PATH; null when there is none. */
export function haproxyBinary(): string | null {
  const candidates = [process.env.HAPROXY_BIN, '/usr/sbin/haproxy'].filter((c): c is string => Boolean(c))
  for (const c of candidates) if (existsSync(c)) return c
  return spawnSync('haproxy', ['-v']).status === 0 ? 'haproxy' : null
}

export interface HaproxyOptions {
  /** The nodes' ports, in the order of the config's `server` lines (node1, node2, ...). */
  backendPorts: number[]
  /** The front port (default: a free one). */
  frontPort?: number
  /** The health check interval (`inter`), in ms (default: the config's own). */
  checkIntervalMs?: number
}

export interface Haproxy {
  /** `http://127.0.0.1:<front port>` */
  url: string
  wsUrl: string
  /** Every node's check state from the stats page: `{ node1: 'UP', node2: 'DOWN', ... }`. */
  states(): Promise<Record<string, string>>
  output(): string
  stop(): Promise<void>
}

/** The shipped config with these ports and interval; throws when the file no longer has what it replaces. */
export function templateConfig(source: string, opts: { backendPorts: number[]; frontPort: number; statsPort: number; checkIntervalMs?: number }): string {
  let text = source
  const replace = (pattern: RegExp, by: string | ((match: string, ...groups: string[]) => string), expected = 1) => {
    const found = text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))?.length ?? 0
    if (found !== expected) throw new Error(`deploy/haproxy.cfg: expected ${expected} line(s) matching ${pattern}, found ${found}`)
    text = typeof by === 'string' ? text.replace(pattern, by) : text.replace(pattern, by)
  }
  // A test runs unprivileged-style in its own folder: no user switch, chroot, admin socket or syslog.
  replace(/^\s*(user|group|chroot|stats socket)\b.*$/gm, '', 4)
  replace(/^(\s*)log \/dev\/log .*$/m, '$1log stdout format raw local0')
  replace(/^(\s*)maxconn \d+$/m, '$1maxconn 1000')
  replace(/^(\s*)bind :8080$/m, `$1bind 127.0.0.1:${opts.frontPort}`)
  replace(/^(\s*)bind 127\.0\.0\.1:8404$/m, `$1bind 127.0.0.1:${opts.statsPort}`)
  const servers = text.match(/^\s*server node\d+ /gm)?.length ?? 0
  if (servers !== opts.backendPorts.length) throw new Error(`deploy/haproxy.cfg has ${servers} nodes, ${opts.backendPorts.length} ports given`)
  replace(/^(\s*server node(\d+) )127\.0\.0\.1:\d+/gm, (_m, head: string, n: string) => `${head}127.0.0.1:${opts.backendPorts[Number(n) - 1]}`, servers)
  if (opts.checkIntervalMs !== undefined) replace(/(default-server .*\binter )\d+m?s/m, `$1${opts.checkIntervalMs}ms`)
  return text
}

export async function startHaproxy(opts: HaproxyOptions): Promise<Haproxy> {
  const bin = haproxyBinary()
  if (!bin) throw new Error('HAProxy not found: apt-get install -y haproxy (.ci/run does it), or set HAPROXY_BIN')
  const frontPort = opts.frontPort ?? await freePort()
  const statsPort = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'nappe-haproxy-'))
  const configPath = join(dir, 'haproxy.cfg')
  writeFileSync(configPath, templateConfig(readFileSync(HAPROXY_CONFIG, 'utf8'), { ...opts, frontPort, statsPort }))

  // -db: foreground, no daemon; the process is this test's child.
  const proc: ChildProcess = spawn(bin, ['-db', '-f', configPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout!.on('data', (d) => { out += d })
  proc.stderr!.on('data', (d) => { out += d })
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  let dead = false
  void exited.then(() => { dead = true })

  const states = async (): Promise<Record<string, string>> => {
    const res = await fetch(`http://127.0.0.1:${statsPort}/;csv`)
    const [header, ...rows] = (await res.text()).trim().split('\n')
    const cols = header!.replace(/^# /, '').split(',')
    const px = cols.indexOf('pxname'), sv = cols.indexOf('svname'), st = cols.indexOf('status')
    const out: Record<string, string> = {}
    for (const row of rows) {
      const f = row.split(',')
      if (f[px] === 'nappe_nodes' && f[sv] !== 'BACKEND') out[f[sv]!] = f[st]!
    }
    return out
  }

  const stop = async () => {
    if (!dead) {
      proc.kill('SIGTERM')
      const killer = setTimeout(() => proc.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(killer)
    }
    rmSync(dir, { recursive: true, force: true })
  }

  // Ready when the stats page says every node is up (checked at least once) and the front answers.
  const deadline = Date.now() + 10_000
  for (;;) {
    if (dead) { await stop(); throw new Error(`haproxy exited:\n${out}`) }
    if (Date.now() > deadline) { await stop(); throw new Error(`haproxy did not become ready:\n${out}`) }
    try {
      const s = await states()
      if (Object.keys(s).length === opts.backendPorts.length && Object.values(s).every((v) => v === 'UP')) {
        await fetch(`http://127.0.0.1:${frontPort}/healthz`)
        break
      }
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { url: `http://127.0.0.1:${frontPort}`, wsUrl: `ws://127.0.0.1:${frontPort}`, states, output: () => out, stop }
}
