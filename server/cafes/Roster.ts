/**
 * Who is in one café: every participant record (those who left included), the index of their token
 * hashes, and how many connections each has open. It knows nothing of seats or rounds; every change to
 * a person is saved through `save` (one participant row, never the whole café).
 */
import { nanoid } from 'nanoid'
import type { Profile } from '../../shared/protocol'
import type { ParticipantRecord } from '../store/Store'
import { hashSecret, newSecret } from './secrets'

/** What a profile change touched: nothing, the name only, or the organisation / sector (the plan's mix). */
export type ProfileChange = 'none' | 'name' | 'mix'

export class Roster {
  private readonly people = new Map<string, ParticipantRecord>()
  private readonly byTokenHash = new Map<string, string>()
  /** Open connections per participant: a person with a phone and a laptop is online until both close. */
  private readonly online = new Map<string, number>()
  /** How many have not left (checked on every arrival: not counted again each time). */
  private activeCount = 0

  constructor(people: readonly ParticipantRecord[], private readonly save: (p: ParticipantRecord) => void) {
    for (const p of people) this.index(p)
  }

  /** The participant holding this token, unless they left. */
  byToken(token: string): ParticipantRecord | null {
    const id = this.byTokenHash.get(hashSecret(token))
    return id ? this.get(id) : null
  }

  /** The participant, unless they left. */
  get(id: string): ParticipantRecord | null {
    const p = this.people.get(id)
    return p && p.leftAt === null ? p : null
  }

  /** Everyone who ever joined, those who left included, in join order (for the harvest and exports). */
  all(): ParticipantRecord[] {
    return [...this.people.values()].sort((a, b) => a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1))
  }

  /** How many have not left. */
  get size(): number { return this.activeCount }

  active(): ParticipantRecord[] {
    return [...this.people.values()].filter((p) => p.leftAt === null)
  }

  /** The active host of a table other than `except`, if any. */
  hostOf(tableId: string, except: string): ParticipantRecord | undefined {
    return this.active().find((q) => q.hostOf === tableId && q.id !== except)
  }

  // ---- presence ----

  /** One more connection; true when it is their first (they came online). */
  connected(id: string): boolean {
    const n = (this.online.get(id) ?? 0) + 1
    this.online.set(id, n)
    return n === 1
  }

  /** One connection fewer; true when it was their last (they went offline). */
  disconnected(id: string): boolean {
    const n = (this.online.get(id) ?? 1) - 1
    if (n <= 0) this.online.delete(id)
    else this.online.set(id, n)
    return n <= 0
  }

  isOnline(id: string): boolean {
    return (this.online.get(id) ?? 0) > 0
  }

  // ---- changes (each saved) ----

  /** A new participant whose credential is `token` (stored only hashed). */
  add(cafeId: string, profile: Profile, token: string, now: number): ParticipantRecord {
    const p: ParticipantRecord = {
      id: nanoid(12), cafeId, tokenHash: hashSecret(token), displayName: profile.displayName,
      organisation: profile.organisation, sector: profile.sector, hostOf: null, joinedAt: now, leftAt: null,
      ...(profile.remote === true ? { remote: true } : {}),
    }
    this.index(p)
    this.save(p)
    return p
  }

  /** People from an archive, with new tokens nobody holds: they cannot sign in again. */
  restore(cafeId: string, people: ReadonlyArray<Omit<ParticipantRecord, 'cafeId' | 'tokenHash'>>): void {
    for (const person of people) {
      const p: ParticipantRecord = { ...person, cafeId, tokenHash: hashSecret(newSecret()) }
      this.index(p)
      this.save(p)
    }
  }

  setAbsent(p: ParticipantRecord, absent: boolean): void {
    if (absent) p.absent = true
    else delete p.absent
    this.save(p)
  }

  /** Hybrid cafés: takes part online (true) or in the room. */
  setRemote(p: ParticipantRecord, remote: boolean): void {
    if (remote) p.remote = true
    else delete p.remote
    this.save(p)
  }

  setHost(p: ParticipantRecord, tableId: string | null): void {
    p.hostOf = tableId
    this.save(p)
  }

  /** They leave (or are removed): their token stops working, their record stays. */
  leave(p: ParticipantRecord, now: number): void {
    if (p.leftAt === null) this.activeCount--
    p.leftAt = now
    p.hostOf = null
    this.save(p)
  }

  updateProfile(p: ParticipantRecord, profile: Profile): ProfileChange {
    const mixChanged = p.organisation !== profile.organisation || p.sector !== profile.sector
    if (!mixChanged && p.displayName === profile.displayName) return 'none'
    Object.assign(p, { displayName: profile.displayName, organisation: profile.organisation, sector: profile.sector })
    this.save(p)
    return mixChanged ? 'mix' : 'name'
  }

  private index(p: ParticipantRecord): void {
    if (p.leftAt === null && this.people.get(p.id)?.leftAt !== null) this.activeCount++
    this.people.set(p.id, p)
    this.byTokenHash.set(p.tokenHash, p.id)
  }
}
