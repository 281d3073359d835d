/**
 * Where everything durable goes. Three implementations pass one contract suite
 * (`tests/unit/store.contract.test.ts`): `SqliteStore` (the default), `MemoryStore`, and with several
 * nodes `pg/MirrorStore.ts` (synchronous over the cafés a node holds in memory, writing behind to
 * PostgreSQL: what tells of a write waits for `DurableWriter.whenDurable`).
 * Methods are synchronous: better-sqlite3 is, and it keeps "append before broadcast" simple.
 */
import type { CafeDefinition } from '../../shared/cafe'
import type { LifecycleState } from '../../shared/lifecycle'
import type { PhotoMeta } from '../../shared/photos'
import type { Seating } from '../../shared/rotation'
import type { StoredPlan } from '../../shared/seatingPlan'

export interface CafeRecord {
  id: string
  joinCode: string
  /** sha-256 (hex) of the facilitator key; the key itself is never stored. */
  facilitatorKeyHash: string
  definition: CafeDefinition
  lifecycle: LifecycleState
  /** Where each present participant sits now. */
  seating: Seating
  /** Seating of each round played, oldest first (index 0 = round 1). */
  history: Seating[]
  /** The next round's seating once announced, else null. */
  nextSeating: Seating | null
  lockedDocs: string[]
  /** The facilitator's banner for everyone, or null. */
  message: { text: string; at: number } | null
  /** When the last round ended (server time), for the write grace period; null before. */
  roundEndedAt: number | null
  /** When each played round ended (index 0 = round 1), for late words; absent in older records. */
  roundEnds?: number[]
  /** Rounds whose end-of-round tablecloth snapshots are stored (taken once the write grace is over). */
  snapshotRounds: number
  /** Who sits where in every round: played, announced and planned (absent in records from before plans). */
  plan?: StoredPlan
  seed: number
  createdAt: number
  updatedAt: number
}

/**
 * Seats a café's record changed since it was last saved whole: what a join writes instead of the whole
 * record (`Store.appendCafeSeats`). `now` is the seating of now, `next` the announced round's; a null
 * table takes the seat away. The stored record is the last one saved with every later change applied.
 */
export interface CafeSeatChange {
  updatedAt: number
  seats: Array<[which: 'now' | 'next', participantId: string, tableId: string | null]>
}

export interface ParticipantRecord {
  id: string
  cafeId: string
  /** sha-256 (hex) of the participant token. */
  tokenHash: string
  displayName: string
  organisation: string | null
  sector: string | null
  hostOf: string | null
  joinedAt: number
  leftAt: number | null
  /** Marked absent by the facilitator (a no-show): kept, but not seated nor planned. */
  absent?: boolean
  /** Hybrid cafés: takes part online, seated at online tables only (absent: in the room; records from before it load as such). */
  remote?: boolean
}

export interface StoredDoc {
  updates: Uint8Array[]
  /** Sequence number of the last stored update (0 if none), for compaction. */
  lastSeq: number
}

/** A tablecloth as it was when a round ended: the whole Yjs state, for the round-by-round images. */
export interface SnapshotRecord {
  docName: string
  round: number
  state: Uint8Array
  takenAt: number
}

/** The order `listSnapshots` gives: by round, then document name. */
export const bySnapshotOrder = (a: SnapshotRecord, b: SnapshotRecord): number =>
  a.round - b.round || (a.docName < b.docName ? -1 : a.docName > b.docName ? 1 : 0)

/** A photo of a paper tablecloth: what the API says of it, and its bytes. */
export interface PhotoRecord extends PhotoMeta {
  cafeId: string
  data: Uint8Array
}

/** The order `listPhotos` gives: oldest first, ties by id. */
export const byPhotoOrder = (a: PhotoMeta, b: PhotoMeta): number => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

export interface Store {
  readonly kind: 'sqlite' | 'memory' | 'postgres'
  /** Saves the whole record; the seat changes appended before it are then part of it. */
  saveCafe(cafe: CafeRecord): void
  /**
   * Appends seat changes to a café's stored record, at a cost that does not grow with the café (a join).
   * Optional: where absent, the writer saves the whole record. `getCafe` returns them applied.
   */
  appendCafeSeats?(cafeId: string, change: CafeSeatChange): void
  getCafe(id: string): CafeRecord | null
  getCafeByJoinCode(code: string): CafeRecord | null
  /** Ids of cafés not closed, to resume their timers at start-up. */
  listOpenCafeIds(): string[]
  saveParticipant(p: ParticipantRecord): void
  listParticipants(cafeId: string): ParticipantRecord[]
  /** Appends one Yjs update and returns its sequence number. */
  appendUpdate(docName: string, update: Uint8Array): number
  loadDoc(docName: string): StoredDoc
  /** Replaces the updates with seq <= uptoSeq by one merged update. */
  compactDoc(docName: string, merged: Uint8Array, uptoSeq: number): void
  /** Stores (or replaces) the snapshot of one document at the end of one round. */
  saveSnapshot(cafeId: string, snapshot: SnapshotRecord): void
  /** Every snapshot of a café, by round then document name. */
  listSnapshots(cafeId: string): SnapshotRecord[]
  /** Stores a photo (or replaces the one with its id). */
  savePhoto(photo: PhotoRecord): void
  /** What is known of a café's photos, without their bytes, oldest first. */
  listPhotos(cafeId: string): PhotoMeta[]
  /** One photo with its bytes, or null (also when it belongs to another café). */
  getPhoto(cafeId: string, id: string): PhotoRecord | null
  /** Removes a photo; false when there was none. */
  deletePhoto(cafeId: string, id: string): boolean
  /** How many photos a café has, and their bytes together. */
  photoUsage(cafeId: string): { count: number; bytes: number }
  /** Finishes every pending write and releases the files. */
  close(): Promise<void>
}
