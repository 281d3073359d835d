/**
 * The asynchronous PostgreSQL side of the multi-node mode (node-postgres): reads of whole cafés, the
 * group commit (one statement, one round trip), leases with fencing tokens and the nodes table. Every
 * time comparison uses the database's clock (`now()`), never the node's, so nodes with skewed clocks
 * still agree on who holds what.
 */
import pg from 'pg'
import type { PhotoMeta } from '../../../shared/photos'
import type { Logger } from '../../log'
import type { CafeRecord, ParticipantRecord, PhotoRecord, SnapshotRecord } from '../Store'
import { migrate } from './schema'

/** One write of a group commit. Records are plain data (they go into jsonb); bytes travel apart. */
export type PgWrite =
  | { kind: 'cafe'; cafe: CafeRecord }
  | { kind: 'participant'; participant: ParticipantRecord }
  | { kind: 'update'; cafeId: string; docName: string; seq: number; data: Uint8Array }
  | { kind: 'compaction'; cafeId: string; docName: string; merged: Uint8Array; uptoSeq: number }
  | { kind: 'snapshot'; cafeId: string; snapshot: SnapshotRecord }
  | { kind: 'photo'; photo: PhotoRecord }
  | { kind: 'photoDelete'; cafeId: string; id: string }

/** What a commit checks per café: the token of the lease we hold, or `create` (take the lease with the café). */
export type PgFence = { cafeId: string; token: number } | { cafeId: string; create: { ttlMs: number; joinCode: string | null } }

export interface CommitResult {
  /** Cafés whose lease is someone else's now: none of their writes were applied. */
  fenced: string[]
  /** Cafés created in this commit whose join code another café already uses: nothing applied. */
  conflicts: string[]
  /** The lease tokens of the cafés created (`create` fences that succeeded). */
  created: Record<string, number>
}

/** A document's stored updates in order, with their sequence numbers (`seqs[i]` is that of `updates[i]`). */
export interface LoadedDoc { updates: Uint8Array[]; seqs: number[]; lastSeq: number }
export interface LoadedCafe {
  record: CafeRecord
  participants: ParticipantRecord[]
  docs: Map<string, LoadedDoc>
  snapshots: SnapshotRecord[]
  photos: PhotoRecord[]
}

export type LeaseResult = { ok: true; token: number } | { ok: false; holder: string; expiresInMs: number } | { ok: false; missing: true }

export function writeCafeId(w: PgWrite): string {
  switch (w.kind) {
    case 'cafe': return w.cafe.id
    case 'participant': return w.participant.cafeId
    case 'photo': return w.photo.cafeId
    case 'update': case 'compaction': case 'snapshot': case 'photoDelete': return w.cafeId
    default: { const never: never = w; throw new Error(`unknown write ${String(never)}`) }
  }
}

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
// node-postgres returns bigint columns as strings; ours (sequence numbers, tokens, epoch ms) fit a double.
const num = (v: string | number): number => Number(v)

