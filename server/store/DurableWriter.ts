/**
 * Every write to the store goes through here. When the database cannot be written (disk full, read-only
 * file, locked), the write is kept in memory, retried every `retryMs`, and the server reports itself
 * degraded until the backlog is written. Nothing is dropped: what is still held when the server stops is
 * retried for a bounded time (`drain`), then `server/index.ts` saves `backlog` to a fallback file
 * (`Backlog.ts`) that the next start replays.
 */
import type { Clock } from '../clock'
import type { Logger } from '../log'
import type { CafeRecord, CafeSeatChange, ParticipantRecord, SnapshotRecord, Store, StoredDoc } from './Store'
import { bySnapshotOrder } from './Store'

/** One write the store has not taken yet. Records are copies: later changes to the caller's objects do not leak in. */
export type PendingWrite =
  | { kind: 'cafe'; key: string; cafe: CafeRecord }
  | { kind: 'participant'; key: string; participant: ParticipantRecord }
  | { kind: 'update'; key: null; docName: string; update: Uint8Array }
  | { kind: 'snapshot'; key: string; cafeId: string; snapshot: SnapshotRecord }

/** A write slower than this is logged: it held every table up for that long. */
const SLOW_WRITE_MS = 50

export interface StorageHealth { storage: 'ok' | 'degraded'; pendingWrites: number; lastError: string | null }

/**
 * A store that writes behind (PostgreSQL's `MirrorStore`): its writes never throw, they are committed
 * together a moment later, and `durable()` resolves once every write made so far is committed. It
 * keeps its own backlog and health.
 */
export interface WriteBehind {
  durable(): Promise<void>
  readonly health: StorageHealth
  onHealthChange?(fn: (h: StorageHealth) => void): () => void
}

type CafeWrite = Extract<PendingWrite, { kind: 'cafe' }>
const cafeWrite = (cafe: CafeRecord): CafeWrite => ({ kind: 'cafe', key: `cafe:${cafe.id}`, cafe })
/** A café record waiting in memory is a copy: later changes to the live record do not leak in. */
const ownCafe = (op: CafeWrite): CafeWrite => ({ ...op, cafe: structuredClone(op.cafe) })

const writesBehind = (s: Store): WriteBehind | null => (typeof (s as Partial<WriteBehind>).durable === 'function' ? s as unknown as WriteBehind : null)

export class DurableWriter {
  private pending: PendingWrite[] = []
  private retryTimer: unknown = null
  private lastError: string | null = null
  private listeners = new Set<(h: StorageHealth) => void>()

  private behind: WriteBehind | null

  constructor(readonly store: Store, private clock: Clock, private log: Logger, private retryMs = 1000) {
    this.behind = writesBehind(store)
    this.behind?.onHealthChange?.(() => this.notify())
  }

  get health(): StorageHealth {
    if (this.behind && this.pending.length === 0) return this.behind.health
    return { storage: this.pending.length ? 'degraded' : 'ok', pendingWrites: this.pending.length, lastError: this.lastError }
  }

  /** Whether the store writes behind (PostgreSQL): what tells others of a write waits for `whenDurable`. */
  get writesBehind(): boolean { return this.behind !== null }

  /**
   * Null when every write made so far is already durable (SQLite, memory: they are written at once);
   * else a promise that resolves when they are (a store that writes behind). What tells others of
   * a write (a broadcast, an acknowledgement, an HTTP answer) waits for it.
   */
  whenDurable(): Promise<void> | null {
    return this.behind ? this.behind.durable() : null
  }

  /** The writes held in memory, oldest first (one per café, participant and snapshot: the latest). */
  get backlog(): readonly PendingWrite[] {
    return [...this.pending]
  }

