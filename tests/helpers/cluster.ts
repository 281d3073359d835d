/**
 * A Nappe cluster on loopback for one test file: a fresh PostgreSQL, `n` nodes as child processes
 * (`server/index.ts`, as `npm start` runs it, with DATABASE_URL), and HAProxy in front with the shipped
 * `deploy/haproxy.cfg`. Nodes can be killed (-9), stopped (SIGSTOP/SIGCONT) and restarted.
 */
import { rmSync } from 'node:fs'
import pg from 'pg'
import type { ChildServer } from './child'
import { freePort, startBuiltChild } from './child'
import type { Haproxy } from './haproxy'
import { startHaproxy } from './haproxy'
import type { TestPostgres } from './postgres'
import { startPostgres } from './postgres'
import type { Credential } from './server'
import { connect, tempDir } from './server'

export interface ClusterNodeProcess {
  name: string
  port: number
  url: string
  child: ChildServer
}

export interface TestCluster {
  pg: TestPostgres
  proxy: Haproxy
  nodes: ClusterNodeProcess[]
  /** The name of the node holding the café's lease now (null: nobody). */
  ownerOf(cafeId: string): Promise<string | null>
  node(name: string): ClusterNodeProcess
  /** A query on the cluster's database, for what the nodes wrote. */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>
  /**
   * Starts the node again under the same name and port: after a kill -9 (default), or after a SIGTERM
   * (`graceful`, as a rolling restart does; resolves with the exit code).
   */
  restart(name: string, opts?: { graceful?: boolean }): Promise<{ code: number | null; output: string }>
  stop(): Promise<void>
}

export async function startCluster(opts: { nodes?: number; leaseSeconds?: number; checkIntervalMs?: number; env?: Record<string, string> } = {}): Promise<TestCluster> {
  const count = opts.nodes ?? 3
  const pgServer = await startPostgres()
  const dirs: string[] = []
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()))
  const env = (name: string, port: number): Record<string, string> => ({
    DATABASE_URL: pgServer.url, NODE_NAME: name, NODE_ADDRESS: `http://127.0.0.1:${port}`,
    LEASE_SECONDS: String(opts.leaseSeconds ?? 2), TRUST_PROXY: 'true', LOG_LEVEL: 'info', ...opts.env,
  })
  const launch = async (name: string, port: number): Promise<ChildServer> => {
    const dir = tempDir()
    dirs.push(dir)
    return startBuiltChild(port, dir, env(name, port))
  }
  // One at a time: the first one creates the schema (the others would wait on its lock anyway).
  const nodes: ClusterNodeProcess[] = []
  for (let i = 0; i < count; i++) {
    const name = `node${i + 1}`
    nodes.push({ name, port: ports[i]!, url: `http://127.0.0.1:${ports[i]}`, child: await launch(name, ports[i]!) })
  }
  const proxy = await startHaproxy({ backendPorts: ports, checkIntervalMs: opts.checkIntervalMs ?? 300 })
  const db = new pg.Client({ connectionString: pgServer.url })
  await db.connect()

  const node = (name: string) => {
    const n = nodes.find((x) => x.name === name)
    if (!n) throw new Error(`no node ${name}`)
    return n
  }
  return {
    pg: pgServer, proxy, nodes, node,
    async query(sql, params = []) { return (await db.query(sql, params)).rows },
    async ownerOf(cafeId) {
      const r = await db.query<{ node_id: string }>('SELECT node_id FROM leases WHERE cafe_id = $1 AND expires_at > now()', [cafeId])
      const id = r.rows[0]?.node_id
      // Node ids are "<NODE_NAME>-<random>".
      return id ? id.replace(/-[0-9a-f]{8}$/, '') : null
    },
    async restart(name, restartOpts = {}) {
      const n = node(name)
      n.child.proc.kill('SIGCONT')
      n.child.proc.kill(restartOpts.graceful ? 'SIGTERM' : 'SIGKILL')
      const { code } = await n.child.exited
      const output = n.child.output()
      n.child = await launch(name, n.port)
      return { code, output }
    },
    async stop() {
      await db.end().catch(() => {})
      await proxy.stop()
      for (const n of nodes) { n.child.proc.kill('SIGCONT'); n.child.proc.kill('SIGKILL') }
      await Promise.all(nodes.map((n) => n.child.exited))
      await pgServer.stop()
      for (const d of dirs) rmSync(d, { recursive: true, force: true })
    },
  }
}

/** A Socket.IO client on the café's own path (as the web app connects), resolved once it has the state. */
export const connectCafe = (url: string, cafeId: string, credential: Credential) => connect(url, cafeId, credential, {}, { cafePath: true })