/** Builds the `nappe_commit` arguments: jsonb for the structure, one bytea[] for every payload. */
export function encodeBatch(writes: readonly PgWrite[], fences: readonly PgFence[]): { batch: string; payloads: Buffer[] } {
  const payloads: Buffer[] = []
  const ref = (u: Uint8Array) => payloads.push(Buffer.from(u.buffer, u.byteOffset, u.byteLength))
  const b = {
    fences: [] as unknown[], creates: [] as unknown[], cafes: [] as unknown[], participants: [] as unknown[], updates: [] as unknown[],
    compactions: [] as unknown[], snapshots: [] as unknown[], photos: [] as unknown[], photoDeletes: [] as unknown[],
  }
  for (const f of fences) {
    if ('create' in f) b.creates.push({ c: f.cafeId, ttl: Math.round(f.create.ttlMs), code: f.create.joinCode })
    else b.fences.push({ c: f.cafeId, t: f.token })
  }
  for (const w of writes) {
    switch (w.kind) {
      case 'cafe': b.cafes.push({ c: w.cafe.id, r: w.cafe }); break
      case 'participant': b.participants.push({ c: w.participant.cafeId, r: w.participant }); break
      case 'update': b.updates.push({ c: w.cafeId, d: w.docName, s: w.seq, b: ref(w.data) }); break
      case 'compaction': b.compactions.push({ c: w.cafeId, d: w.docName, s: w.uptoSeq, b: ref(w.merged) }); break
      case 'snapshot': b.snapshots.push({ c: w.cafeId, d: w.snapshot.docName, n: w.snapshot.round, at: w.snapshot.takenAt, b: ref(w.snapshot.state) }); break
      case 'photo': { const { data, cafeId, ...meta } = w.photo; b.photos.push({ c: cafeId, m: meta, b: ref(data) }); break }
      case 'photoDelete': b.photoDeletes.push({ c: w.cafeId, id: w.id }); break
      default: { const never: never = w; throw new Error(`unknown write ${String(never)}`) }
    }
  }
  return { batch: JSON.stringify(b), payloads }
}

export interface PgEngineOptions {
  /** Connections in the pool (commits, lease renewals and loads run side by side). */
  poolSize?: number
  /** A statement that has not answered after this long is abandoned (and, for a commit, retried). */
  queryTimeoutMs?: number
}

/** The time limit of a statement that keeps a lease or a heartbeat alive: a third of the lease, 1 s at least. */
const liveTimeout = (ttlMs: number): number => Math.max(1000, Math.round(ttlMs / 3))

export class PgEngine {
  /** Statements sent, for tests that count round trips. */
  queries = 0

  private constructor(private pool: pg.Pool) {}

  static async open(url: string, log: Logger, opts: PgEngineOptions = {}): Promise<PgEngine> {
    const pool = new pg.Pool({
      connectionString: url, max: opts.poolSize ?? 6, connectionTimeoutMillis: 5000,
      // The server gives a statement up before the client does, so an abandoned commit cannot land later.
      query_timeout: opts.queryTimeoutMs ?? 15_000, statement_timeout: Math.round((opts.queryTimeoutMs ?? 15_000) * 2 / 3),
      keepAlive: true, idleTimeoutMillis: 30_000, application_name: 'nappe',
    })
    // An idle connection cut by the server (restart, failover) must not crash the process: the next query reconnects.
    pool.on('error', (err) => log.warn('postgres connection lost', { err }))
    const client = await pool.connect()
    try {
      const { from, to } = await migrate(client)
      if (from !== to) log.info('postgres schema migrated', { from, to })
    } finally {
      client.release()
    }
    return new PgEngine(pool)
  }

  async close(): Promise<void> {
    await this.pool.end()
  }

  /** `timeoutMs`: this statement's own limit (a connection that stops answering is then dropped by the pool). */
  private async q<R extends pg.QueryResultRow = any>(text: string, values?: unknown[], timeoutMs?: number): Promise<pg.QueryResult<R>> {
    this.queries++
    if (timeoutMs === undefined) return this.pool.query<R>(text, values)
    return this.pool.query<R>({ text, values, query_timeout: timeoutMs } as pg.QueryConfig)
  }

  // ---- reads ----

  async getCafe(id: string): Promise<CafeRecord | null> {
    const { rows } = await this.q<{ record: CafeRecord }>('SELECT record FROM cafes WHERE id = $1', [id])
    return rows[0]?.record ?? null
  }

  async cafeIdByJoinCode(code: string): Promise<string | null> {
    const { rows } = await this.q<{ id: string }>('SELECT id FROM cafes WHERE join_code = $1', [code])
    return rows[0]?.id ?? null
  }

  async listOpenCafeIds(): Promise<string[]> {
    const { rows } = await this.q<{ id: string }>(`SELECT id FROM cafes WHERE phase <> 'closed' ORDER BY updated_at, id`)
    return rows.map((r) => r.id)
  }

