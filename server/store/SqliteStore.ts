import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { Checkpointer } from './Checkpointer'
import type { CheckpointMode } from './Checkpointer'
import type { PhotoMeta } from '../../shared/photos'
import { applySeatChanges, parseSeatChange } from './cafeSeats'
import type { CafeRecord, CafeSeatChange, ParticipantRecord, PhotoRecord, SnapshotRecord, Store, StoredDoc } from './Store'

/** Each entry migrates the schema from version i to i + 1; `PRAGMA user_version` records where we are. */
const MIGRATIONS: string[] = [
  `CREATE TABLE cafes (
     id TEXT PRIMARY KEY,
     join_code TEXT NOT NULL UNIQUE,
     phase TEXT NOT NULL,
     data TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE participants (
     id TEXT PRIMARY KEY,
     cafe_id TEXT NOT NULL,
     joined_at INTEGER NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX participants_by_cafe ON participants (cafe_id, joined_at);
   CREATE TABLE doc_updates (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     doc TEXT NOT NULL,
     data BLOB NOT NULL
   );
   CREATE INDEX doc_updates_by_doc ON doc_updates (doc, seq);`,
  `CREATE TABLE snapshots (
     doc TEXT NOT NULL,
     round INTEGER NOT NULL,
     cafe_id TEXT NOT NULL,
     taken_at INTEGER NOT NULL,
     data BLOB NOT NULL,
     PRIMARY KEY (doc, round)
   );
   CREATE INDEX snapshots_by_cafe ON snapshots (cafe_id, round, doc);`,
  `CREATE TABLE photos (
     id TEXT PRIMARY KEY,
     cafe_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     meta TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     data BLOB NOT NULL
   );
   CREATE INDEX photos_by_cafe ON photos (cafe_id, created_at, id);`,
  // Seat changes appended to a café's record since it was last saved whole (a join's): see Store.appendCafeSeats.
  `CREATE TABLE cafe_seats (
     seq INTEGER PRIMARY KEY,
     cafe_id TEXT NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX cafe_seats_by_cafe ON cafe_seats (cafe_id, seq);`,
]
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length

