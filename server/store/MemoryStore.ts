import type { PhotoMeta } from '../../shared/photos'
import { applySeatChanges } from './cafeSeats'
import type { CafeRecord, CafeSeatChange, ParticipantRecord, PhotoRecord, SnapshotRecord, Store, StoredDoc } from './Store'
import { byPhotoOrder, bySnapshotOrder } from './Store'

const clone = <T>(v: T): T => structuredClone(v)

/** The in-memory twin of `SqliteStore`, for tests and throwaway runs (`STORE=memory`). */
export class MemoryStore implements Store {
  readonly kind = 'memory'
  private cafes = new Map<string, CafeRecord>()
  private participants = new Map<string, ParticipantRecord>()
  private docs = new Map<string, Array<{ seq: number; update: Uint8Array }>>()
  private snapshots = new Map<string, SnapshotRecord & { cafeId: string }>()
  private photos = new Map<string, PhotoRecord>()
  private seq = 0

  saveCafe(cafe: CafeRecord): void {
    for (const other of this.cafes.values()) {
      if (other.joinCode === cafe.joinCode && other.id !== cafe.id) throw new Error('join code already in use')
    }
    this.cafes.set(cafe.id, clone(cafe))
  }
  appendCafeSeats(cafeId: string, change: CafeSeatChange): void {
    const c = this.cafes.get(cafeId)
    if (c) applySeatChanges(c, [clone(change)])
  }
  getCafe(id: string): CafeRecord | null {
    const c = this.cafes.get(id)
    return c ? clone(c) : null
  }
  getCafeByJoinCode(code: string): CafeRecord | null {
    for (const c of this.cafes.values()) if (c.joinCode === code) return clone(c)
    return null
  }
  listOpenCafeIds(): string[] {
    return [...this.cafes.values()].filter((c) => c.lifecycle.phase !== 'closed').map((c) => c.id)
  }
  saveParticipant(p: ParticipantRecord): void {
    this.participants.set(p.id, clone(p))
  }
  listParticipants(cafeId: string): ParticipantRecord[] {
    return [...this.participants.values()].filter((p) => p.cafeId === cafeId).sort((a, b) => a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1)).map(clone)
  }
  appendUpdate(docName: string, update: Uint8Array): number {
    const seq = ++this.seq
    let rows = this.docs.get(docName)
    if (!rows) this.docs.set(docName, (rows = []))
    rows.push({ seq, update: update.slice() })
    return seq
  }
  loadDoc(docName: string): StoredDoc {
    const rows = this.docs.get(docName) ?? []
    return { updates: rows.map((r) => r.update.slice()), lastSeq: rows.at(-1)?.seq ?? 0 }
  }
  compactDoc(docName: string, merged: Uint8Array, uptoSeq: number): void {
    const rows = this.docs.get(docName) ?? []
    const kept = rows.filter((r) => r.seq > uptoSeq)
    this.docs.set(docName, [{ seq: uptoSeq, update: merged.slice() }, ...kept])
  }
  saveSnapshot(cafeId: string, s: SnapshotRecord): void {
    this.snapshots.set(`${s.docName}#${s.round}`, { ...s, state: s.state.slice(), cafeId })
  }
  listSnapshots(cafeId: string): SnapshotRecord[] {
    return [...this.snapshots.values()]
      .filter((s) => s.cafeId === cafeId)
      .sort(bySnapshotOrder)
      .map(({ docName, round, state, takenAt }) => ({ docName, round, state: state.slice(), takenAt }))
  }
  savePhoto(photo: PhotoRecord): void {
    const { data, ...meta } = photo
    this.photos.set(photo.id, { ...clone(meta), data: data.slice() })
  }
  listPhotos(cafeId: string): PhotoMeta[] {
    return [...this.photos.values()].filter((p) => p.cafeId === cafeId).sort(byPhotoOrder).map(({ cafeId: _c, data: _d, ...meta }) => clone(meta))
  }
  getPhoto(cafeId: string, id: string): PhotoRecord | null {
    const p = this.photos.get(id)
    if (!p || p.cafeId !== cafeId) return null
    const { data, ...meta } = p
    return { ...clone(meta), data: data.slice() }
  }
  deletePhoto(cafeId: string, id: string): boolean {
    const p = this.photos.get(id)
    if (!p || p.cafeId !== cafeId) return false
    return this.photos.delete(id)
  }
  photoUsage(cafeId: string): { count: number; bytes: number } {
    let count = 0, bytes = 0
    for (const p of this.photos.values()) if (p.cafeId === cafeId) { count++; bytes += p.data.byteLength }
    return { count, bytes }
  }
  async close(): Promise<void> {}
}