  /** Everything a café holds, read in one consistent snapshot (repeatable read), or null. */
  async loadCafe(id: string): Promise<LoadedCafe | null> {
    const client = await this.pool.connect()
    const q = <R extends pg.QueryResultRow>(text: string) => { this.queries++; return client.query<R>(text, text.includes('$1') ? [id] : []) }
    try {
      await q('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const cafe = await q<{ record: CafeRecord }>('SELECT record FROM cafes WHERE id = $1')
      if (!cafe.rows[0]) {
        await q('COMMIT')
        return null
      }
      const participants = await q<{ record: ParticipantRecord }>('SELECT record FROM participants WHERE cafe_id = $1 ORDER BY joined_at, id')
      const updates = await q<{ doc_name: string; seq: string; data: Buffer }>('SELECT doc_name, seq, data FROM updates WHERE cafe_id = $1 ORDER BY doc_name, seq')
      const snapshots = await q<{ doc_name: string; round: number; taken_at: string; data: Buffer }>('SELECT doc_name, round, taken_at, data FROM snapshots WHERE cafe_id = $1 ORDER BY round, doc_name')
      const photos = await q<{ meta: PhotoMeta; data: Buffer }>('SELECT meta, data FROM photos WHERE cafe_id = $1 ORDER BY created_at, id')
      await q('COMMIT')
      const docs = new Map<string, LoadedDoc>()
      for (const r of updates.rows) {
        let d = docs.get(r.doc_name)
        if (!d) docs.set(r.doc_name, (d = { updates: [], seqs: [], lastSeq: 0 }))
        d.updates.push(bytes(r.data))
        d.seqs.push(num(r.seq))
        d.lastSeq = num(r.seq)
      }
      return {
        record: cafe.rows[0].record,
        participants: participants.rows.map((r) => r.record),
        docs,
        snapshots: snapshots.rows.map((r) => ({ docName: r.doc_name, round: r.round, takenAt: num(r.taken_at), state: bytes(r.data) })),
        photos: photos.rows.map((r) => ({ ...r.meta, cafeId: id, data: bytes(r.data) })),
      }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }

  // ---- the group commit ----

  /** Applies a batch atomically in ONE statement; cafés whose fence fails get none of their writes. */
  async commit(writes: readonly PgWrite[], fences: readonly PgFence[], nodeId: string): Promise<CommitResult> {
    const { batch, payloads } = encodeBatch(writes, fences)
    const { rows } = await this.q<{ r: CommitResult }>('SELECT nappe_commit($1::jsonb, $2::bytea[], $3) AS r', [batch, payloads, nodeId])
    return rows[0]!.r
  }

  // ---- leases ----

  /**
   * Takes a café's lease when it is free, expired or already ours, for a café that exists. The token goes
   * up every time (even when this node takes it again, after dropping it itself): a commit of an earlier
   * hold that reaches the database late can no longer pass the fence.
   */
  async acquireLease(cafeId: string, nodeId: string, ttlMs: number): Promise<LeaseResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      // Only for a café that exists: ids asked for by anyone must not fill the table with leases.
      const taken = await this.q<{ token: string }>(
        `INSERT INTO leases (cafe_id, node_id, token, expires_at)
         SELECT $1, $2, 1, now() + $3 * interval '1 millisecond' WHERE EXISTS (SELECT 1 FROM cafes WHERE id = $1)
         ON CONFLICT (cafe_id) DO UPDATE SET
           token = leases.token + 1,
           node_id = excluded.node_id, expires_at = excluded.expires_at
         WHERE leases.node_id = excluded.node_id OR leases.expires_at <= now()
         RETURNING token`, [cafeId, nodeId, Math.round(ttlMs)])
      if (taken.rows[0]) return { ok: true, token: num(taken.rows[0].token) }
      const held = await this.q<{ node_id: string; ms: string }>(
        `SELECT node_id, GREATEST(0, CEIL(EXTRACT(EPOCH FROM expires_at - now()) * 1000)) AS ms FROM leases WHERE cafe_id = $1`, [cafeId])
      const row = held.rows[0]
      if (!row) {
        const exists = await this.q('SELECT 1 FROM cafes WHERE id = $1', [cafeId])
        if (exists.rows.length === 0) return { ok: false, missing: true }
      }
      if (row && num(row.ms) > 0) return { ok: false, holder: row.node_id, expiresInMs: num(row.ms) }
      // Released or expired between the two statements: try again.
    }
    throw new Error(`could not take the lease of café ${cafeId}: it keeps changing hands`)
  }

