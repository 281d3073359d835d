/**
 * The `Store` of a node in multi-node mode: a synchronous in-memory copy (one `MemoryStore` per café) of
 * the cafés this node holds the lease of, every write of which goes to PostgreSQL behind the scenes,
 * group-committed (`GroupCommit`) and fenced by the café's lease token. The caller broadcasts a change
 * only once `durable()` has resolved, and only for cafés it still `owns()`.
 *
 * - `acquire(id)` takes the lease and loads the café; reads of cafés not held return null or empty.
 * - A café created here (`saveCafe` of an id not held, or `claim(id)`) is held at once; its first commit
 *   inserts the lease row with the café, atomically.
 * - Leases are renewed every ttl/3. A lease found taken, a fenced commit, or a renewal that could not
 *   reach PostgreSQL before the lease could have expired: the café is dropped with its queued writes and
 *   `onLost(id)` is called.
 * - Writes never throw for a database problem (they are retried). A write to a café not held (lost a
 *   moment ago) is ignored with a warning; `appendUpdate` then returns 0.
 */
import type { PhotoMeta } from '../../../shared/photos'
import type { Logger } from '../../log'
import type { StorageHealth } from '../DurableWriter'
import { cafeIdOfDocName } from '../../../shared/tablecloth'
import { MemoryStore } from '../MemoryStore'
import type { CafeRecord, ParticipantRecord, PhotoRecord, SnapshotRecord, Store, StoredDoc } from '../Store'
import { GroupCommit } from './GroupCommit'
import type { CommitResult, PgEngine, PgFence } from './PgEngine'

export const DEFAULT_LEASE_TTL_MS = 5000

export interface MirrorOptions {
  engine: PgEngine
  /** Unique per process start (a restarted node must not reuse the id of its previous life). */
  nodeId: string
  log: Logger
  /** Called once per café this node lost (taken by another node, or its lease could have expired). */
  onLost: (cafeId: string) => void
  leaseTtlMs?: number
  retryMs?: number
  /** `close()` also closes the engine (default true). */
  closeEngine?: boolean
}

interface Doc { rows: Array<{ seq: number; update: Uint8Array }>; lastSeq: number }
interface Held {
  store: MemoryStore
  docs: Map<string, Doc>
  /** null while the café created here has not reached PostgreSQL (its first commit takes the lease). */
  token: number | null
  joinCode: string | null
  /** `performance.now()` past which the lease could have expired without us knowing. */
  validUntil: number
}


export class MirrorStore implements Store {
  readonly kind = 'postgres'
  private held = new Map<string, Held>()
  private acquiring = new Map<string, Promise<'ok' | { holder: string; expiresInMs: number } | 'missing'>>()
  private warned = new Set<string>()
  /** Cafés lost by this node: a late `saveCafe` of one must not claim it as a new café. */
  private lost = new Set<string>()
  private queue: GroupCommit
  private renewTimer: ReturnType<typeof setInterval>
  private renewing = false
  private closed = false
  readonly ttlMs: number

  constructor(private opts: MirrorOptions) {
    this.ttlMs = opts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS
    this.queue = new GroupCommit({
      engine: opts.engine, nodeId: opts.nodeId, log: opts.log, retryMs: opts.retryMs,
      fence: (id) => this.fence(id),
      committed: (r, sentAt) => this.committed(r, sentAt),
      refused: (id, why) => this.lose(id, `PostgreSQL refused its writes: ${why}`),
    })
    this.renewTimer = setInterval(() => this.tick(), Math.max(50, Math.floor(this.ttlMs / 3)))
    this.renewTimer.unref()
  }

  get nodeId(): string { return this.opts.nodeId }
  get engine(): PgEngine { return this.opts.engine }
  /** Same shape as `DurableWriter`'s: degraded while a commit failed and writes wait in memory. */
  get health(): StorageHealth { return this.queue.health }
  onHealthChange(fn: (h: StorageHealth) => void): () => void { return this.queue.onHealthChange(fn) }
  /** Commits sent so far (one statement each). */
  get commits(): number { return this.queue.commits }

  /** Resolves when every write made so far is committed, or dropped with a café that was lost (after `onLost`). */
  durable(): Promise<void> { return this.queue.durable() }

  owned(): string[] { return [...this.held.keys()] }
  owns(cafeId: string): boolean { return this.held.has(cafeId) }
  tokenOf(cafeId: string): number | null { return this.held.get(cafeId)?.token ?? null }

