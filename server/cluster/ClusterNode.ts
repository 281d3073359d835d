/**
 * One node of a multi-node Nappe (DATABASE_URL set): which cafés it serves, and where the others are.
 *
 * The café is the unit of distribution. A node serves a café only while it holds the café's lease in
 * PostgreSQL (`MirrorStore` takes it, renews it, and is told by the database when another node took
 * it). HAProxy sends every connection of a café to the same node by hashing the café id in the path;
 * when that node is not the lease holder (the holder is still alive after a node came back, or the
 * café was just created elsewhere), it proxies to the holder (`clusterRouter.ts`). Nodes find each
 * other through the `nodes` table, where each writes a heartbeat.
 */
import type { Logger } from '../log'

/** What the PostgreSQL mirror offers for ownership (server/store/pg/MirrorStore.ts). */
export interface Leases {
  /** Takes the café's lease and loads the café into memory. */
  acquire(cafeId: string): Promise<'ok' | 'missing' | { holder: string; expiresInMs: number }>
  /** Commits what is queued for the café, gives the lease up and forgets the café. */
  release(cafeId: string): Promise<void>
  owns(cafeId: string): boolean
  owned(): string[]
}

/** What the PostgreSQL engine offers for finding nodes and cafés (server/store/pg/PgEngine.ts). */
export interface Directory {
  heartbeat(nodeId: string, address: string): Promise<void>
  liveNodes(maxAgeMs: number): Promise<Array<{ id: string; address: string }>>
  removeNode(nodeId: string): Promise<void>
  cafeIdByJoinCode(code: string): Promise<string | null>
}

export type Placement =
  /** Served here: the request goes on to this node's app. */
  | { kind: 'here' }
  /** Served by another live node: proxy the request there. */
  | { kind: 'elsewhere'; nodeId: string; address: string }
  /** Its node died and its lease has not run out yet: the client should retry after that. */
  | { kind: 'unavailable'; retryAfterMs: number }
  /** No such café: this node's app answers (404). */
  | { kind: 'missing' }

export interface ClusterNodeOptions {
  nodeId: string
  /** How other nodes reach this one (http://host:port), for proxying. */
  address: string
  leases: Leases
  directory: Directory
  log: Logger
  /** The lease time; heartbeats go every third of it, and a node silent for two of them is taken for gone. */
  leaseMs: number
}

/** How long a node answer ("café X is on node B") is reused before asking the database again. */
const ELSEWHERE_CACHE_MS = 1000

export class ClusterNode {
  readonly nodeId: string
  readonly address: string
  private acquiring = new Map<string, Promise<Placement>>()
  private elsewhere = new Map<string, { placement: Placement; until: number }>()
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null
  private stopped = false
  /** Called when a café is taken here (load its runtime) and when it is lost (drop it, close its connections). */
  private hooks: { gained: (cafeId: string) => void; lost: (cafeId: string) => void } = { gained: () => {}, lost: () => {} }

  constructor(private opts: ClusterNodeOptions) {
    this.nodeId = opts.nodeId
    this.address = opts.address
  }

  onOwnership(hooks: { gained: (cafeId: string) => void; lost: (cafeId: string) => void }): void {
    this.hooks = hooks
  }

  /** Starts the heartbeat. Resolves once this node is listed (so that others can proxy to it). */
  async start(): Promise<void> {
    await this.opts.directory.heartbeat(this.nodeId, this.address)
    this.heartbeatTimer = setInterval(() => {
      this.opts.directory.heartbeat(this.nodeId, this.address).catch((err: unknown) => this.opts.log.warn('cluster heartbeat failed', { err }))
    }, Math.max(200, Math.floor(this.opts.leaseMs / 3)))
    this.heartbeatTimer.unref()
  }

  isHere(cafeId: string): boolean {
    return this.opts.leases.owns(cafeId)
  }

  /** The cafés served here now. */
  owned(): string[] {
    return this.opts.leases.owned()
  }

  /** Where a café is served; takes it here when nobody holds it. Concurrent calls for one café share one answer. */
  place(cafeId: string): Promise<Placement> {
    if (this.isHere(cafeId)) return Promise.resolve({ kind: 'here' })
    const cached = this.elsewhere.get(cafeId)
    if (cached && cached.until > performance.now()) return Promise.resolve(cached.placement)
    const pending = this.acquiring.get(cafeId)
    if (pending) return pending
    const p = this.take(cafeId).finally(() => this.acquiring.delete(cafeId))
    this.acquiring.set(cafeId, p)
    return p
  }

  /** The café of a join code, from the database (any node may be asked). */
  cafeIdByJoinCode(code: string): Promise<string | null> {
    return this.opts.directory.cafeIdByJoinCode(code)
  }

  /**
   * Gives a café up (after creating or importing it here: HAProxy will send its traffic to the node its
   * id hashes to, which then takes it without waiting for a lease to run out).
   */
  async handOff(cafeId: string): Promise<void> {
    if (!this.isHere(cafeId)) return
    await this.opts.leases.release(cafeId)
    this.hooks.lost(cafeId)
  }

  /** The mirror lost a café (another node took it, or its lease could not be renewed in time). */
  lost(cafeId: string): void {
    this.opts.log.warn('cluster: café lost to another node, its connections are closed', { cafeId })
    this.elsewhere.delete(cafeId)
    this.hooks.lost(cafeId)
  }

  /** Stops the heartbeat and leaves the nodes table (the mirror's close gives the leases up). */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer)
    await this.opts.directory.removeNode(this.nodeId).catch(() => {})
  }

  private async take(cafeId: string): Promise<Placement> {
    if (this.stopped) return { kind: 'unavailable', retryAfterMs: 1000 }
    const got = await this.opts.leases.acquire(cafeId)
    if (got === 'missing') return { kind: 'missing' }
    if (got === 'ok') {
      this.opts.log.info('cluster: café taken here', { cafeId, nodeId: this.nodeId })
      this.hooks.gained(cafeId)
      return { kind: 'here' }
    }
    // Alive: a heartbeat within the last two (one every third of the lease). A node that missed more may
    // be frozen: better a client retrying (503) than a request forwarded to a node that never answers.
    const nodes = await this.opts.directory.liveNodes((this.opts.leaseMs * 2) / 3 + 100)
    const holder = nodes.find((n) => n.id === got.holder && n.id !== this.nodeId)
    const placement: Placement = holder
      ? { kind: 'elsewhere', nodeId: holder.id, address: holder.address }
      : { kind: 'unavailable', retryAfterMs: Math.max(250, got.expiresInMs) }
    if (holder) this.elsewhere.set(cafeId, { placement, until: performance.now() + ELSEWHERE_CACHE_MS })
    return placement
  }
}
