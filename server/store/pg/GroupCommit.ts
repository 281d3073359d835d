/**
 * The write queue of `MirrorStore`: every write of one event-loop turn goes to PostgreSQL in ONE
 * statement (`PgEngine.commit`), at the end of the turn (`setImmediate`). One commit is in flight at a
 * time, so writes land in the order they were made. A commit that fails (PostgreSQL unreachable, a
 * timeout) is sent again every `retryMs` with everything queued since, in order; nothing is dropped
 * except the writes of a café this node lost (`drop`), which nobody saw. `durable()` resolves once every
 * write made before it is committed or dropped with its café.
 */
import type { Logger } from '../../log'
import type { StorageHealth } from '../DurableWriter'
import type { CommitResult, PgEngine, PgFence, PgWrite } from './PgEngine'

interface Queued { n: number; cafeId: string; key: string | null; write: PgWrite; bytes: number }

export interface GroupCommitDeps {
  engine: PgEngine
  nodeId: string
  log: Logger
  /** The fence of a café for the next commit, or null when it is no longer held (its writes are dropped). */
  fence(cafeId: string): PgFence | null
  /** Told what a commit found (`sentAt`: `performance.now()` when it was sent), before `durable()` resolves. */
  committed(result: CommitResult, sentAt: number): void
  /**
   * PostgreSQL refuses the writes of this café for what they are (bad data, a broken constraint: a bug),
   * not for being unreachable: sent again they would block every café behind them for ever. The café
   * is given up with its queued writes (its clients still hold their edits).
   */
  refused(cafeId: string, why: string): void
  retryMs?: number
  maxBatchWrites?: number
  maxBatchBytes?: number
}

/** A commit slower than this is logged: every broadcast waited that long. */
const SLOW_COMMIT_MS = 200

export class GroupCommit {
  private queue: Queued[] = []
  private inFlight: Queued[] | null = null
  private scheduled: 'turn' | 'retry' | null = null
  private timer: ReturnType<typeof setTimeout> | NodeJS.Immediate | null = null
  private made = 0
  private waiters: Array<{ n: number; resolve: () => void }> = []
  private lastError: string | null = null
  private listeners = new Set<(h: StorageHealth) => void>()
  private stopped = false
  /** After a commit refused for its data: one café per commit, until the queue is empty, to find the culprit. */
  private isolate = false
  /** Commits sent (each is one statement, one round trip). */
  commits = 0

  constructor(private deps: GroupCommitDeps) {}

  get health(): StorageHealth {
    const pendingWrites = this.queue.length + (this.inFlight?.length ?? 0)
    return { storage: this.lastError !== null && pendingWrites > 0 ? 'degraded' : 'ok', pendingWrites, lastError: this.lastError }
  }