  // ---- ownership ----

  /** Takes the café's lease and loads it into memory. 'missing' when PostgreSQL has no such café. */
  acquire(cafeId: string): Promise<'ok' | { holder: string; expiresInMs: number } | 'missing'> {
    if (this.held.has(cafeId)) return Promise.resolve('ok')
    let p = this.acquiring.get(cafeId)
    if (!p) {
      p = this.load(cafeId).finally(() => this.acquiring.delete(cafeId))
      this.acquiring.set(cafeId, p)
    }
    return p
  }

  private async load(cafeId: string): Promise<'ok' | { holder: string; expiresInMs: number } | 'missing'> {
    if (this.closed) throw new Error('the store is closed')
    // A commit of this café still in flight from before it was lost must be settled before we load it.
    while (this.queue.pendingFor(cafeId)) await this.queue.durable()
    const sentAt = performance.now()
    const lease = await this.opts.engine.acquireLease(cafeId, this.opts.nodeId, this.ttlMs)
    if (!lease.ok) return 'missing' in lease ? 'missing' : { holder: lease.holder, expiresInMs: lease.expiresInMs }
    const loaded = await this.opts.engine.loadCafe(cafeId)
    if (!loaded) {
      await this.opts.engine.releaseLease(cafeId, this.opts.nodeId, lease.token)
      return 'missing'
    }
    const store = new MemoryStore()
    store.saveCafe(loaded.record)
    for (const p of loaded.participants) store.saveParticipant(p)
    for (const s of loaded.snapshots) store.saveSnapshot(cafeId, s)
    for (const ph of loaded.photos) store.savePhoto(ph)
    // A long load ate into the lease: renew it before serving (renewals only cover cafés already held).
    let validUntil = sentAt + this.ttlMs * 0.9
    if (performance.now() - sentAt > this.ttlMs / 3) {
      const renewedAt = performance.now()
      const lost = await this.opts.engine.renewLeases(this.opts.nodeId, [{ cafeId, token: lease.token }], this.ttlMs)
      if (lost.length > 0) {
        const holder = await this.opts.engine.leaseHolder(cafeId)
        return { holder: holder?.nodeId ?? '', expiresInMs: holder?.expiresInMs ?? 0 }
      }
      validUntil = renewedAt + this.ttlMs * 0.9
    }
    if (this.closed) {
      await this.opts.engine.releaseLease(cafeId, this.opts.nodeId, lease.token).catch(() => false)
      throw new Error('the store was closed while the café was loading')
    }
    const docs = new Map<string, Doc>()
    for (const [name, d] of loaded.docs) docs.set(name, { rows: d.updates.map((update, i) => ({ seq: d.seqs[i]!, update })), lastSeq: d.lastSeq })
    this.held.set(cafeId, { store, docs, token: lease.token, joinCode: loaded.record.joinCode, validUntil })
    this.warned.delete(cafeId)
    this.lost.delete(cafeId)
    return 'ok'
  }

  /** Holds a café about to be created on this node (no lease round trip: the first commit takes it). */
  claim(cafeId: string, joinCode: string | null = null): void {
    if (this.held.has(cafeId)) return
    this.held.set(cafeId, { store: new MemoryStore(), docs: new Map(), token: null, joinCode, validUntil: Infinity })
    this.warned.delete(cafeId)
    this.lost.delete(cafeId)
  }

  /** Commits what is queued for the café, gives its lease up and forgets it. */
  async release(cafeId: string): Promise<void> {
    while (this.held.has(cafeId) && this.queue.pendingFor(cafeId)) await this.queue.durable()
    const h = this.held.get(cafeId)
    if (!h) return
    this.held.delete(cafeId)
    // A late write (a timer that was already due) must not claim it again as a café created here.
    this.lost.add(cafeId)
    if (h.token !== null) await this.opts.engine.releaseLease(cafeId, this.opts.nodeId, h.token)
  }

  private fence(cafeId: string): PgFence | null {
    const h = this.held.get(cafeId)
    if (!h) return null
    return h.token === null ? { cafeId, create: { ttlMs: this.ttlMs, joinCode: h.joinCode } } : { cafeId, token: h.token }
  }