  onHealthChange(fn: (h: StorageHealth) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  saveCafe(cafe: CafeRecord): void {
    // Copied only when it must wait in memory: a store takes (serializes or copies) a record at once,
    // and a copy of the whole record on every change costs each join more as the café grows.
    this.write(cafeWrite(cafe), ownCafe)
  }

  /**
   * Seat changes of `cafe` since it was last saved (a join), at a cost that does not grow with the café.
   * A store without seat changes, a backlog, or a failed append: the whole record is saved (or kept)
   * instead, which holds them too.
   */
  saveCafeSeats(cafe: CafeRecord, change: CafeSeatChange): void {
    if (!this.store.appendCafeSeats || this.pending.length > 0) return this.saveCafe(cafe)
    const append = this.store.appendCafeSeats.bind(this.store)
    try {
      this.timed('seats', () => append(cafe.id, change))
    } catch (err) {
      this.noteError(err)
      this.enqueue(ownCafe(cafeWrite(cafe)))
    }
  }

  saveParticipant(p: ParticipantRecord): void {
    this.write({ kind: 'participant', key: `participant:${p.id}`, participant: { ...p } })
  }

  /** Returns the stored seq, or null when the update was queued in memory instead. */
  appendUpdate(docName: string, update: Uint8Array): number | null {
    return this.write({ kind: 'update', key: null, docName, update })
  }

  saveSnapshot(cafeId: string, snapshot: SnapshotRecord): void {
    this.write({ kind: 'snapshot', key: `snapshot:${snapshot.docName}:${snapshot.round}`, cafeId, snapshot })
  }

  /** A café's stored snapshots plus those still waiting to be written. */
  listSnapshots(cafeId: string): SnapshotRecord[] {
    const pending = this.pending.flatMap((p) => (p.kind === 'snapshot' && p.cafeId === cafeId ? [p.snapshot] : []))
    if (pending.length === 0) return this.store.listSnapshots(cafeId)
    const key = (s: SnapshotRecord) => `${s.docName}#${s.round}`
    const merged = new Map(this.store.listSnapshots(cafeId).map((s) => [key(s), s]))
    for (const s of pending) merged.set(key(s), s)
    return [...merged.values()].sort(bySnapshotOrder)
  }

  /** The stored updates of a doc plus those still waiting to be written. */
  loadDoc(docName: string): StoredDoc {
    const stored = this.store.loadDoc(docName)
    for (const p of this.pending) if (p.kind === 'update' && p.docName === docName) stored.updates.push(p.update)
    return stored
  }

  hasPendingFor(docName: string): boolean {
    return this.pending.some((p) => p.kind === 'update' && p.docName === docName)
  }

  /** Best effort: compaction only saves space, so a failure is logged and skipped. */
  compactDoc(docName: string, merged: Uint8Array, uptoSeq: number): boolean {
    if (this.hasPendingFor(docName)) return false
    try {
      this.store.compactDoc(docName, merged, uptoSeq)
      return true
    } catch (err) {
      this.log.warn('compaction failed', { docName, err })
      return false
    }
  }

  /** Tries to write the backlog now. True when nothing is left in memory. */
  flush(): boolean {
    const wasDegraded = this.pending.length > 0
    while (this.pending.length > 0) {
      try {
        this.apply(this.pending[0]!)
      } catch (err) {
        this.noteError(err)
        return false
      }
      this.pending.shift()
    }
    if (wasDegraded) {
      this.lastError = null
      this.log.info('storage recovered: backlog written')
      this.notify()
    }
    return true
  }

  /**
   * Retries the backlog every `retryMs` (and once more when `budgetMs` runs out) until it is written or
   * the budget is spent. True when nothing is left in memory.
   */
  async drain(budgetMs: number): Promise<boolean> {
    const until = this.clock.now() + budgetMs
    while (!this.flush()) {
      const left = until - this.clock.now()
      if (left <= 0) return false
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, Math.min(this.retryMs, left)))
    }
    return true
  }

  stop(): void {
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer)
    this.retryTimer = null
  }

  /** `own`: the write as it is kept in memory when the store cannot take it now (a copy of what may change). */
  private write<W extends PendingWrite>(op: W, own: (op: W) => W = (o) => o): number | null {
    if (this.pending.length > 0 && !this.flush()) {
      this.enqueue(own(op))
      return null
    }
    try {
      return this.apply(op)
    } catch (err) {
      this.noteError(err)
      this.enqueue(own(op))
      return null
    }
  }

  private apply(op: PendingWrite): number | null {
    return this.timed(op.kind, () => {
      if (op.kind === 'cafe') this.store.saveCafe(op.cafe)
      else if (op.kind === 'participant') this.store.saveParticipant(op.participant)
      else if (op.kind === 'snapshot') this.store.saveSnapshot(op.cafeId, op.snapshot)
      else return this.store.appendUpdate(op.docName, op.update)
      return null
    })
  }

  /** A write slower than SLOW_WRITE_MS is logged (it held every table up for that long). */
  private timed<T>(kind: string, write: () => T): T {
    const started = performance.now()
    try {
      return write()
    } finally {
      const ms = performance.now() - started
      if (ms > SLOW_WRITE_MS) this.log.warn('slow storage write', { kind, ms: Math.round(ms) })
    }
  }

  private enqueue(op: PendingWrite): void {
    const wasOk = this.pending.length === 0
    if (op.key !== null) {
      const i = this.pending.findIndex((p) => p.key === op.key)
      if (i >= 0) this.pending.splice(i, 1)
    }
    this.pending.push(op)
    if (wasOk) {
      this.log.error('storage write failed: keeping data in memory and retrying', { error: this.lastError })
      this.notify()
    }
    this.scheduleRetry()
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null) return
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null
      if (!this.flush()) this.scheduleRetry()
    }, this.retryMs)
  }

  private noteError(err: unknown): void {
    this.lastError = err instanceof Error ? err.message : String(err)
  }

  private notify(): void {
    const h = this.health
    for (const fn of this.listeners) fn(h)
  }
}