/** The default store: one SQLite file in WAL mode. Every write is committed before the call returns. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite'
  private db: Database.Database
  private stmt
  /** The WAL checkpoints (Checkpointer.ts); none for a database in memory. */
  private readonly checkpoints: Checkpointer | null = null

  /**
   * `checkpointIdleMs`: how long checkpoints go on after the last write; `checkpointBudgetMs`: how long
   * one may hold the event loop before they move to a thread (tests shorten both).
   */
  constructor(file: string, opts: { checkpointIdleMs?: number; checkpointBudgetMs?: number } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    // NORMAL in WAL mode survives a process crash (kill -9); only an OS crash can lose the last commits.
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('busy_timeout = 5000')
    this.migrate()
    if (file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0')
      this.checkpoints = new Checkpointer(file, {
        inline: () => { if (this.db.open) this.db.pragma('wal_checkpoint(PASSIVE)') },
        onFailure: () => { if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000') },
        idleMs: opts.checkpointIdleMs,
        budgetMs: opts.checkpointBudgetMs,
      })
    }
    const db = this.db
    this.stmt = {
      saveCafe: db.prepare(`INSERT INTO cafes (id, join_code, phase, data, updated_at) VALUES (@id, @joinCode, @phase, @data, @updatedAt)
        ON CONFLICT (id) DO UPDATE SET join_code = excluded.join_code, phase = excluded.phase, data = excluded.data, updated_at = excluded.updated_at`),
      getCafe: db.prepare('SELECT data FROM cafes WHERE id = ?').pluck(),
      getCafeByCode: db.prepare('SELECT data FROM cafes WHERE join_code = ?').pluck(),
      openCafes: db.prepare(`SELECT id FROM cafes WHERE phase != 'closed' ORDER BY updated_at`).pluck(),
      saveParticipant: db.prepare(`INSERT INTO participants (id, cafe_id, joined_at, data) VALUES (@id, @cafeId, @joinedAt, @data)
        ON CONFLICT (id) DO UPDATE SET data = excluded.data`),
      listParticipants: db.prepare('SELECT data FROM participants WHERE cafe_id = ? ORDER BY joined_at, id').pluck(),
      append: db.prepare('INSERT INTO doc_updates (doc, data) VALUES (?, ?)'),
      load: db.prepare('SELECT seq, data FROM doc_updates WHERE doc = ? ORDER BY seq'),
      deleteUpTo: db.prepare('DELETE FROM doc_updates WHERE doc = ? AND seq <= ?'),
      insertAt: db.prepare('INSERT INTO doc_updates (seq, doc, data) VALUES (?, ?, ?)'),
      saveSnapshot: db.prepare(`INSERT INTO snapshots (doc, round, cafe_id, taken_at, data) VALUES (@doc, @round, @cafeId, @takenAt, @data)
        ON CONFLICT (doc, round) DO UPDATE SET taken_at = excluded.taken_at, data = excluded.data`),
      listSnapshots: db.prepare('SELECT doc, round, taken_at, data FROM snapshots WHERE cafe_id = ? ORDER BY round, doc'),
      savePhoto: db.prepare(`INSERT INTO photos (id, cafe_id, created_at, meta, bytes, data) VALUES (@id, @cafeId, @createdAt, @meta, @bytes, @data)
        ON CONFLICT (id) DO UPDATE SET cafe_id = excluded.cafe_id, created_at = excluded.created_at, meta = excluded.meta, bytes = excluded.bytes, data = excluded.data`),
      listPhotos: db.prepare('SELECT meta FROM photos WHERE cafe_id = ? ORDER BY created_at, id').pluck(),
      getPhoto: db.prepare('SELECT meta, data FROM photos WHERE cafe_id = ? AND id = ?'),
      deletePhoto: db.prepare('DELETE FROM photos WHERE cafe_id = ? AND id = ?'),
      photoUsage: db.prepare('SELECT COUNT(*) AS count, COALESCE(SUM(bytes), 0) AS bytes FROM photos WHERE cafe_id = ?'),
      appendSeats: db.prepare('INSERT INTO cafe_seats (cafe_id, data) VALUES (?, ?)'),
      listSeats: db.prepare('SELECT data FROM cafe_seats WHERE cafe_id = ? ORDER BY seq').pluck(),
      clearSeats: db.prepare('DELETE FROM cafe_seats WHERE cafe_id = ?'),
    }
    // Whole, and the seat changes stored before it go: they are in it. Always both, whoever wrote the
    // changes (a process that opened the same file, a backlog replayed at start).
    this.saveWhole = db.transaction((cafe: CafeRecord) => {
      this.stmt.saveCafe.run({ id: cafe.id, joinCode: cafe.joinCode, phase: cafe.lifecycle.phase, data: JSON.stringify(cafe), updatedAt: cafe.updatedAt })
      this.stmt.clearSeats.run(cafe.id)
    })
  }

  private readonly saveWhole: (cafe: CafeRecord) => void

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number
    if (version > MIGRATIONS.length) {
      throw new Error(`database schema version ${version} is newer than this Nappe (${MIGRATIONS.length}); upgrade Nappe`)
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!)
        this.db.pragma(`user_version = ${v + 1}`)
      })()
    }
  }

  saveCafe(cafe: CafeRecord): void {
    this.saveWhole(cafe)
    this.wrote()
  }
  appendCafeSeats(cafeId: string, change: CafeSeatChange): void {
    this.stmt.appendSeats.run(cafeId, JSON.stringify(change))
    this.wrote()
  }
  getCafe(id: string): CafeRecord | null {
    const data = this.stmt.getCafe.get(id) as string | undefined
    return data ? this.withSeatChanges(JSON.parse(data) as CafeRecord) : null
  }
  getCafeByJoinCode(code: string): CafeRecord | null {
    const data = this.stmt.getCafeByCode.get(code) as string | undefined
    return data ? this.withSeatChanges(JSON.parse(data) as CafeRecord) : null
  }
  private withSeatChanges(record: CafeRecord): CafeRecord {
    const changes = this.stmt.listSeats.all(record.id) as string[]
    return changes.length === 0 ? record : applySeatChanges(record, changes.map(parseSeatChange))
  }
  listOpenCafeIds(): string[] {
    return this.stmt.openCafes.all() as string[]
  }
  saveParticipant(p: ParticipantRecord): void {
    this.stmt.saveParticipant.run({ id: p.id, cafeId: p.cafeId, joinedAt: p.joinedAt, data: JSON.stringify(p) })
    this.wrote()
  }
  listParticipants(cafeId: string): ParticipantRecord[] {
    return (this.stmt.listParticipants.all(cafeId) as string[]).map((d) => JSON.parse(d) as ParticipantRecord)
  }
  appendUpdate(docName: string, update: Uint8Array): number {
    const seq = Number(this.stmt.append.run(docName, update).lastInsertRowid)
    this.wrote()
    return seq
  }
  loadDoc(docName: string): StoredDoc {
    const rows = this.stmt.load.all(docName) as Array<{ seq: number; data: Buffer }>
    return {
      updates: rows.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)),
      lastSeq: rows.at(-1)?.seq ?? 0,
    }
  }
  compactDoc = (docName: string, merged: Uint8Array, uptoSeq: number): void => {
    this.db.transaction(() => {
      this.stmt.deleteUpTo.run(docName, uptoSeq)
      this.stmt.insertAt.run(uptoSeq, docName, merged)
    })()
    this.wrote()
  }
  saveSnapshot(cafeId: string, s: SnapshotRecord): void {
    this.stmt.saveSnapshot.run({ doc: s.docName, round: s.round, cafeId, takenAt: s.takenAt, data: s.state })
    this.wrote()
  }
  listSnapshots(cafeId: string): SnapshotRecord[] {
    const rows = this.stmt.listSnapshots.all(cafeId) as Array<{ doc: string; round: number; taken_at: number; data: Buffer }>
    return rows.map((r) => ({ docName: r.doc, round: r.round, takenAt: r.taken_at, state: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) }))
  }
  savePhoto(photo: PhotoRecord): void {
    const { cafeId, data, ...meta } = photo
    this.stmt.savePhoto.run({ id: photo.id, cafeId, createdAt: photo.createdAt, meta: JSON.stringify(meta), bytes: data.byteLength, data })
    this.wrote()
  }
  listPhotos(cafeId: string): PhotoMeta[] {
    return (this.stmt.listPhotos.all(cafeId) as string[]).map((m) => JSON.parse(m) as PhotoMeta)
  }
  getPhoto(cafeId: string, id: string): PhotoRecord | null {
    const row = this.stmt.getPhoto.get(cafeId, id) as { meta: string; data: Buffer } | undefined
    if (!row) return null
    return { ...(JSON.parse(row.meta) as PhotoMeta), cafeId, data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) }
  }
  deletePhoto(cafeId: string, id: string): boolean {
    const deleted = this.stmt.deletePhoto.run(cafeId, id).changes > 0
    this.wrote()
    return deleted
  }
  photoUsage(cafeId: string): { count: number; bytes: number } {
    return this.stmt.photoUsage.get(cafeId) as { count: number; bytes: number }
  }
  /** How WAL checkpoints run now (while the database is written, Checkpointer.ts): null when they don't. */
  get checkpointing(): CheckpointMode | null { return this.checkpoints?.mode ?? null }

  private wrote(): void {
    this.checkpoints?.wrote()
  }

  async close(): Promise<void> {
    await this.checkpoints?.close()
    if (!this.db.open) return
    try { this.db.pragma('wal_checkpoint(TRUNCATE)') } catch { /* busy: the next start checkpoints */ }
    this.db.close()
  }
}