  private committed(r: CommitResult, sentAt: number): void {
    for (const [cafeId, token] of Object.entries(r.created)) {
      const h = this.held.get(cafeId)
      if (h && h.token === null) { h.token = token; h.validUntil = sentAt + this.ttlMs * 0.9 }
    }
    for (const cafeId of r.fenced) this.lose(cafeId, 'another node holds its lease')
    for (const cafeId of r.conflicts) this.lose(cafeId, 'its join code is already used by another café')
  }

  private lose(cafeId: string, why: string): void {
    if (!this.held.delete(cafeId)) return
    this.lost.add(cafeId)
    const dropped = this.queue.drop(cafeId)
    this.opts.log.warn('café lost by this node', { cafeId, why, droppedWrites: dropped })
    try {
      this.opts.onLost(cafeId)
    } catch (err) {
      this.opts.log.error('onLost failed', { cafeId, err })
    }
  }

  /** Every ttl/3: renew the leases; a lease we could not renew in time is lost (we cannot know). */
  private tick(): void {
    const now = performance.now()
    for (const [id, h] of this.held) if (now >= h.validUntil) this.lose(id, 'could not renew its lease in time (PostgreSQL unreachable)')
    if (this.renewing || this.closed) return
    const leases = [...this.held].flatMap(([cafeId, h]) => (h.token === null ? [] : [{ cafeId, token: h.token }]))
    if (leases.length === 0) return
    this.renewing = true
    const sentAt = performance.now()
    this.opts.engine.renewLeases(this.opts.nodeId, leases, this.ttlMs).then((lost) => {
      const gone = new Set(lost)
      for (const l of leases) {
        const h = this.held.get(l.cafeId)
        if (h && h.token === l.token && !gone.has(l.cafeId)) h.validUntil = sentAt + this.ttlMs * 0.9
      }
      for (const id of lost) if (this.held.get(id)?.token === leases.find((l) => l.cafeId === id)?.token) this.lose(id, 'another node took its lease')
    }, (err) => {
      this.opts.log.warn('lease renewal failed', { err })
    }).finally(() => { this.renewing = false })
  }

