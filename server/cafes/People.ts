/**
 * The people of one café, as the facilitator and the join page change them: arrivals (by the join code,
 * or entered beforehand), presence, profiles, departures, moves, hosts and, in a hybrid café, where each
 * takes part. Each command checks, changes the roster and the seats, and saves through the runtime's
 * `commit` (an arrival's seats alone, `seatsOnly`); the rounds left are re-planned a moment later.
 */
import { venueOf } from '../../shared/cafe'
import { MAX_PARTICIPANTS_PER_CAFE } from '../../shared/constants'
import { venueRefusal } from '../../shared/hybridSeats'
import type { Profile } from '../../shared/protocol'
import type { Clock } from '../clock'
import type { CafeRecord, ParticipantRecord } from '../store/Store'
import { isJoinable } from './openRounds'
import type { Result } from './result'
import { failure, success } from './result'
import type { Roster } from './Roster'
import type { SeatingPlanKeeper } from './SeatingPlanKeeper'
import { newSecret } from './secrets'

export interface PeopleDeps {
  /** The café's record, shared with the runtime (changed in place, never replaced). */
  record: CafeRecord
  roster: Roster
  seats: SeatingPlanKeeper
  clock: Clock
  /** The runtime's one path to the store. `seatsOnly`: the change was seats set in place and nothing else. */
  commit(seatsOnly?: boolean): void
  /** Something shown changed without a save of the record (a profile: its own participant row). */
  changed(): void
  /** The participant left or was removed: their connections close. */
  gone(participantId: string): void
}

export class People {
  constructor(private readonly d: PeopleDeps) {}


  join(profile: Profile): Result<{ participant: ParticipantRecord; token: string }> {
    if (!isJoinable(this.d.record.lifecycle)) return failure('cafe_closed', 'The café is over: nobody can join it any more.')
    if (this.d.roster.size >= MAX_PARTICIPANTS_PER_CAFE) return failure('cafe_full', 'This café is full.', { params: { max: MAX_PARTICIPANTS_PER_CAFE } })
    // A hybrid café seats people in the room and online apart: each says where they take part.
    if (this.isHybrid && profile.remote === undefined) return failure('venue_required', 'Say whether you take part in the room or online (remote).')
    const token = newSecret()
    const p = this.d.roster.add(this.d.record.id, this.venueProfile(profile), token, this.d.clock.now())
    this.d.seats.seatLate(p.id)
    this.saveAndReplan(true)
    return success({ participant: p, token })
  }

  /**
   * The facilitator enters people who registered beforehand (name, organisation, sector), so the plan and
   * the printed cards can be made before the day. They hold no credential: they sit at real tables.
   */
  addPeople(profiles: Profile[]): Result<ParticipantRecord[]> {
    if (!isJoinable(this.d.record.lifecycle)) return failure('cafe_over', 'The café is over: nobody can be added.')
    if (this.d.roster.size + profiles.length > MAX_PARTICIPANTS_PER_CAFE) return failure('cafe_full', 'This café would be full.', { params: { max: MAX_PARTICIPANTS_PER_CAFE } })
    const added = profiles.map((profile) => {
      // In a hybrid café, people entered without a venue take part in the room.
      const p = this.d.roster.add(this.d.record.id, this.venueProfile(profile), newSecret(), this.d.clock.now())
      this.d.seats.seatLate(p.id)
      return p
    })
    this.saveAndReplan(true)
    return success(added)
  }

  /**
   * Marks someone absent (a no-show, or gone for a while: they keep their place in the café and what they
   * wrote, but get no seat and are planned out) or present again (seated at once during the café).
   */
  setPresent(id: string, present: boolean): Result<ParticipantRecord> {
    const p = this.d.roster.get(id)
    if (!p) return failure('no_participant', 'No such participant.')
    if ((p.absent !== true) === present) return success(p)
    if (present) this.d.seats.seatLate(id)
    else this.d.seats.unseat(id)
    this.d.roster.setAbsent(p, !present)
    this.saveAndReplan()
    return success(p)
  }

  updateProfile(id: string, profile: Profile): Result<ParticipantRecord> {
    const p = this.d.roster.get(id)
    if (!p) return failure('no_participant', 'No such participant.')
    if (this.isHybrid && profile.remote !== undefined && profile.remote !== (p.remote === true)) {
      const moved = this.setRemote(id, profile.remote)
      if (!moved.ok) return moved
    }
    // The café record holds no profile: one participant row is written, not the whole café (no commit).
    const change = this.d.roster.updateProfile(p, profile)
    if (change === 'none') return success(p)
    if (change === 'mix') this.d.seats.profilesChanged()
    this.d.changed()
    if (change === 'mix') this.d.seats.replanSoon()
    return success(p)
  }

