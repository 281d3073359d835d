import { rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../server/log'
import { MemoryStore } from '../../server/store/MemoryStore'
import { MirrorStore } from '../../server/store/pg/MirrorStore'
import { PgEngine } from '../../server/store/pg/PgEngine'
import { SQLITE_SCHEMA_VERSION, SqliteStore } from '../../server/store/SqliteStore'
import Database from 'better-sqlite3'
import type { CafeRecord, ParticipantRecord, PhotoRecord, Store } from '../../server/store/Store'
import { parseCafeInput } from '../../shared/cafe'
import { postgresMissing, startPostgres } from '../helpers/postgres'
import type { TestPostgres } from '../helpers/postgres'
import { twoTableCafe, tempDir } from '../helpers/server'
import { eventually } from '../helpers/eventually'

const definition = (() => { const r = parseCafeInput(twoTableCafe); if (!r.ok) throw new Error('fixture'); return r.value })()

const cafe = (id: string, joinCode: string, phase: 'lobby' | 'closed' = 'lobby'): CafeRecord => ({
  id, joinCode, facilitatorKeyHash: 'ab'.repeat(32), definition,
  lifecycle: phase === 'lobby' ? { phase } : { phase, completedRounds: 2 },
  seating: { p1: 't1' }, history: [], nextSeating: null, lockedDocs: [], roundEndedAt: null, message: null, snapshotRounds: 0, seed: 42, createdAt: 1, updatedAt: 1,
})
const participant = (id: string, cafeId: string, joinedAt: number): ParticipantRecord => ({
  id, cafeId, tokenHash: `h-${id}`, displayName: `Personne ${id} é`, organisation: 'CLPS', sector: null, hostOf: null, joinedAt, leftAt: null,
})

/** The cafés and documents the tests below write to: what the PostgreSQL check reads back. */
const CAFES = ['c1', 'c2']
const DOCS = ['c1.t1.q1', 'c1.t2.q2', 'c2.t1.q1']

// PostgreSQL (the multi-node store): one fresh server for this file, one database per test.
let postgres: TestPostgres | null = null
beforeAll(async () => {
  const missing = postgresMissing()
  if (missing) throw new Error(`the Store contract suite runs on PostgreSQL too: ${missing}`)
  postgres = await startPostgres()
}, 60_000)
afterAll(async () => { await postgres?.stop() })

/** Everything a store holds of the tests' cafés, through the Store interface. */
function contents(s: Store) {
  return CAFES.map((id) => ({
    cafe: s.getCafe(id),
    participants: s.listParticipants(id),
    snapshots: s.listSnapshots(id),
    photos: s.listPhotos(id).map((p) => ({ ...p, data: [...s.getPhoto(id, p.id)!.data] })),
    usage: s.photoUsage(id),
    docs: DOCS.filter((d) => d.startsWith(`${id}.`)).map((d) => s.loadDoc(d)),
  }))
}

/** The same, read straight from PostgreSQL's tables (for cafés with or without a record). */
async function contentsInPostgres(url: string) {
  const db = new pg.Client(url)
  await db.connect()
  const rows = async (text: string, values: unknown[]) => (await db.query(text, values)).rows
  const out = []
  for (const id of CAFES) {
    const record = await rows('SELECT record FROM cafes WHERE id = $1', [id])
    const photos = await rows('SELECT meta, data FROM photos WHERE cafe_id = $1 ORDER BY created_at, id', [id])
    const docs = []
    for (const d of DOCS.filter((d) => d.startsWith(`${id}.`))) {
      const u = await rows('SELECT seq, data FROM updates WHERE doc_name = $1 ORDER BY seq', [d])
      docs.push({ updates: u.map((r) => new Uint8Array(r.data)), lastSeq: u.length ? Number(u.at(-1).seq) : 0 })
    }
    out.push({
      cafe: record[0]?.record ?? null,
      participants: (await rows('SELECT record FROM participants WHERE cafe_id = $1 ORDER BY joined_at, id', [id])).map((r) => r.record),
      snapshots: (await rows('SELECT doc_name, round, taken_at, data FROM snapshots WHERE cafe_id = $1 ORDER BY round, doc_name', [id]))
        .map((r) => ({ docName: r.doc_name, round: r.round, state: new Uint8Array(r.data), takenAt: Number(r.taken_at) })),
      photos: photos.map((r) => ({ ...r.meta, data: [...r.data] })),
      usage: { count: photos.length, bytes: photos.reduce((n, r) => n + r.data.byteLength, 0) },
      docs,
    })
  }
  await db.end()
  return out
}

interface Implementation {
  make(): Promise<Store>
  /** Closes the store (and, where it can, checks that what it held is what it stored). */
  done(s: Store): Promise<void>
}
const dirs: string[] = []
const urls = new WeakMap<Store, string>()
const implementations: Array<[string, Implementation]> = [
  ['MemoryStore', { make: async () => new MemoryStore(), done: (s) => s.close() }],
  ['SqliteStore', {
    make: async () => { const d = tempDir(); dirs.push(d); return new SqliteStore(join(d, 'nappe.sqlite')) },
    done: (s) => s.close(),
  }],
  ['MirrorStore on PostgreSQL', {
    async make() {
      const url = await postgres!.createDatabase()
      const m = new MirrorStore({ engine: await PgEngine.open(url, silentLogger), nodeId: 'node-a', log: silentLogger, onLost: (id) => { throw new Error(`lost ${id}`) } })
      // The tests write to these cafés, some without ever saving their record: this node creates them.
      for (const id of CAFES) m.claim(id)
      urls.set(m, url)
      return m
    },
    async done(s) {
      const m = s as MirrorStore
      const url = urls.get(m)!
      await m.durable()
      expect(m.health).toEqual({ storage: 'ok', pendingWrites: 0, lastError: null })
      const held = contents(m)
      await m.close()
      // Everything it held is in PostgreSQL's tables...
      expect(await contentsInPostgres(url)).toEqual(held)
      // ...and another node that takes the cafés over finds the same.
      const next = new MirrorStore({ engine: await PgEngine.open(url, silentLogger), nodeId: 'node-b', log: silentLogger, onLost: () => {} })
      for (const id of CAFES) if (held[CAFES.indexOf(id)]!.cafe) expect(await next.acquire(id)).toBe('ok')
      const again = contents(next)
      CAFES.forEach((id, i) => { if (held[i]!.cafe) expect(again[i]).toEqual(held[i]) })
      await next.close()
    },
  }],
]
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

describe.each(implementations)('Store contract: %s', (_name, { make, done }) => {
  it('saves, updates and finds cafés by id and join code', async () => {
    const s = await make()
    s.saveCafe(cafe('c1', 'AAAA2222'))
    s.saveCafe(cafe('c2', 'BBBB3333', 'closed'))
    expect(s.getCafe('c1')).toEqual(cafe('c1', 'AAAA2222'))
    expect(s.getCafeByJoinCode('BBBB3333')?.id).toBe('c2')
    expect(s.getCafe('nope')).toBeNull()
    expect(s.getCafeByJoinCode('ZZZZ9999')).toBeNull()
    expect(s.listOpenCafeIds()).toEqual(['c1'])
    const updated = { ...cafe('c1', 'AAAA2222'), lifecycle: { phase: 'round' as const, round: 1, timer: { status: 'running' as const, endsAt: 99, durationMs: 5 } }, updatedAt: 2 }
    s.saveCafe(updated)
    expect(s.getCafe('c1')).toEqual(updated)
    await done(s)
  })

  it('refuses a join code that another café uses', async () => {
    const s = await make()
    s.saveCafe(cafe('c1', 'AAAA2222'))
    expect(() => s.saveCafe(cafe('c2', 'AAAA2222'))).toThrow()
    await done(s)
  })

  it('returns a copy: changing what it returned changes nothing stored', async () => {
    const s = await make()
    s.saveCafe(cafe('c1', 'AAAA2222'))
    const got = s.getCafe('c1')!
    got.seating.p1 = 't2'
    expect(s.getCafe('c1')!.seating.p1).toBe('t1')
    await done(s)
  })

  it('keeps participants per café in join order', async () => {
    const s = await make()
    s.saveParticipant(participant('b', 'c1', 20))
    s.saveParticipant(participant('a', 'c1', 10))
    s.saveParticipant(participant('x', 'c2', 5))
    s.saveParticipant({ ...participant('b', 'c1', 20), leftAt: 30 })
    expect(s.listParticipants('c1').map((p) => [p.id, p.leftAt])).toEqual([['a', null], ['b', 30]])
    expect(s.listParticipants('c1')[0]).toEqual(participant('a', 'c1', 10))
    await done(s)
  })

  it('appends Yjs updates, loads them in order and compacts them into one', async () => {
    const s = await make()
    const doc = new Y.Doc()
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    for (let i = 0; i < 5; i++) doc.getArray<string>('a').push([`note ${i} — été`])
    const seqs = updates.map((u) => s.appendUpdate('c1.t1.q1', u))
    s.appendUpdate('c1.t2.q2', updates[0]!)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    const loaded = s.loadDoc('c1.t1.q1')
    expect(loaded.updates).toHaveLength(5)
    expect(loaded.lastSeq).toBe(seqs.at(-1))
    const replay = (u: Uint8Array[]) => { const d = new Y.Doc(); for (const x of u) Y.applyUpdate(d, x); return d.getArray('a').toJSON() }
    expect(replay(loaded.updates)).toEqual(doc.getArray('a').toJSON())

    s.compactDoc('c1.t1.q1', Y.encodeStateAsUpdate(doc), seqs[3]!)
    const compacted = s.loadDoc('c1.t1.q1')
    expect(compacted.updates).toHaveLength(2)
    expect(replay(compacted.updates)).toEqual(doc.getArray('a').toJSON())
    doc.getArray<string>('a').push(['after'])
    s.appendUpdate('c1.t1.q1', updates.at(-1)!)
    expect(s.loadDoc('c1.t1.q1').updates).toHaveLength(3)
    expect(s.loadDoc('c1.t2.q2').updates).toHaveLength(1)
    expect(s.loadDoc('unknown')).toEqual({ updates: [], lastSeq: 0 })
    await done(s)
  })

  it('keeps one snapshot per document and round, listed by round, per café', async () => {
    const s = await make()
    const state = (text: string) => { const d = new Y.Doc(); d.getText('t').insert(0, text); return Y.encodeStateAsUpdate(d) }
    const read = (u: Uint8Array) => { const d = new Y.Doc(); Y.applyUpdate(d, u); return d.getText('t').toString() }
    s.saveSnapshot('c1', { docName: 'c1.t2.q1', round: 1, state: state('deux'), takenAt: 10 })
    s.saveSnapshot('c1', { docName: 'c1.t1.q1', round: 2, state: state('un, tour 2'), takenAt: 20 })
    s.saveSnapshot('c1', { docName: 'c1.t1.q1', round: 1, state: state('brouillon'), takenAt: 10 })
    s.saveSnapshot('c1', { docName: 'c1.t1.q1', round: 1, state: state('un — été'), takenAt: 11 })
    s.saveSnapshot('c2', { docName: 'c2.t1.q1', round: 1, state: state('autre café'), takenAt: 10 })
    const list = s.listSnapshots('c1')
    expect(list.map((x) => [x.docName, x.round, x.takenAt, read(x.state)])).toEqual([
      ['c1.t1.q1', 1, 11, 'un — été'],
      ['c1.t2.q1', 1, 10, 'deux'],
      ['c1.t1.q1', 2, 20, 'un, tour 2'],
    ])
    expect(s.listSnapshots('nobody')).toEqual([])
    await done(s)
  })

  it('keeps photos per café with their bytes, lists them oldest first without the bytes, deletes one', async () => {
    const s = await make()
    s.savePhoto(photo('ph-b-000002', 'c1', 20, [9, 8, 7]))
    s.savePhoto(photo('ph-a-000001', 'c1', 10, [1, 2, 3, 4]))
    s.savePhoto(photo('ph-c-000003', 'c2', 5, [5]))
    const list = s.listPhotos('c1')
    expect(list.map((p) => p.id)).toEqual(['ph-a-000001', 'ph-b-000002'])
    expect(list[0]).toEqual({ id: 'ph-a-000001', tableId: 't1', questionId: 'q1', round: 2, type: 'image/jpeg', width: 640, height: 480, bytes: 4, by: { kind: 'host', participantId: 'p1', name: 'Amélie' }, createdAt: 10 })
    expect(list[0]).not.toHaveProperty('data')
    const got = s.getPhoto('c1', 'ph-a-000001')!
    expect([...got.data]).toEqual([1, 2, 3, 4])
    expect(got.cafeId).toBe('c1')
    // Another café's photo is not reachable through this café.
    expect(s.getPhoto('c1', 'ph-c-000003')).toBeNull()
    expect(s.deletePhoto('c1', 'ph-c-000003')).toBe(false)
    expect(s.photoUsage('c1')).toEqual({ count: 2, bytes: 7 })
    expect(s.deletePhoto('c1', 'ph-a-000001')).toBe(true)
    expect(s.deletePhoto('c1', 'ph-a-000001')).toBe(false)
    expect(s.getPhoto('c1', 'ph-a-000001')).toBeNull()
    expect(s.listPhotos('c1').map((p) => p.id)).toEqual(['ph-b-000002'])
    expect(s.photoUsage('c1')).toEqual({ count: 1, bytes: 3 })
    expect(s.photoUsage('c2')).toEqual({ count: 1, bytes: 1 })
    // A copy: changing the bytes returned changes nothing stored.
    s.getPhoto('c1', 'ph-b-000002')!.data[0] = 0
    expect([...s.getPhoto('c1', 'ph-b-000002')!.data]).toEqual([9, 8, 7])
    await done(s)
  })
})

const photo = (id: string, cafeId: string, createdAt: number, bytes: number[]): PhotoRecord => ({
  id, cafeId, tableId: 't1', questionId: 'q1', round: 2, type: 'image/jpeg', width: 640, height: 480, bytes: bytes.length,
  by: { kind: 'host', participantId: 'p1', name: 'Amélie' }, createdAt, data: new Uint8Array(bytes),
})

describe('SqliteStore on disk', () => {
  it('finds everything again after being closed and reopened', async () => {
    const d = tempDir(); dirs.push(d)
    const file = join(d, 'nappe.sqlite')
    const a = new SqliteStore(file)
    a.saveCafe(cafe('c1', 'AAAA2222'))
    a.saveParticipant(participant('p1', 'c1', 1))
    a.appendUpdate('c1.t1.q1', new Uint8Array([1, 2, 3]))
    await a.close()
    const b = new SqliteStore(file)
    expect(b.getCafe('c1')?.joinCode).toBe('AAAA2222')
    expect(b.listParticipants('c1')).toHaveLength(1)
    expect(b.loadDoc('c1.t1.q1').updates.map((u) => [...u])).toEqual([[1, 2, 3]])
    await b.close()
  })

  it('adds the photos table to a database of the version before, keeping what it held', async () => {
    const d = tempDir(); dirs.push(d)
    const file = join(d, 'nappe.sqlite')
    const a = new SqliteStore(file)
    a.saveCafe(cafe('c1', 'AAAA2222'))
    await a.close()
    // Back to schema version 2, as a Nappe from before photos left it.
    const raw = new Database(file)
    raw.exec('DROP TABLE photos; DROP TABLE cafe_seats')
    raw.pragma('user_version = 2')
    raw.close()
    const b = new SqliteStore(file)
    expect(b.getCafe('c1')?.joinCode).toBe('AAAA2222')
    b.savePhoto(photo('ph-a-000001', 'c1', 10, [1, 2]))
    expect(b.listPhotos('c1')).toHaveLength(1)
    await b.close()
    const check = new Database(file)
    expect(check.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION)
    check.close()
  })

  it('checkpoints only while written, on the event loop while the disk is fast: none at rest, from the first write, gone after a quiet spell, the log copied into the file', async () => {
    const d = tempDir(); dirs.push(d)
    const file = join(d, 'nappe.sqlite')
    const store = new SqliteStore(file, { checkpointIdleMs: 300, checkpointBudgetMs: 10_000 })
    expect(store.checkpointing).toBe(null)
    const before = statSync(file).size
    for (let i = 0; i < 200; i++) store.appendUpdate('c1.t1.q1', new Uint8Array(2000).fill(i))
    expect(store.checkpointing).toBe('inline')
    // In WAL mode only a checkpoint writes the database file itself.
    await eventually(() => expect(statSync(file).size).toBeGreaterThan(before + 200 * 2000), { timeoutMs: 10_000 })
    await eventually(() => expect(store.checkpointing).toBe(null), { timeoutMs: 10_000 })
    store.saveParticipant(participant('p1', 'c1', 1))
    expect(store.checkpointing).toBe('inline')
    await store.close()
    expect(store.checkpointing).toBe(null)
    const check = new SqliteStore(file)
    expect(check.loadDoc('c1.t1.q1').updates).toHaveLength(200)
    await check.close()
  })

  it('moves checkpoints to a thread after one held the event loop too long (a slow disk), until a quiet spell', async () => {
    const d = tempDir(); dirs.push(d)
    const file = join(d, 'nappe.sqlite')
    // A budget of 0 ms: any checkpoint is too long.
    const store = new SqliteStore(file, { checkpointIdleMs: 300, checkpointBudgetMs: 0 })
    const before = statSync(file).size
    for (let i = 0; i < 200; i++) store.appendUpdate('c1.t1.q1', new Uint8Array(2000).fill(i))
    expect(store.checkpointing).toBe('inline')
    // The first checkpoint was too long (and the quiet spell began): the next write starts the thread.
    await eventually(() => expect(store.checkpointing).toBe(null), { timeoutMs: 10_000 })
    for (let i = 0; i < 200; i++) store.appendUpdate('c1.t1.q2', new Uint8Array(2000).fill(i))
    expect(store.checkpointing).toBe('thread')
    await eventually(() => expect(statSync(file).size).toBeGreaterThan(before + 400 * 2000), { timeoutMs: 10_000 })
    // After a quiet spell in the thread, the next writes start on the event loop again.
    await eventually(() => expect(store.checkpointing).toBe(null), { timeoutMs: 10_000 })
    store.saveParticipant(participant('p1', 'c1', 1))
    expect(store.checkpointing).toBe('inline')
    await store.close()
    expect(store.checkpointing).toBe(null)
    const check = new SqliteStore(file)
    expect(check.loadDoc('c1.t1.q2').updates).toHaveLength(200)
    await check.close()
  })

  it('keeps appended seat changes across a crash (a second connection, the first never closed)', async () => {
    const d = tempDir(); dirs.push(d)
    const file = join(d, 'nappe.sqlite')
    const a = new SqliteStore(file)
    // Opened before the seat change is written (a restart overlapping the old process, a tool).
    const b = new SqliteStore(file)
    a.saveCafe(inRound())
    a.appendCafeSeats('c1', { updatedAt: 5, seats: [['now', 'p2', 't2']] })
    expect(b.getCafe('c1')?.seating).toEqual({ p1: 't1', p2: 't2' })
    expect(b.getCafe('c1')?.plan?.rounds[0]).toEqual({ p1: 't1', p2: 't2' })
    // Saved whole by the second: the changes are in the record, not applied twice.
    b.saveCafe({ ...b.getCafe('c1')!, seating: { p2: 't1' }, updatedAt: 9 })
    await b.close()
    await a.close()
    const c = new SqliteStore(file)
    expect(c.getCafe('c1')?.seating).toEqual({ p2: 't1' })
    await c.close()
  })
})

/** A café in round 1 with the next round announced, its plan's rows mirroring both seatings. */
const inRound = (): CafeRecord => ({
  ...cafe('c1', 'AAAA2222'),
  lifecycle: { phase: 'round', round: 1, timer: { status: 'running', endsAt: 99, durationMs: 5 } },
  seating: { p1: 't1' }, nextSeating: { p1: 't2' }, plan: { rounds: [{ p1: 't1' }, { p1: 't2' }, { p1: 't1' }], pinned: [] },
})

describe.each(implementations.slice(0, 2))('Store seat changes: %s', (_name, { make, done }) => {
  it('applies appended seat changes to the record (now, announced, their plan rows) until the next whole save', async () => {
    const s = await make()
    s.saveCafe(inRound())
    s.appendCafeSeats!('c1', { updatedAt: 5, seats: [['now', 'p2', 't2'], ['next', 'p2', 't1']] })
    s.appendCafeSeats!('c1', { updatedAt: 6, seats: [['now', 'p1', null], ['next', 'p3', 't2']] })
    const expected = {
      ...inRound(), updatedAt: 6, seating: { p2: 't2' }, nextSeating: { p1: 't2', p2: 't1', p3: 't2' },
      // The third round is planned, not announced: a seat change is not for it.
      plan: { rounds: [{ p2: 't2' }, { p1: 't2', p2: 't1', p3: 't2' }, { p1: 't1' }], pinned: [] },
    }
    expect(s.getCafe('c1')).toEqual(expected)
    expect(s.getCafeByJoinCode('AAAA2222')).toEqual(expected)
    const whole = { ...inRound(), seating: { p9: 't1' }, updatedAt: 7 }
    s.saveCafe(whole)
    expect(s.getCafe('c1')).toEqual(whole)
    await done(s)
  })
})
