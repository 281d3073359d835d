/**
 * Entry point of `npm start`: reads the configuration, opens the store, replays any fallback file left by
 * an earlier shutdown, and listens. Exit codes are in `exitCodes.ts`.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import type { ClusterNode } from './cluster/ClusterNode'
import { systemClock } from './clock'
import { parseConfig } from './config'
import { createServer } from './createServer'
import type { ExitCode } from './exitCodes'
import { EXIT_CODE } from './exitCodes'
import { linkRule, startupLinkBase } from './http/publicUrl'
import { createJsonLogger } from './log'
import { backlogDirs, replayBacklogs, saveBacklog } from './store/Backlog'
import { DurableWriter } from './store/DurableWriter'
import { MemoryStore } from './store/MemoryStore'
import type { PgEngine } from './store/pg/PgEngine'
import type { Store } from './store/Store'
import { SqliteStore } from './store/SqliteStore'
import { warmUpUpdatePath } from './yjs/warmUp'

const SHUTDOWN_DEADLINE_MS = 5000
/** The part of the shutdown spent retrying writes the database refused, before they go to a fallback file. */
const SHUTDOWN_RETRY_MS = 3000

let config
try {
  config = parseConfig(process.env)
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`)
  process.exit(EXIT_CODE.badConfig)
}
const log = createJsonLogger(config.logLevel)
let store: Store
let cluster: ClusterNode | undefined
let clusterDeps: Parameters<typeof createServer>[0]['cluster']
if (config.cluster) {
  // Multi-node: this node's cafés live in memory, every write goes to the shared PostgreSQL (docs/deploy.md).
  // Loaded only here: a single node never loads PostgreSQL's driver nor the proxy.
  const [{ PgEngine }, { MirrorStore }, { ClusterNode }, { installClusterRouter }] = await Promise.all([
    import('./store/pg/PgEngine'), import('./store/pg/MirrorStore'), import('./cluster/ClusterNode'), import('./cluster/clusterRouter'),
  ])
  const c = config.cluster
  let engine: PgEngine
  try {
    engine = await PgEngine.open(c.databaseUrl, log)
  } catch (err) {
    // The message of a connection failure never holds the password; the address is not logged.
    log.error(`cannot start: PostgreSQL (DATABASE_URL) cannot be reached: ${(err as Error).message}`)
    process.exit(EXIT_CODE.failed)
  }
  // Unique per process: a node restarted under the same name never writes with its previous life's leases.
  const nodeId = `${c.nodeName}-${randomBytes(4).toString('hex')}`
  const mirror = new MirrorStore({ engine, nodeId, log, leaseTtlMs: c.leaseMs, onLost: (id) => cluster?.lost(id) })
  cluster = new ClusterNode({ nodeId, address: c.address, leases: mirror, directory: engine, log, leaseMs: c.leaseMs })
  if (!process.env.NODE_ADDRESS) log.warn('NODE_ADDRESS is not set: the other nodes reach this one at its loopback address, which is right only when every node runs on this machine', { address: c.address })
  await cluster.start()
  clusterDeps = { node: cluster, installRouter: installClusterRouter }
  store = mirror
} else {
  store = config.store === 'memory' ? new MemoryStore() : new SqliteStore(join(config.dataDir, 'nappe.sqlite'))
}
// A memory store never refuses a write, and a fallback file replayed into one would be lost. On
// PostgreSQL, what a node could not commit was never acknowledged: its clients still hold it and send it
// to the café's next node.
const fallbackDirs = config.store === 'sqlite' && !config.cluster ? backlogDirs(config.dataDir, config.backlogDir) : []

if (fallbackDirs.length > 0) {
  try {
    const replay = replayBacklogs(fallbackDirs, new DurableWriter(store, systemClock, log), log)
    if (replay.replayed.length > 0) {
      log.warn('writes refused by the database at an earlier shutdown were replayed from fallback files', {
        files: replay.replayed.length, writes: replay.writes, olderCafeRecordsSkipped: replay.olderCafes,
      })
    }
  } catch (err) {
    log.error(`cannot start: ${(err as Error).message}`)
    process.exit(EXIT_CODE.failed)
  }
  // Made while the disk has room, so a shutdown on a full disk only needs room for the file.
  try { mkdirSync(fallbackDirs[0]!, { recursive: true }) } catch (err) { log.warn('cannot create the backlog folder', { dir: fallbackDirs[0], err }) }
}

const warm = warmUpUpdatePath()
log.debug('update path warmed up', { ms: Math.round(warm.ms), accepted: warm.accepted, checked: warm.checked })

const server = createServer({ config, store, log, shutdownRetryMs: SHUTDOWN_RETRY_MS, cluster: clusterDeps })
const { url, port } = await server.listen()
// The address for the phones in the room: what a browser on this machine is given (http/publicUrl.ts).
const links = startupLinkBase(linkRule(config, networkInterfaces, port))
log.info('Nappe is listening', { url, links: links.base, linkSource: links.source, port, store: store.kind, dataDir: config.store === 'sqlite' && !cluster ? config.dataDir : null, node: cluster ? { id: cluster.nodeId, address: cluster.address } : null })
if (links.source === 'loopback') {
  log.warn('phones cannot open the links: they point at this machine only; connect it to the room\'s network (links follow at the next page load), or set PUBLIC_URL', { links: links.base, host: config.host })
}

/** Exits with `code`, unless writes are still held in memory: those go to a fallback file first. */
function exit(code: ExitCode): never {
  const uncommitted = cluster ? server.writer.health.pendingWrites : 0
  if (uncommitted > 0) {
    log.error(`stopped with ${uncommitted} writes PostgreSQL did not take: none was acknowledged, their writers' clients send them again to the café's next node`, { writes: uncommitted, error: server.writer.health.lastError })
    process.exit(EXIT_CODE.uncommitted)
  }
  const backlog = server.writer.backlog
  if (backlog.length === 0) {
    if (code === EXIT_CODE.ok) log.info('stopped')
    process.exit(code)
  }
  const reason = server.writer.health.lastError
  const saved = saveBacklog(backlog, fallbackDirs, Date.now(), process.pid)
  if (saved.ok) {
    log.error(`stopped with ${backlog.length} writes the database refused: saved to ${saved.file}, replayed at the next start`, { writes: backlog.length, file: saved.file, error: reason })
    process.exit(EXIT_CODE.backlogSaved)
  }
  const where = saved.failures.map((f) => `${f.dir}: ${f.error}`).join('; ')
  log.error(`${backlog.length} writes LOST: the database refused them (${reason ?? 'unknown error'}) and no fallback file could be written (${where || 'no fallback folder'})`, { writes: backlog.length, error: reason, failures: saved.failures })
  process.exit(EXIT_CODE.writesLost)
}

let stopping = false
const stop = (signal: string) => {
  if (stopping) return
  stopping = true
  log.info('shutting down', { signal })
  // Not unref'd: the writer's retry timers are, and a process whose loop runs dry exits 0 with whatever
  // it still holds. Saving the backlog is synchronous: once it starts, this timer cannot cut it short.
  setTimeout(() => {
    log.error('shutdown took too long; exiting')
    exit(EXIT_CODE.failed)
  }, SHUTDOWN_DEADLINE_MS)
  server.close().then(
    () => exit(EXIT_CODE.ok),
    (err: unknown) => { log.error('shutdown failed', { err }); exit(EXIT_CODE.failed) },
  )
}
// A promise nobody awaited that failed is a bug, but not one worth stopping every café for: logged.
process.on('unhandledRejection', (err) => log.error('unhandled rejection (a bug; the server goes on)', { err }))
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
