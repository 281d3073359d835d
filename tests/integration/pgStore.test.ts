/**
 * The PostgreSQL store of the multi-node mode, on a real PostgreSQL 15 started fresh for this file:
 * the engine's round trips, the mirror's group commit, durability, fencing, outages, the database clock.
 */
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { silentLogger } from '../../server/log'
import { MirrorStore } from '../../server/store/pg/MirrorStore'
import { PgEngine } from '../../server/store/pg/PgEngine'
import type { PgWrite } from '../../server/store/pg/PgEngine'
import { PG_SCHEMA_VERSION } from '../../server/store/pg/schema'
import type { CafeRecord, ParticipantRecord, PhotoRecord } from '../../server/store/Store'
import { parseCafeInput } from '../../shared/cafe'
import { eventually } from '../helpers/eventually'
import { postgresMissing, startPostgres } from '../helpers/postgres'
import type { TestPostgres } from '../helpers/postgres'
import { twoTableCafe } from '../helpers/server'

const definition = (() => { const r = parseCafeInput(twoTableCafe); if (!r.ok) throw new Error('fixture'); return r.value })()
const cafe = (id: string, joinCode: string): CafeRecord => ({
  id, joinCode, facilitatorKeyHash: 'ab'.repeat(32), definition, lifecycle: { phase: 'lobby' },
  seating: { p1: 't1' }, history: [], nextSeating: null, lockedDocs: [], roundEndedAt: null, message: null, snapshotRounds: 0, seed: 42, createdAt: 1, updatedAt: 1,
})
const participant = (id: string, cafeId: string, joinedAt: number): ParticipantRecord => ({
  id, cafeId, tokenHash: `h-${id}`, displayName: `Personne ${id} é`, organisation: 'CLPS', sector: null, hostOf: null, joinedAt, leftAt: null,
})
const photo = (id: string, cafeId: string, bytes: number[]): PhotoRecord => ({
  id, cafeId, tableId: 't1', questionId: 'q1', round: 1, type: 'image/jpeg', width: 640, height: 480, bytes: bytes.length,
  by: { kind: 'host', participantId: 'p1', name: 'Amélie' }, createdAt: 10, data: new Uint8Array(bytes),
})
const bytesOf = (n: number, size = 3) => new Uint8Array(size).map((_, i) => (n + i) % 256)

let server: TestPostgres
const open: Array<{ close(): Promise<unknown> }> = []
beforeAll(async () => {
  const missing = postgresMissing()
  if (missing) throw new Error(missing)
  server = await startPostgres()
  console.log(`test PostgreSQL ready in ${server.startupMs} ms`)
}, 60_000)
afterEach(async () => { for (const o of open.splice(0).reverse()) await o.close().catch(() => {}) })
afterAll(async () => { await server?.stop() })

async function engine(url: string): Promise<PgEngine> {
  const e = await PgEngine.open(url, silentLogger)
  open.push(e)
  return e
}
function mirror(e: PgEngine, nodeId: string, extra: { leaseTtlMs?: number; onLost?: (id: string) => void } = {}): MirrorStore {
  const m = new MirrorStore({ engine: e, nodeId, log: silentLogger, onLost: extra.onLost ?? (() => {}), leaseTtlMs: extra.leaseTtlMs ?? 60_000, closeEngine: false })
  open.unshift(m)
  return m
}
const sql = async <T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> => {
  const c = new pg.Client(url)
  await c.connect()
  try { return (await c.query<T>(text, values)).rows } finally { await c.end() }
}

/** A café's row, as another node's commit would have left it: leases are only given for cafés that exist. */
const cafeRow = (url: string, id: string) => sql(url, "INSERT INTO cafes (id, join_code, phase, record, updated_at) VALUES ($1, $1, 'lobby', '{}'::jsonb, 1)", [id])

