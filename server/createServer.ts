/**
 * Builds the whole server on one HTTP server and port: Express (API and web app), Socket.IO (café
 * state and commands) and the Yjs WebSocket endpoint, sharing the `upgrade` event.
 */
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Server as HttpServer } from 'node:http'
import { existsSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import express from 'express'
import type { Request } from 'express'
import { CafeRegistry } from './cafes/CafeRegistry'
import type { ClusterNode } from './cluster/ClusterNode'
import type { installClusterRouter } from './cluster/clusterRouter'
import { durableAnswers } from './cluster/durableAnswers'
import { joinRedirect } from './cluster/joinRedirect'
import type { CafeEvents } from './cafes/CafeRuntime'
import type { PlanService } from './cafes/PlanService'
import { WorkerPlanService } from './cafes/PlanService'
import type { Clock } from './clock'
import { systemClock } from './clock'
import type { Config } from './config'
import type { JobPools } from './export/jobPools'
import { createJobPools } from './export/jobPools'
import { createApi } from './http/api'
import { createPhotoApi } from './http/photos'
import { createRewriteApi } from './http/rewrite'
import type { NetworkInterfaces } from './http/publicUrl'
import { linkBase, linkRule } from './http/publicUrl'
import { FailureThrottle } from './http/FailureThrottle'
import { securityHeaders } from './http/securityHeaders'
import type { Logger } from './log'
import { LoopDelay } from './loopDelay'
import { serveCafeSocketPath } from './socket/cafePath'
import { SocketGateway } from './socket/SocketGateway'
import { DurableWriter } from './store/DurableWriter'
import type { Store } from './store/Store'
import { TableclothServer } from './yjs/TableclothServer'

/** Archive imports per address and minute. */
const IMPORTS_PER_MINUTE = 10

/**
 * Connections the kernel holds while the server is busy accepting others (Node's default is 511; Linux
 * caps it at net.core.somaxconn, 4096 by default). A rotation, or a conference's Wi-Fi coming back, opens
 * hundreds at once: past the queue a connection attempt is dropped and retried by the phone a second
 * later, then three.
 */
const LISTEN_BACKLOG = 4096

export interface ServerDeps {
  config: Config
  store: Store
  clock?: Clock
  log: Logger
  /** Where rotations are planned (default: a worker thread). */
  plans?: PlanService
  /** The threads that read archives and draw exports (default: one each, with the limits of jobPools.ts). */
  jobs?: JobPools
  /** Retry interval of the durable writer when the database cannot be written. */
  storageRetryMs?: number
  /** How long close() keeps retrying writes the database refused (default 0: one attempt). */
  shutdownRetryMs?: number
  /** The machine's network interfaces, for the links' LAN address (default: `os.networkInterfaces`). */
  networkInterfaces?: NetworkInterfaces
  /**
   * Multi-node (DATABASE_URL): this node among others (`store` is then its PostgreSQL mirror), and the
   * router that sends what it does not serve to the node that does (cluster/clusterRouter.ts: passed in,
   * so that a single node never loads the proxy).
   */
  cluster?: { node: ClusterNode; installRouter: typeof installClusterRouter }
}

export interface NappeServer {
  http: HttpServer
  registry: CafeRegistry
  writer: DurableWriter
  gateway: SocketGateway
  tablecloths: TableclothServer
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>
  /** Stops accepting, flushes every write, closes every connection. Idempotent. */
  close(): Promise<void>
}

export function createServer(deps: ServerDeps): NappeServer {
  const { config, store, log } = deps
  const clock = deps.clock ?? systemClock
  const writer = new DurableWriter(store, clock, log, deps.storageRetryMs)

  // The cafés talk to the transports through these events; both are wired just below.
  let gateway: SocketGateway
  let tablecloths: TableclothServer
  const events: CafeEvents = {
    changed: (cafe) => gateway.stateChanged(cafe),
    warning: (cafe, w) => gateway.warning(cafe, w),
    message: (cafe, m) => gateway.message(cafe, m),
    nextSeat: (cafe, participantId, seat) => gateway.nextSeat(cafe, participantId, seat),
    participantGone: (cafe, participantId) => {
      gateway.participantGone(participantId)
      tablecloths.closeParticipant(cafe.id, participantId)
    },
    roundClosed: (cafe, round, docNames) => tablecloths.snapshot(cafe.id, round, docNames, clock.now()),
    roundAhead: (_cafe, _round, docNames) => tablecloths.prepare(docNames),
  }
  const plans = deps.plans ?? new WorkerPlanService(log)
  const registry = new CafeRegistry({ writer, clock, plans, log, events })

  const jobs = deps.jobs ?? createJobPools(log)
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', config.trustProxy)
  app.use(securityHeaders({ projectorFrameAncestors: config.frameAncestors, https: config.publicUrl?.startsWith('https:') ?? false }))
  if (writer.writesBehind) app.use(durableAnswers(writer, log, (id) => deps.cluster?.node.isHere(id) ?? true))
  const http = createHttpServer(app)
  gateway = new SocketGateway(http, { registry, clock, log, trustProxy: config.trustProxy, health: () => writer.health, whenDurable: () => writer.whenDurable(), iceServers: config.iceServers, turn: config.turn })
  serveCafeSocketPath(http) // Socket.IO on /c/<cafeId>/socket.io/ too, for the proxy to route by café (socket/cafePath.ts)
  tablecloths = new TableclothServer({ writer, log, clock, trustProxy: config.trustProxy, docIdleMs: config.docIdleMs, pingIntervalMs: config.yjsPingMs, resolveCafe: (id) => registry.get(id) })
  writer.onHealthChange((h) => gateway.healthChanged(h))

  const loopDelay = new LoopDelay()
  const eventLoop = () => loopDelay.total()
  const eventLoopRecent = () => loopDelay.recent()

  const listeningPort = () => (http.address() as AddressInfo | null)?.port ?? config.port
  // The base of the links handed out: PUBLIC_URL, else the machine's LAN address when asked on localhost (http/publicUrl.ts).
  const links = (req: Request) => linkBase(linkRule(config, deps.networkInterfaces ?? networkInterfaces, listeningPort()), { protocol: req.protocol, host: req.get('host') })
  if (deps.cluster) app.post('/api/join', ...joinRedirect(deps.cluster.node, log))
  app.use(createPhotoApi({ registry, store, clock, log }))
  app.use(createRewriteApi({ registry, tablecloths, writer, log, llm: config.llm }))
  app.use(createApi({ registry, writer, tablecloths, throttle: new FailureThrottle(clock, config.joinAttemptsPerMinute), importThrottle: new FailureThrottle(clock, IMPORTS_PER_MINUTE), jobs, log, links, loadedDocs: () => tablecloths.loadedDocs, eventLoop, eventLoopRecent, handOff: deps.cluster ? (id) => deps.cluster!.node.handOff(id) : undefined, node: deps.cluster ? () => ({ id: deps.cluster!.node.nodeId, cafes: deps.cluster!.node.owned().length, cutOff: deps.cluster!.node.cutOff }) : undefined }))
  if (config.clientDir && existsSync(join(config.clientDir, 'index.html'))) {
    const dir = config.clientDir
    app.use(express.static(dir, { index: false, maxAge: '1h' }))
    app.get('/{*splat}', (_req, res) => res.sendFile(join(dir, 'index.html')))
  }

  http.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0] ?? ''
    if (path.startsWith('/yjs/')) tablecloths.handleUpgrade(req, socket, head)
    else if (!path.startsWith('/socket.io/')) socket.destroy()
  })
  http.on('clientError', (_err, socket) => socket.destroy())

  // Multi-node: what names a café goes to the node serving it; a café taken here starts its timers, one
  // lost to another node is dropped here at once (its clients reconnect and reach the new node).
  const cluster = deps.cluster?.node
  cluster?.onOwnership({
    gained: (id) => { registry.get(id) },
    lost: (id) => { registry.evict(id); gateway.disconnectCafe(id); tablecloths.closeCafe(id) },
    busy: (id) => gateway.hasClients(id) || tablecloths.hasCafe(id),
  })
  const router = cluster ? deps.cluster!.installRouter(http, cluster, log) : null

  const resumed = registry.resumeOpenCafes()
  if (resumed > 0) log.info('resumed open cafés', { count: resumed })

  let closing: Promise<void> | null = null
  return {
    http, registry, writer, gateway, tablecloths,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        http.once('error', reject)
        http.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
          const address = http.address() as AddressInfo
          const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host
          resolve({ port: address.port, url: `http://${shownHost}:${address.port}` })
        })
      })
    },
    close() {
      closing ??= (async () => {
        loopDelay.stop()
        // Facilitators hear it while still connected. What is still in `writer.backlog` after close() is
        // the caller's to save (server/index.ts writes it to a fallback file).
        const { pendingWrites } = writer.health
        if (pendingWrites > 0) {
          for (const socket of gateway.io.sockets.sockets.values()) {
            if (socket.data.role === 'facilitator') socket.emit('server:health', { storage: 'degraded', pendingWrites, savingToFallback: true })
          }
        }
        registry.dispose()
        await plans.close()
        await jobs.close()
        tablecloths.close()
        router?.close() // connections it forwards to other nodes close too (the HTTP server would wait for them)
        const stopped = gateway.close() // disconnects every socket, then closes the HTTP server (stops accepting)
        http.closeAllConnections() // keep-alive and in-flight HTTP connections must not hold the exit up
        await stopped
        await writer.drain(deps.shutdownRetryMs ?? 0)
        writer.stop()
        await cluster?.stop() // out of the nodes table: nobody proxies here any more
        await store.close() // a PostgreSQL mirror commits what it holds and gives its leases up
      })()
      return closing
    },
  }
}