  onHealthChange(fn: (h: StorageHealth) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Queues a write; `key` names what a later write replaces (the same record), null for appends. */
  push(cafeId: string, key: string | null, write: PgWrite, bytes = 0): void {
    this.queue.push({ n: ++this.made, cafeId, key, write, bytes })
    if (this.scheduled === null && this.inFlight === null) this.schedule('turn')
  }

  /** Forgets every queued write of a café (lost: they were never committed, so never broadcast). */
  drop(cafeId: string): number {
    const before = this.queue.length
    this.queue = this.queue.filter((q) => q.cafeId !== cafeId)
    const dropped = before - this.queue.length
    this.settle()
    return dropped
  }

  pendingFor(cafeId: string): boolean {
    return this.queue.some((q) => q.cafeId === cafeId) || (this.inFlight?.some((q) => q.cafeId === cafeId) ?? false)
  }

  /** Resolves when every write made so far is committed, or dropped with its café (`onLost` was told first). */
  durable(): Promise<void> {
    const n = this.made
    if (n < this.oldestPending()) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ n, resolve }))
  }

  /** Sends what is queued now instead of at the end of the turn (or of the retry wait). */
  flushNow(): void {
    if (this.inFlight !== null || this.stopped) return
    this.clearTimer()
    void this.send()
  }

  /** No more commits after this; what is queued stays queued (see `health.pendingWrites`). */
  stop(): void {
    this.stopped = true
    this.clearTimer()
  }

  private oldestPending(): number {
    return this.inFlight?.[0]?.n ?? this.queue[0]?.n ?? Infinity
  }

  private settle(): void {
    const oldest = this.oldestPending()
    const due = this.waiters.filter((w) => w.n < oldest)
    if (due.length === 0) return
    this.waiters = this.waiters.filter((w) => w.n >= oldest)
    for (const w of due) w.resolve()
  }

  private schedule(how: 'turn' | 'retry'): void {
    if (this.stopped) return
    this.scheduled = how
    const run = () => { this.timer = null; this.scheduled = null; void this.send() }
    if (how === 'turn') this.timer = setImmediate(run)
    else { const t = setTimeout(run, this.deps.retryMs ?? 1000); t.unref(); this.timer = t }
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      if (this.scheduled === 'turn') clearImmediate(this.timer as NodeJS.Immediate)
      else clearTimeout(this.timer as ReturnType<typeof setTimeout>)
    }
    this.timer = null
    this.scheduled = null
  }

  /** Takes the head of the queue, up to the batch limits (at least one write). */
  private take(): Queued[] {
    const maxWrites = this.deps.maxBatchWrites ?? 5000
    const maxBytes = this.deps.maxBatchBytes ?? 32 * 1024 * 1024
    if (this.isolate) {
      // Every queued write of the first café, in order (the order between cafés does not matter).
      const cafe = this.queue[0]!.cafeId
      const taken: Queued[] = []
      let bytes = 0
      this.queue = this.queue.filter((q) => {
        if (q.cafeId !== cafe || taken.length >= maxWrites || (taken.length > 0 && bytes + q.bytes > maxBytes)) return true
        taken.push(q)
        bytes += q.bytes
        return false
      })
      return taken
    }
    let i = 0, bytes = 0
    while (i < this.queue.length && i < maxWrites && (i === 0 || bytes + this.queue[i]!.bytes <= maxBytes)) bytes += this.queue[i++]!.bytes
    return this.queue.splice(0, i)
  }

  private async send(): Promise<void> {
    if (this.inFlight !== null || this.stopped) return
    // Cafés no longer held lose their writes before anything is sent.
    const fences = new Map<string, PgFence | null>()
    for (const q of this.queue) if (!fences.has(q.cafeId)) fences.set(q.cafeId, this.deps.fence(q.cafeId))
    this.queue = this.queue.filter((q) => fences.get(q.cafeId) !== null)
    this.settle()
    if (this.queue.length === 0) return
    const batch = this.take()
    this.inFlight = batch
    // Within one commit only the last write of a record counts (a statement may not upsert a row twice).
    const last = new Map<string, number>()
    batch.forEach((q, i) => { if (q.key !== null) last.set(q.key, i) })
    const writes = batch.filter((q, i) => q.key === null || last.get(q.key) === i).map((q) => q.write)
    const cafes = [...new Set(batch.map((q) => q.cafeId))]
    const sentAt = performance.now()
    let result: CommitResult
    try {
      this.commits++
      result = await this.deps.engine.commit(writes, cafes.map((c) => fences.get(c)!), this.deps.nodeId)
    } catch (err) {
      this.inFlight = null
      // SQLSTATE class 22 (data exception) or 23 (integrity constraint): the same batch would fail again.
      if (/^2[23]/.test(String((err as { code?: unknown }).code ?? ''))) {
        if (cafes.length > 1) {
          this.isolate = true
          this.queue.unshift(...batch)
        } else {
          this.deps.log.error('postgres refused a café\'s writes for their data: the café is given up', { cafeId: cafes[0], error: (err as Error).message, droppedWrites: batch.length })
          try { this.deps.refused(cafes[0]!, (err as Error).message) } catch (e) { this.deps.log.error('giving a café up failed', { err: e }) }
        }
        this.settle()
        this.schedule('turn')
        return
      }
      // Back at the head, in order; the next attempt also carries what was queued meanwhile.
      this.queue.unshift(...batch)
      const wasOk = this.lastError === null
      this.lastError = err instanceof Error ? err.message : String(err)
      if (wasOk) {
        this.deps.log.error('postgres commit failed: keeping writes in memory and retrying', { error: this.lastError, pendingWrites: this.queue.length })
        this.notify()
      }
      this.schedule('retry')
      return
    }
    const ms = performance.now() - sentAt
    if (ms > SLOW_COMMIT_MS) this.deps.log.warn('slow postgres commit', { ms: Math.round(ms), writes: writes.length })
    this.inFlight = null
    try {
      this.deps.committed(result, sentAt)
    } catch (err) {
      this.deps.log.error('handling a commit result failed', { err })
    }
    if (this.lastError !== null) {
      this.lastError = null
      this.deps.log.info('postgres reachable again: queued writes committed')
      this.notify()
    }
    if (this.queue.length > 0) void this.send()
    else this.isolate = false
    this.settle()
  }

  private notify(): void {
    const h = this.health
    for (const fn of this.listeners) fn(h)
  }
}