describe('PgEngine', () => {
  it('gives no lease for a café that does not exist, and keeps no row for it (anyone can name an id)', async () => {
    const url = await server.createDatabase()
    const e = await engine(url)
    for (let i = 0; i < 20; i++) expect(await e.acquireLease(`nope${i}`, 'node-a', 30_000)).toEqual({ ok: false, missing: true })
    expect(await sql(url, 'SELECT * FROM leases')).toEqual([])
  })

  it('stores every kind of write in one commit and loads the café back whole', async () => {
    const url = await server.createDatabase()
    const e = await engine(url)
    const writes: PgWrite[] = [
      { kind: 'cafe', cafe: cafe('c1', 'AAAA2222') },
      { kind: 'participant', participant: participant('b', 'c1', 20) },
      { kind: 'participant', participant: participant('a', 'c1', 10) },
      ...[1, 2, 3, 4].map((seq): PgWrite => ({ kind: 'update', cafeId: 'c1', docName: 'c1.t1.q1', seq, data: bytesOf(seq) })),
      { kind: 'update', cafeId: 'c1', docName: 'c1.t2.q2', seq: 1, data: bytesOf(9) },
      { kind: 'compaction', cafeId: 'c1', docName: 'c1.t1.q1', merged: new Uint8Array([7, 7]), uptoSeq: 3 },
      { kind: 'snapshot', cafeId: 'c1', snapshot: { docName: 'c1.t1.q1', round: 1, state: new Uint8Array([5]), takenAt: 11 } },
      { kind: 'photo', photo: photo('ph-a', 'c1', [1, 2, 3]) },
      { kind: 'photo', photo: photo('ph-b', 'c1', [4]) },
    ]
    const before = e.queries
    const r = await e.commit(writes, [{ cafeId: 'c1', create: { ttlMs: 60_000, joinCode: 'AAAA2222' } }], 'node-a')
    expect(e.queries - before).toBe(1)
    expect(r).toEqual({ fenced: [], conflicts: [], created: { c1: 1 } })
    await e.commit([{ kind: 'photoDelete', cafeId: 'c1', id: 'ph-b' }], [{ cafeId: 'c1', token: 1 }], 'node-a')

    expect(await e.getCafe('c1')).toEqual(cafe('c1', 'AAAA2222'))
    expect(await e.cafeIdByJoinCode('AAAA2222')).toBe('c1')
    expect(await e.cafeIdByJoinCode('ZZZZ9999')).toBeNull()
    expect(await e.listOpenCafeIds()).toEqual(['c1'])
    const loaded = (await e.loadCafe('c1'))!
    expect(loaded.record).toEqual(cafe('c1', 'AAAA2222'))
    expect(loaded.participants.map((p) => p.id)).toEqual(['a', 'b'])
    expect(loaded.participants[0]).toEqual(participant('a', 'c1', 10))
    expect(loaded.docs.get('c1.t1.q1')).toEqual({ updates: [new Uint8Array([7, 7]), bytesOf(4)], seqs: [3, 4], lastSeq: 4 })
    expect(loaded.docs.get('c1.t2.q2')).toEqual({ updates: [bytesOf(9)], seqs: [1], lastSeq: 1 })
    expect(loaded.snapshots).toEqual([{ docName: 'c1.t1.q1', round: 1, state: new Uint8Array([5]), takenAt: 11 }])
    expect(loaded.photos).toEqual([photo('ph-a', 'c1', [1, 2, 3])])
    expect(await e.loadCafe('nope')).toBeNull()
    expect(await e.leaseHolder('c1')).toMatchObject({ nodeId: 'node-a', token: 1 })
  })

  it('gives a café to one node at a time, the token going up with each new holder', async () => {
    const url = await server.createDatabase()
    const e = await engine(url)
    await cafeRow(url, 'c1')
    const a = await e.acquireLease('c1', 'node-a', 30_000)
    expect(a).toEqual({ ok: true, token: 1 })
    // Taken again by its holder: a new token all the same (a commit of its earlier hold, sent long ago
    // and arriving late, must not pass the fence).
    expect(await e.acquireLease('c1', 'node-a', 30_000)).toEqual({ ok: true, token: 2 })
    const refused = await e.acquireLease('c1', 'node-b', 30_000)
    expect(refused).toMatchObject({ ok: false, holder: 'node-a' })
    if (refused.ok || !('holder' in refused)) throw new Error('unreachable')
    expect(refused.expiresInMs).toBeGreaterThan(25_000)
    expect(refused.expiresInMs).toBeLessThanOrEqual(30_000)
    expect(await e.renewLeases('node-b', [{ cafeId: 'c1', token: 2 }], 30_000)).toEqual(['c1'])
    expect(await e.renewLeases('node-a', [{ cafeId: 'c1', token: 1 }], 30_000)).toEqual(['c1'])
    expect(await e.releaseLease('c1', 'node-a', 2)).toBe(true)
    expect(await e.leaseHolder('c1')).toBeNull()
    expect(await e.acquireLease('c1', 'node-b', 30_000)).toEqual({ ok: true, token: 3 })
    expect(await e.renewLeases('node-a', [{ cafeId: 'c1', token: 2 }], 30_000)).toEqual(['c1'])
    expect(await e.renewLeases('node-b', [{ cafeId: 'c1', token: 3 }], 30_000)).toEqual([])
  })

  it("counts a lease's time on the database's clock, whatever the node's clock says", async () => {
    const url = await server.createDatabase()
    const e = await engine(url)
    await cafeRow(url, 'c1')
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 3 * 24 * 3600_000)
      expect(await e.acquireLease('c1', 'node-a', 2000)).toEqual({ ok: true, token: 1 })
      vi.setSystemTime(Date.now() - 6 * 24 * 3600_000)
      const refused = await e.acquireLease('c1', 'node-b', 2000)
      expect(refused).toMatchObject({ ok: false, holder: 'node-a' })
      if (!refused.ok && 'holder' in refused) expect(refused.expiresInMs).toBeLessThanOrEqual(2000)
    } finally {
      vi.useRealTimers()
    }
    // Two seconds later by the database's clock, the lease is free.
    await eventually(async () => expect(await e.acquireLease('c1', 'node-b', 2000)).toEqual({ ok: true, token: 2 }), { timeoutMs: 5000, intervalMs: 200 })
  })

  it('keeps a list of live nodes from their heartbeats', async () => {
    const url = await server.createDatabase()
    const e = await engine(url)
    await e.heartbeat('node-a', 'http://127.0.0.1:4001')
    await e.heartbeat('node-b', 'http://127.0.0.1:4002')
    await sql(url, `UPDATE nodes SET heartbeat_at = now() - interval '1 minute' WHERE id = 'node-b'`)
    expect(await e.liveNodes(10_000)).toEqual([{ id: 'node-a', address: 'http://127.0.0.1:4001' }])
    await e.heartbeat('node-b', 'http://127.0.0.1:4003')
    expect(await e.liveNodes(10_000)).toEqual([{ id: 'node-a', address: 'http://127.0.0.1:4001' }, { id: 'node-b', address: 'http://127.0.0.1:4003' }])
    await e.removeNode('node-a')
    expect((await e.liveNodes(10_000)).map((n) => n.id)).toEqual(['node-b'])
  })

  it('migrates once when three nodes open a fresh database at the same moment, and refuses a newer schema', async () => {
    const url = await server.createDatabase()
    const engines = await Promise.all([0, 1, 2].map(() => engine(url)))
    expect(engines).toHaveLength(3)
    const rows = await sql<{ version: number }>(url, 'SELECT version FROM nappe_schema ORDER BY version')
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1))
    await sql(url, 'INSERT INTO nappe_schema (version) VALUES (99)')
    await expect(PgEngine.open(url, silentLogger)).rejects.toThrow(/newer than this Nappe/)
  })
})