  /** The participant leaves (or is removed): their token stops working; what they wrote stays. */
  remove(id: string): Result<{ participantId: string }> {
    const p = this.d.roster.get(id)
    if (!p) return failure('no_participant', 'No such participant.')
    this.d.roster.leave(p, this.d.clock.now())
    this.d.seats.unseat(id)
    this.d.seats.dropPins(id)
    this.saveAndReplan()
    this.d.gone(id)
    return success({ participantId: id })
  }

  /** A manual move by the facilitator, effective now (and for the announced next round if any). */
  move(id: string, tableId: string): Result<ParticipantRecord> {
    const p = this.d.roster.get(id)
    if (!p) return failure('no_participant', 'No such participant.')
    if (!this.d.seats.hasTable(tableId)) return failure('no_table', 'No such table.')
    if (p.hostOf !== null && p.hostOf !== tableId) return failure('host_stays', 'A host stays at their table; unset the host first.')
    if (p.absent) return failure('person_absent', 'This person is marked absent: mark them present first.')
    const wrongVenue = this.venueRefusal(tableId, p)
    if (wrongVenue) return wrongVenue
    this.d.seats.move(id, tableId)
    this.d.commit()
    return success(p)
  }

  /** Makes someone the host of a table (they stay there in every round), or a traveller again (null). */
  setHost(id: string, tableId: string | null): Result<ParticipantRecord> {
    const p = this.d.roster.get(id)
    if (!p) return failure('no_participant', 'No such participant.')
    if (tableId !== null) {
      if (!this.d.seats.hasTable(tableId)) return failure('no_table', 'No such table.')
      const other = this.d.roster.hostOf(tableId, id)
      if (other) return failure('table_has_host', `${other.displayName} already hosts this table.`, { params: { name: other.displayName } })
      const wrongVenue = this.venueRefusal(tableId, p)
      if (wrongVenue) return wrongVenue
      if (!p.absent) this.d.seats.seatHost(id, tableId)
    }
    this.d.roster.setHost(p, tableId)
    // A host sits at their table in every round: their own pins no longer apply.
    this.d.seats.dropPins(id)
    this.saveAndReplan()
    return success(p)
  }

  /**
   * Hybrid cafés: where someone takes part. Their seats of the other venue (now, announced, planned,
   * pinned) go: they sit at once at the smallest table of their venue, and the rounds left are re-planned.
   */
  setRemote(id: string, remote: boolean): Result<ParticipantRecord> {
    const p = this.d.roster.get(id)
    if (!p) return failure('no_participant', 'No such participant.')
    if (!this.isHybrid) return failure('bad_data', 'Only a hybrid café seats people in the room and online apart.')
    if ((p.remote === true) === remote) return success(p)
    const hosted = p.hostOf === null ? undefined : this.d.record.definition.tables.find((t) => t.id === p.hostOf)
    if (hosted && venueRefusal(this.d.record.definition.tables, hosted, { remote })) {
      return failure('venue_host', `This person hosts ${hosted.name}: make them a traveller first.`, { params: { table: hosted.name } })
    }
    this.d.roster.setRemote(p, remote)
    this.d.seats.venueChanged(id)
    this.saveAndReplan()
    return success(p)
  }

  private get isHybrid(): boolean { return venueOf(this.d.record.definition) === 'hybrid' }

  /** The profile as stored: where one takes part only in a hybrid café. */
  private venueProfile(profile: Profile): Profile {
    const { remote, ...rest } = profile
    return this.isHybrid && remote === true ? { ...rest, remote } : rest
  }

  /** A hand-made seat at a table of the other venue (hybrid cafés), refused with the table's name. */
  private venueRefusal(tableId: string, p: ParticipantRecord): Result<never> | null {
    const table = this.d.record.definition.tables.find((t) => t.id === tableId)
    const wrong = table ? venueRefusal(this.d.record.definition.tables, table, p) : null
    return wrong ? failure(wrong.reason, wrong.message, { params: { table: wrong.table } }) : null
  }

  /** After a change of people: save, then re-plan the rounds not given yet a little later. */
  private saveAndReplan(seatsOnly = false): void {
    this.d.commit(seatsOnly)
    this.d.seats.replanSoon()
  }
}
