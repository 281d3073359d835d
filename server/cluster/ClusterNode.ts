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
  heartbeat(nodeId: string, address: string, leaseMs?: number): Promise<void>
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

export interface OwnershipHooks {
  gained(cafeId: string): void
  lost(cafeId: string): void
  busy(cafeId: string): boolean
}

/** A café nobody is connected to is given up after this long. */
const IDLE_RELEASE_MS = 10 * 60_000
const IDLE_CHECK_MS = 60_000

/** How long a node answer ("café X is on node B") is reused before asking the database again. */
const ELSEWHERE_CACHE_MS = 1000

export class ClusterNode {
  readonly nodeId: string
  readonly address: string
  private acquiring = new Map<string, Promise<Placement>>()
  /** Cafés being given up (handOff): nothing takes them again here before that is done. */
  private releasing = new Map<string, Promise<void>>()
  private elsewhere = new Map<string, { placement: Placement; until: number }>()
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null
  private lastBeat = performance.now()
  private stopped = false
  /**
   * Called when a café is taken here (load its runtime) and when it is lost (drop it, close its
   * connections); `busy` says whether anyone is connected to it.
   */
  private hooks: OwnershipHooks = { gained: () => {}, lost: () => {}, busy: () => true }
  private idleSince = new Map<string, number>()
  private idleTimer: ReturnType<typeof setInterval> | null = null

  constructor(private opts: ClusterNodeOptions) {
    this.nodeId = opts.nodeId
    this.address = opts.address
  }

  onOwnership(hooks: OwnershipHooks): void {
    this.hooks = hooks
  }

  /** Starts the heartbeat. Resolves once this node is listed (so that others can proxy to it). */
  async start(): Promise<void> {
    await this.opts.directory.heartbeat(this.nodeId, this.address)
    this.lastBeat = performance.now()
    this.heartbeatTimer = setInterval(() => {
      const sent = performance.now()
      this.opts.directory.heartbeat(this.nodeId, this.address, this.opts.leaseMs).then(
        () => { this.lastBeat = Math.max(this.lastBeat, sent) },
        (err: unknown) => this.opts.log.warn('cluster heartbeat failed', { err }),
      )
    }, Math.max(200, Math.floor(this.opts.leaseMs / 3)))
    this.heartbeatTimer.unref()
    this.idleTimer = setInterval(() => this.releaseIdle(), IDLE_CHECK_MS)
    this.idleTimer.unref()
  }

  /**
   * Cafés nobody has been connected to for IDLE_RELEASE_MS are given up: a node does not keep every café
   * it ever served in memory (and its lease renewed). The next request takes it again, anywhere.
   */
  private releaseIdle(): void {
    const now = performance.now()
    for (const id of this.owned()) {
      if (this.hooks.busy(id)) { this.idleSince.delete(id); continue }
      const since = this.idleSince.get(id) ?? now
      this.idleSince.set(id, since)
      if (now - since < IDLE_RELEASE_MS) continue
      this.idleSince.delete(id)
      this.opts.log.info('cluster: idle café given up', { cafeId: id })
      this.handOff(id).catch((err: unknown) => this.opts.log.warn('cluster: could not give an idle café up', { cafeId: id, err }))
    }
    for (const id of this.idleSince.keys()) if (!this.isHere(id)) this.idleSince.delete(id)
  }

  /**
   * No heartbeat reached PostgreSQL for a whole lease time: this node can serve no café (it cannot keep
   * a lease), so /healthz says so and the proxy sends the cafés to the others.
   */
  get cutOff(): boolean {
    return !this.stopped && performance.now() - this.lastBeat > this.opts.leaseMs
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
    const releasing = this.releasing.get(cafeId)
    if (releasing) return releasing.then(() => this.place(cafeId))
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
    if (!this.isHere(cafeId) || this.releasing.has(cafeId)) return
    // The café stops here first (timers, connections): nothing writes to it while its lease is given up.
    this.hooks.lost(cafeId)
    const done = this.opts.leases.release(cafeId).finally(() => this.releasing.delete(cafeId))
    this.releasing.set(cafeId, done)
    await done
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
    if (this.idleTimer) clearInterval(this.idleTimer)
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