  /** Extends the leases still ours (same node, same token); returns the cafés that are not. */
  async renewLeases(nodeId: string, leases: ReadonlyArray<{ cafeId: string; token: number }>, ttlMs: number): Promise<string[]> {
    if (leases.length === 0) return []
    const { rows } = await this.q<{ cafe_id: string }>(
      `UPDATE leases l SET expires_at = now() + $4 * interval '1 millisecond'
       FROM unnest($2::text[], $3::bigint[]) AS r(cafe_id, token)
       WHERE l.cafe_id = r.cafe_id AND l.token = r.token AND l.node_id = $1
       RETURNING l.cafe_id`, [nodeId, leases.map((l) => l.cafeId), leases.map((l) => l.token), Math.round(ttlMs)],
      // Stuck on a half-open connection, a renewal must not outlive the next one: it is sent again.
      liveTimeout(ttlMs))
    const kept = new Set(rows.map((r) => r.cafe_id))
    return leases.filter((l) => !kept.has(l.cafeId)).map((l) => l.cafeId)
  }

  /** Gives a lease up at once (the next holder need not wait for it to expire). False when it was not ours. */
  async releaseLease(cafeId: string, nodeId: string, token: number): Promise<boolean> {
    // The holder becomes nobody (''), so the next acquire, even by this node, takes a new token.
    const { rowCount } = await this.q(`UPDATE leases SET node_id = '', expires_at = now() WHERE cafe_id = $1 AND node_id = $2 AND token = $3`, [cafeId, nodeId, token])
    return (rowCount ?? 0) > 0
  }

  /** Who holds a café now (null when nobody holds a live lease), by the database's clock. */
  async leaseHolder(cafeId: string): Promise<{ nodeId: string; token: number; expiresInMs: number } | null> {
    const { rows } = await this.q<{ node_id: string; token: string; ms: string }>(
      `SELECT node_id, token, CEIL(EXTRACT(EPOCH FROM expires_at - now()) * 1000) AS ms FROM leases WHERE cafe_id = $1 AND expires_at > now() AND node_id <> ''`, [cafeId])
    const r = rows[0]
    return r ? { nodeId: r.node_id, token: num(r.token), expiresInMs: num(r.ms) } : null
  }

  // ---- nodes ----

  /** `leaseMs`: the lease time, which bounds how long a heartbeat may take (a third of it, 1 s at least). */
  async heartbeat(nodeId: string, address: string, leaseMs?: number): Promise<void> {
    await this.q(`INSERT INTO nodes (id, address, heartbeat_at, started_at) VALUES ($1, $2, now(), now())
      ON CONFLICT (id) DO UPDATE SET address = excluded.address, heartbeat_at = now()`, [nodeId, address], leaseMs === undefined ? undefined : liveTimeout(leaseMs))
  }

  /** Nodes whose last heartbeat is younger than `maxAgeMs` (database clock), by id. */
  async liveNodes(maxAgeMs: number): Promise<Array<{ id: string; address: string }>> {
    const { rows } = await this.q<{ id: string; address: string }>(
      `SELECT id, address FROM nodes WHERE heartbeat_at > now() - $1 * interval '1 millisecond' ORDER BY id`, [Math.round(maxAgeMs)])
    return rows
  }

  async removeNode(id: string): Promise<void> {
    await this.q('DELETE FROM nodes WHERE id = $1', [id])
  }
}