describe('MirrorStore', () => {
  it('finds everything again after a close, on a new engine and mirror', async () => {
    const url = await server.createDatabase()
    const a = mirror(await engine(url), 'node-a')
    a.saveCafe(cafe('c1', 'AAAA2222'))
    a.saveParticipant(participant('p1', 'c1', 1))
    expect([a.appendUpdate('c1.t1.q1', bytesOf(1)), a.appendUpdate('c1.t1.q1', bytesOf(2)), a.appendUpdate('c1.t2.q1', bytesOf(3))]).toEqual([1, 2, 1])
    a.saveSnapshot('c1', { docName: 'c1.t1.q1', round: 1, state: new Uint8Array([4]), takenAt: 5 })
    a.savePhoto(photo('ph-a', 'c1', [1, 2]))
    await a.durable()
    expect(a.tokenOf('c1')).toBe(1)
    await a.close()

    const b = mirror(await engine(url), 'node-b')
    expect(b.getCafe('c1')).toBeNull()
    expect(await b.acquire('c1')).toBe('ok')
    expect(b.tokenOf('c1')).toBe(2)
    expect(b.getCafe('c1')).toEqual(cafe('c1', 'AAAA2222'))
    expect(b.getCafeByJoinCode('AAAA2222')?.id).toBe('c1')
    expect(b.listParticipants('c1')).toEqual([participant('p1', 'c1', 1)])
    expect(b.loadDoc('c1.t1.q1')).toEqual({ updates: [bytesOf(1), bytesOf(2)], lastSeq: 2 })
    expect(b.listSnapshots('c1')).toHaveLength(1)
    expect([...b.getPhoto('c1', 'ph-a')!.data]).toEqual([1, 2])
    // Sequence numbers go on after what was loaded.
    expect(b.appendUpdate('c1.t1.q1', bytesOf(5))).toBe(3)
    expect(await b.acquire('missing-cafe')).toBe('missing')
  })

  it('hands a café over at once on release, with what was queued for it', async () => {
    const url = await server.createDatabase()
    const a = mirror(await engine(url), 'node-a')
    const b = mirror(await engine(url), 'node-b')
    a.saveCafe(cafe('c1', 'AAAA2222'))
    a.appendUpdate('c1.t1.q1', bytesOf(1))
    await a.release('c1')
    expect(a.owned()).toEqual([])
    expect(await b.acquire('c1')).toBe('ok')
    expect(b.tokenOf('c1')).toBe(2)
    expect(b.loadDoc('c1.t1.q1')).toEqual({ updates: [bytesOf(1)], lastSeq: 1 })
  })

  it('lets another node take the café of a node that died, once its lease has run out', async () => {
    const url = await server.createDatabase()
    const ea = await PgEngine.open(url, silentLogger)
    const lostOnA: string[] = []
    const a = new MirrorStore({ engine: ea, nodeId: 'node-a', log: silentLogger, onLost: (id) => lostOnA.push(id), leaseTtlMs: 800, closeEngine: false })
    a.saveCafe(cafe('c1', 'AAAA2222'))
    a.appendUpdate('c1.t1.q1', bytesOf(1))
    await a.durable()
    // Node A loses PostgreSQL for good (it died, or was cut off): nobody releases its lease.
    await ea.close()
    const b = mirror(await engine(url), 'node-b')
    const refused = await b.acquire('c1')
    expect(refused).toMatchObject({ holder: 'node-a' })
    expect((refused as { expiresInMs: number }).expiresInMs).toBeLessThanOrEqual(800)
    await eventually(async () => expect(await b.acquire('c1')).toBe('ok'), { timeoutMs: 3000, intervalMs: 100 })
    expect(b.loadDoc('c1.t1.q1').updates).toEqual([bytesOf(1)])
    // A, cut off, gave the café up by itself when its lease could have run out.
    await eventually(() => expect(lostOnA).toEqual(['c1']), { timeoutMs: 2000 })
    await a.close(100)
  })

  it('sends all the writes of one event-loop turn in one round trip, however many', async () => {
    const url = await server.createDatabase()
    const e = await engine(url)
    const m = mirror(e, 'node-a')
    m.saveCafe(cafe('c1', 'AAAA2222'))
    m.saveCafe(cafe('c2', 'BBBB3333'))
    await m.durable()
    const before = e.queries
    for (let i = 0; i < 300; i++) m.appendUpdate(`c${1 + (i % 2)}.t1.q1`, bytesOf(i, 120))
    for (let i = 0; i < 20; i++) m.saveParticipant(participant(`p${i}`, 'c1', i))
    m.saveCafe({ ...cafe('c1', 'AAAA2222'), updatedAt: 2 })
    m.saveCafe({ ...cafe('c1', 'AAAA2222'), updatedAt: 3 })
    await m.durable()
    expect(e.queries - before).toBe(1)
    m.appendUpdate('c1.t1.q1', bytesOf(1))
    await m.durable()
    expect(e.queries - before).toBe(2)
    const rows = await sql<{ n: string }>(url, `SELECT count(*) AS n FROM updates WHERE doc_name = 'c1.t1.q1'`)
    expect(Number(rows[0]!.n)).toBe(151)
    expect((await e.getCafe('c1'))!.updatedAt).toBe(3)
    expect((await e.loadCafe('c1'))!.participants).toHaveLength(20)
  })

  it('fences a node whose lease expired: its late writes of that café are refused, those of its other cafés commit', async () => {
    const url = await server.createDatabase()
    const lostOnA: string[] = []
    const a = mirror(await engine(url), 'node-a', { onLost: (id) => lostOnA.push(id) })
    a.saveCafe(cafe('X', 'XXXX2222'))
    a.saveCafe(cafe('Y', 'YYYY3333'))
    a.appendUpdate('X.t1.q1', bytesOf(1))
    await a.durable()
    // Node A stalls (a long pause): its lease on X runs out, and node B takes X.
    await sql(url, `UPDATE leases SET expires_at = now() - interval '1 second' WHERE cafe_id = 'X'`)
    const eb = await engine(url)
    const b = mirror(eb, 'node-b')
    expect(await b.acquire('X')).toBe('ok')
    expect(b.tokenOf('X')).toBe(2)
    // A wakes up and writes to both cafés in one turn.
    a.appendUpdate('X.t1.q1', bytesOf(66))
    a.saveParticipant(participant('late', 'X', 5))
    a.appendUpdate('Y.t1.q1', bytesOf(77))
    await a.durable()
    expect(lostOnA).toEqual(['X'])
    expect(a.owned()).toEqual(['Y'])
    expect(a.getCafe('X')).toBeNull()
    const x = (await eb.loadCafe('X'))!
    expect(x.docs.get('X.t1.q1')!.updates).toEqual([bytesOf(1)])
    expect(x.participants).toEqual([])
    expect((await eb.loadCafe('Y'))!.docs.get('Y.t1.q1')!.updates).toEqual([bytesOf(77)])
    // B goes on writing X from what was durable.
    expect(b.appendUpdate('X.t1.q1', bytesOf(2))).toBe(2)
    await b.durable()
    expect((await eb.loadCafe('X'))!.docs.get('X.t1.q1')!.updates).toEqual([bytesOf(1), bytesOf(2)])
    // A's writes to X are ignored from now on, and a late save of its record does not create it again.
    a.saveCafe(cafe('X', 'XXXX2222'))
    expect(a.appendUpdate('X.t1.q1', bytesOf(3))).toBe(0)
    await a.durable()
    expect(lostOnA).toEqual(['X'])
    expect((await eb.loadCafe('X'))!.docs.get('X.t1.q1')!.updates).toHaveLength(2)
  })

  it('tells a node that another took its café at the next lease renewal', async () => {
    const url = await server.createDatabase()
    const lost: string[] = []
    const a = mirror(await engine(url), 'node-a', { leaseTtlMs: 900, onLost: (id) => lost.push(id) })
    a.saveCafe(cafe('X', 'XXXX2222'))
    await a.durable()
    await sql(url, `UPDATE leases SET node_id = 'node-b', token = token + 1 WHERE cafe_id = 'X'`)
    await eventually(() => expect(lost).toEqual(['X']), { timeoutMs: 3000 })
    expect(a.owns('X')).toBe(false)
  })

  it('refuses a new café whose join code another node already gave out', async () => {
    const url = await server.createDatabase()
    const lostOnB: string[] = []
    const a = mirror(await engine(url), 'node-a')
    const b = mirror(await engine(url), 'node-b', { onLost: (id) => lostOnB.push(id) })
    a.saveCafe(cafe('c1', 'SAME2222'))
    await a.durable()
    b.saveCafe(cafe('c2', 'SAME2222'))
    await b.durable()
    expect(lostOnB).toEqual(['c2'])
    expect(await a.engine.getCafe('c2')).toBeNull()
    expect(await a.engine.leaseHolder('c2')).toBeNull()
  })

  it('gives up the one café whose writes PostgreSQL refuses for their data, and goes on committing the others', async () => {
    const url = await server.createDatabase()
    const lost: string[] = []
    const a = mirror(await engine(url), 'node-a', { onLost: (id) => lost.push(id) })
    a.saveCafe(cafe('good', 'GOOD2222'))
    // A record PostgreSQL cannot take (updatedAt is a bigint column): the same batch would fail for ever.
    a.saveCafe({ ...cafe('bad', 'BADD2222'), updatedAt: 1.5 })
    a.appendUpdate('good.t1.q1', bytesOf(1))
    await a.durable()
    expect(lost).toEqual(['bad'])
    expect(a.owns('good')).toBe(true)
    a.appendUpdate('good.t1.q1', bytesOf(2))
    await a.durable()
    const rows = await sql<{ seq: string }>(url, "SELECT seq FROM updates WHERE doc_name = 'good.t1.q1' ORDER BY seq")
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2])
    expect(await a.engine.getCafe('good')).not.toBeNull()
    expect(await a.engine.getCafe('bad')).toBeNull()
    expect(a.health.storage).toBe('ok')
  })

  it('keeps writes while PostgreSQL is down, reports degraded, and lands them in order once it is back', async () => {
    const url = await server.createDatabase()
    const e = await engine(url)
    const lost: string[] = []
    const steady = mirror(e, 'node-a')
    const short = mirror(e, 'node-s', { leaseTtlMs: 900, onLost: (id) => lost.push(id) })
    steady.saveCafe(cafe('c1', 'AAAA2222'))
    short.saveCafe(cafe('c9', 'ZZZZ9999'))
    await Promise.all([steady.durable(), short.durable()])
    const health: string[] = []
    steady.onHealthChange((h) => health.push(h.storage))
    await server.halt()
    let durable = false
    for (let turn = 0; turn < 5; turn++) {
      for (let i = 0; i < 4; i++) steady.appendUpdate('c1.t1.q1', bytesOf(turn * 4 + i))
      short.appendUpdate('c9.t1.q1', bytesOf(turn))
      await new Promise((r) => setImmediate(r))
    }
    void steady.durable().then(() => { durable = true })
    const shortDurable = short.durable()
    await eventually(() => expect(steady.health).toMatchObject({ storage: 'degraded', pendingWrites: 20 }), { timeoutMs: 5000 })
    // The short lease could have expired while PostgreSQL was away: that café is given up.
    await eventually(() => expect(lost).toEqual(['c9']), { timeoutMs: 3000 })
    await shortDurable
    expect(durable).toBe(false)
    await server.resume()
    await eventually(() => expect(durable).toBe(true), { timeoutMs: 10_000, intervalMs: 100 })
    expect(steady.health).toEqual({ storage: 'ok', pendingWrites: 0, lastError: null })
    expect(health).toEqual(['degraded', 'ok'])
    const loaded = (await e.loadCafe('c1'))!
    expect(loaded.docs.get('c1.t1.q1')).toEqual({ updates: Array.from({ length: 20 }, (_, i) => bytesOf(i)), seqs: Array.from({ length: 20 }, (_, i) => i + 1), lastSeq: 20 })
    expect((await e.loadCafe('c9'))!.docs.get('c9.t1.q1')).toBeUndefined()
  }, 40_000)

  it('measures a commit of 1, 50 and 500 updates, and the acquire and load of a café of 160 tablecloths', async () => {
    const url = await server.createDatabase()
    const e = await engine(url)
    const m = mirror(e, 'node-a')
    m.saveCafe(cafe('big', 'BIGG2222'))
    await m.durable()
    const figures: Record<string, number> = {}
    for (const n of [1, 50, 500]) {
      const times: number[] = []
      for (let run = 0; run < 5; run++) {
        for (let i = 0; i < n; i++) m.appendUpdate(`big.t${i % 160}.q1`, bytesOf(i, 150))
        const t = performance.now()
        await m.durable()
        times.push(performance.now() - t)
      }
      figures[`commit of ${n} updates (median ms)`] = Math.round(times.sort((x, y) => x - y)[2]! * 10) / 10
    }
    for (let i = 0; i < 160 * 30; i++) m.appendUpdate(`big.t${i % 160}.q1`, bytesOf(i, 150))
    await m.durable()
    await m.release('big')
    const b = mirror(await engine(url), 'node-b')
    const t = performance.now()
    expect(await b.acquire('big')).toBe('ok')
    figures[`acquire + load of 160 tablecloths, ${5 * 551 + 160 * 30} updates of 150 bytes (ms)`] = Math.round(performance.now() - t)
    expect(b.loadDoc('big.t0.q1').updates.length).toBeGreaterThan(30)
    console.log('PostgreSQL figures', figures)
    expect(figures['commit of 500 updates (median ms)']).toBeLessThan(1000)
  }, 60_000)
})
