/**
 * A fresh PostgreSQL 15 (Debian's binaries) for one test file: a new cluster in a temporary folder, on a
 * free loopback port, as the unprivileged `postgres` user when the tests run as root (PostgreSQL refuses
 * root). Settings for tests: fsync stays on (we test durability), small buffers, trust authentication on
 * loopback only. `halt()` / `resume()` stop and start the same cluster (a database outage), `stop()`
 * removes everything.
 */
import { execFile } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)
export const PG_BIN = process.env.NAPPE_PG_BIN ?? '/usr/lib/postgresql/15/bin'

export interface TestPostgres {
  /** `postgres://…` of the first database (`nappe`). */
  url: string
  port: number
  /** How long the cluster took to be ready, in milliseconds. */
  startupMs: number
  /** A new empty database on the same server; returns its URL. */
  createDatabase(name?: string): Promise<string>
  /** Stops the server (fast shutdown: connections are cut), keeping its data. */
  halt(): Promise<void>
  /** Starts the halted server again on the same port. */
  resume(): Promise<void>
  /** Stops the server and deletes its folder. */
  stop(): Promise<void>
}

/** Tells clearly why the PostgreSQL tests cannot run, rather than failing somewhere deeper. */
export function postgresMissing(): string | null {
  for (const bin of ['initdb', 'pg_ctl', 'postgres']) {
    if (!existsSync(join(PG_BIN, bin))) {
      return `PostgreSQL 15 is not installed (${join(PG_BIN, bin)} is missing): install Debian's "postgresql" package (apt-get install postgresql), as .ci/run does, or set NAPPE_PG_BIN`
    }
  }
  return null
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

/** Runs a PostgreSQL program, as `postgres` when we are root. */
async function pgRun(bin: string, args: string[]): Promise<string> {
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args]
  try {
    const { stdout } = await run(cmd, argv, { env: { ...process.env, LC_ALL: 'C', LANG: 'C' } })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string; message: string }
    throw new Error(`${bin} failed: ${e.stderr?.trim() || e.message}`)
  }
}

export async function startPostgres(): Promise<TestPostgres> {
  const missing = postgresMissing()
  if (missing) throw new Error(missing)
  const started = performance.now()
  const dir = mkdtempSync(join(tmpdir(), 'nappe-pg-'))
  if (isRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
      throw new Error('running as root, but there is no "postgres" user to run PostgreSQL as (the "postgresql" package creates it)')
    })
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()))
  }
  chmodSync(dir, 0o700)
  const data = join(dir, 'data')
  const port = await freePort()
  // --no-sync only for the initial files (a crash during initdb is not our concern); fsync stays on for the server.
  await pgRun('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'])
  const options = [
    `-p ${port}`, "-c listen_addresses=127.0.0.1", `-c unix_socket_directories=${dir}`,
    '-c fsync=on', '-c synchronous_commit=on', '-c shared_buffers=16MB', '-c max_connections=60',
    '-c max_wal_size=64MB', '-c log_min_messages=warning', '-c log_checkpoints=off',
  ].join(' ')
  const start = () => pgRun('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start'])
  await start()
  const base = `postgres://postgres@127.0.0.1:${port}`
  let running = true
  let n = 0
  const createDatabase = async (name = `nappe_${++n}_${process.pid}`): Promise<string> => {
    const client = new pg.Client({ connectionString: `${base}/postgres` })
    await client.connect()
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
    } finally {
      await client.end()
    }
    return `${base}/${name}`
  }
  const url = await createDatabase('nappe')
  const halt = async () => {
    if (!running) return
    await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
    running = false
  }
  return {
    url, port, startupMs: Math.round(performance.now() - started), createDatabase, halt,
    async resume() {
      if (running) return
      await start()
      running = true
    },
    async stop() {
      await halt().catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