  /** Commits everything (for up to `budgetMs`), gives every lease up and closes the engine. */
  async close(budgetMs = 5000): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.renewTimer)
    this.queue.flushNow()
    let timer: ReturnType<typeof setTimeout> | undefined
    const inTime = await Promise.race([
      this.queue.durable().then(() => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), budgetMs) }),
    ])
    clearTimeout(timer)
    this.queue.stop()
    if (!inTime) this.opts.log.error('postgres unreachable at close: writes not committed', { pendingWrites: this.queue.health.pendingWrites })
    const leases = [...this.held].flatMap(([cafeId, h]) => (h.token === null ? [] : [{ cafeId, token: h.token }]))
    this.held.clear()
    if (inTime) await Promise.all(leases.map((l) => this.opts.engine.releaseLease(l.cafeId, this.opts.nodeId, l.token).catch(() => false)))
    if (this.opts.closeEngine !== false) await this.opts.engine.close()
  }

  // ---- the Store interface ----

  private heldFor(cafeId: string, what: string): Held | null {
    const h = this.held.get(cafeId)
    if (h) return h
    if (!this.warned.has(cafeId)) {
      this.warned.add(cafeId)
      this.opts.log.warn('write to a café this node does not hold: ignored', { cafeId, what })
    }
    return null
  }

  saveCafe(cafe: CafeRecord): void {
    for (const [id, h] of this.held) if (id !== cafe.id && h.joinCode === cafe.joinCode) throw new Error('join code already in use')
    if (!this.held.has(cafe.id) && !this.closed && !this.lost.has(cafe.id)) this.claim(cafe.id, cafe.joinCode)
    const h = this.heldFor(cafe.id, 'cafe')
    if (!h) return
    h.store.saveCafe(cafe)
    h.joinCode = cafe.joinCode
    this.queue.push(cafe.id, `cafe:${cafe.id}`, { kind: 'cafe', cafe: clean(cafe) })
  }
  getCafe(id: string): CafeRecord | null { return this.held.get(id)?.store.getCafe(id) ?? null }
  getCafeByJoinCode(code: string): CafeRecord | null {
    for (const [id, h] of this.held) if (h.joinCode === code) return h.store.getCafe(id)
    return null
  }
  listOpenCafeIds(): string[] { return [...this.held.values()].flatMap((h) => h.store.listOpenCafeIds()) }

  saveParticipant(p: ParticipantRecord): void {
    const h = this.heldFor(p.cafeId, 'participant')
    if (!h) return
    h.store.saveParticipant(p)
    this.queue.push(p.cafeId, `participant:${p.id}`, { kind: 'participant', participant: clean(p) })
  }
  listParticipants(cafeId: string): ParticipantRecord[] { return this.held.get(cafeId)?.store.listParticipants(cafeId) ?? [] }

  appendUpdate(docName: string, update: Uint8Array): number {
    const cafeId = cafeIdOfDocName(docName)
    const h = this.heldFor(cafeId, 'update')
    if (!h) return 0
    let d = h.docs.get(docName)
    if (!d) h.docs.set(docName, (d = { rows: [], lastSeq: 0 }))
    const seq = ++d.lastSeq
    const data = update.slice()
    d.rows.push({ seq, update: data })
    this.queue.push(cafeId, null, { kind: 'update', cafeId, docName, seq, data }, data.byteLength)
    return seq
  }
  loadDoc(docName: string): StoredDoc {
    const d = this.held.get(cafeIdOfDocName(docName))?.docs.get(docName)
    return d ? { updates: d.rows.map((r) => r.update.slice()), lastSeq: d.lastSeq } : { updates: [], lastSeq: 0 }
  }
  compactDoc(docName: string, merged: Uint8Array, uptoSeq: number): void {
    const cafeId = cafeIdOfDocName(docName)
    const h = this.heldFor(cafeId, 'compaction')
    if (!h) return
    const d = h.docs.get(docName) ?? { rows: [], lastSeq: 0 }
    const data = merged.slice()
    d.rows = [{ seq: uptoSeq, update: data }, ...d.rows.filter((r) => r.seq > uptoSeq)]
    d.lastSeq = Math.max(d.lastSeq, uptoSeq)
    h.docs.set(docName, d)
    this.queue.push(cafeId, null, { kind: 'compaction', cafeId, docName, merged: data, uptoSeq }, data.byteLength)
  }

  saveSnapshot(cafeId: string, s: SnapshotRecord): void {
    const h = this.heldFor(cafeId, 'snapshot')
    if (!h) return
    h.store.saveSnapshot(cafeId, s)
    const snapshot = { ...s, state: s.state.slice() }
    this.queue.push(cafeId, `snapshot:${s.docName}#${s.round}`, { kind: 'snapshot', cafeId, snapshot }, snapshot.state.byteLength)
  }
  listSnapshots(cafeId: string): SnapshotRecord[] { return this.held.get(cafeId)?.store.listSnapshots(cafeId) ?? [] }

  savePhoto(photo: PhotoRecord): void {
    const h = this.heldFor(photo.cafeId, 'photo')
    if (!h) return
    h.store.savePhoto(photo)
    const copy = { ...clean({ ...photo, data: undefined }), data: photo.data.slice() } as PhotoRecord
    this.queue.push(photo.cafeId, `photo:${photo.id}`, { kind: 'photo', photo: copy }, copy.data.byteLength)
  }
  listPhotos(cafeId: string): PhotoMeta[] { return this.held.get(cafeId)?.store.listPhotos(cafeId) ?? [] }
  getPhoto(cafeId: string, id: string): PhotoRecord | null { return this.held.get(cafeId)?.store.getPhoto(cafeId, id) ?? null }
  deletePhoto(cafeId: string, id: string): boolean {
    const h = this.held.get(cafeId)
    if (!h || !h.store.deletePhoto(cafeId, id)) return false
    this.queue.push(cafeId, `photo:${id}`, { kind: 'photoDelete', cafeId, id })
    return true
  }
  photoUsage(cafeId: string): { count: number; bytes: number } { return this.held.get(cafeId)?.store.photoUsage(cafeId) ?? { count: 0, bytes: 0 } }
}

// PostgreSQL's jsonb refuses U+0000 and unpaired surrogates; a stray one in a name must not block the
// whole queue, so it is stored as U+FFFD (the copy in memory keeps the original until the next load).
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const cleanValue = (v: unknown): unknown => {
  if (typeof v === 'string') return v.replace(UNSTORABLE, '\uFFFD')
  if (Array.isArray(v)) return v.map(cleanValue)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, cleanValue(x)]))
  return v
}
/** A deep copy fit for jsonb (also protects the queued write from later changes to the caller's object). */
function clean<T>(v: T): T { return cleanValue(v) as T }
