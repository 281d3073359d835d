import type { CafeRecord, CafeSeatChange, ParticipantRecord, PhotoRecord, SnapshotRecord, Store, StoredDoc } from '../../server/store/Store'

/** Wraps a store and fails every write while `failing` is set, like a full or read-only disk. */
export class FlakyStore implements Store {
  failing = false
  /** Only where the wrapped store has it (as the writer sees stores without it: PostgreSQL's). */
  readonly appendCafeSeats?: (cafeId: string, change: CafeSeatChange) => void
  constructor(private inner: Store) {
    if (inner.appendCafeSeats) this.appendCafeSeats = (cafeId, change) => { this.check(); inner.appendCafeSeats!(cafeId, change) }
  }
  get kind() { return this.inner.kind }
  private check(): void { if (this.failing) throw Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' }) }
  saveCafe(c: CafeRecord): void { this.check(); this.inner.saveCafe(c) }
  getCafe(id: string) { return this.inner.getCafe(id) }
  getCafeByJoinCode(code: string) { return this.inner.getCafeByJoinCode(code) }
  listOpenCafeIds() { return this.inner.listOpenCafeIds() }
  saveParticipant(p: ParticipantRecord): void { this.check(); this.inner.saveParticipant(p) }
  listParticipants(cafeId: string) { return this.inner.listParticipants(cafeId) }
  appendUpdate(docName: string, update: Uint8Array): number { this.check(); return this.inner.appendUpdate(docName, update) }
  loadDoc(docName: string): StoredDoc { return this.inner.loadDoc(docName) }
  compactDoc(docName: string, merged: Uint8Array, uptoSeq: number): void { this.check(); this.inner.compactDoc(docName, merged, uptoSeq) }
  saveSnapshot(cafeId: string, s: SnapshotRecord): void { this.check(); this.inner.saveSnapshot(cafeId, s) }
  listSnapshots(cafeId: string) { return this.inner.listSnapshots(cafeId) }
  savePhoto(p: PhotoRecord): void { this.check(); this.inner.savePhoto(p) }
  listPhotos(cafeId: string) { return this.inner.listPhotos(cafeId) }
  getPhoto(cafeId: string, id: string) { return this.inner.getPhoto(cafeId, id) }
  deletePhoto(cafeId: string, id: string): boolean { this.check(); return this.inner.deletePhoto(cafeId, id) }
  photoUsage(cafeId: string) { return this.inner.photoUsage(cafeId) }
  close(): Promise<void> { return this.inner.close() }
}
