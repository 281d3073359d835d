/**
 * One live café, as the transports see it. It composes the parts that do the work and gives them one
 * path to the store (`commit`):
 * - `Roster`: who is there (records, tokens, presence);
 * - `People`: the commands that change them (arrivals, departures, moves, hosts, venue);
 * - `SeatingPlanKeeper`: where they sit, now, next and in the stored plan (its `Replanner`: when to plan again);
 * - `RoundClock`: the lifecycle's step function and the timers of each phase;
 * - `cafeView.ts`: the views sent out.
 * Pure domain logic lives in `shared/`; this class checks each command, applies it and persists it.
 */
import { nanoid } from 'nanoid'
import type { CafeDefinition } from '../../shared/cafe'
import { questionAt } from '../../shared/cafe'
import type { LifecycleEvent, LifecycleState } from '../../shared/lifecycle'
import type { CafeView, NextSeat, ParticipantView, Profile } from '../../shared/protocol'
import type { Seating } from '../../shared/rotation'
import type { PlanView } from '../../shared/seatingPlan'
import { emptyPlan } from '../../shared/seatingPlan'
import { tableclothDocName } from '../../shared/tablecloth'
import type { Clock } from '../clock'
import type { Logger } from '../log'
import type { DurableWriter } from '../store/DurableWriter'
import type { CafeRecord, ParticipantRecord } from '../store/Store'
import { cafeSummary, cafeView, participantView, participantViews } from './cafeView'
import { isJoinable } from './openRounds'
import type { PlanService } from './PlanService'
import { RoundClock } from './RoundClock'
import { Roster } from './Roster'
import { SeatingPlanKeeper } from './SeatingPlanKeeper'
import { hashSecret, newSecret, secretMatches } from './secrets'
import { People } from './People'
import { mayWriteNow } from './tableclothAccess'
import type { Result } from './result'
import { failure, success } from './result'

export { REPLAN_DELAY_MS, REPLAN_MAX_WAIT_MS } from './Replanner'

export interface CafeEvents {
  /** Anything in the public view changed. */
  changed(cafe: CafeRuntime): void
  warning(cafe: CafeRuntime, w: { round: number; msLeft: number; endsAt: number }): void
  nextSeat(cafe: CafeRuntime, participantId: string, seat: NextSeat): void
  message(cafe: CafeRuntime, message: { text: string; at: number } | null): void
  /** The participant left or was removed: close their connections. */
  participantGone(cafe: CafeRuntime, participantId: string): void
  /** A round is over for good (its write grace too): keep its tablecloths as they are now. */
  roundClosed(cafe: CafeRuntime, round: number, docNames: string[]): void
  /** Tablecloths first written on in a round are about to be (its start, or its announcement before the move): they may be made ready. */
  roundAhead?(cafe: CafeRuntime, round: number, docNames: string[]): void
}

export interface CafeDeps {
  writer: DurableWriter
  clock: Clock
  plans: PlanService
  log: Logger
  events: CafeEvents
}

/**
 * Arrivals stored as their seats alone before the record is saved whole again: at least this many, and
 * up to a quarter of the café (so that a join's share of the next whole save stays the same at any size).
 */
const MIN_SEAT_CHANGES_PER_SAVE = 64

export class CafeRuntime {
  private readonly roster: Roster
  private readonly seats: SeatingPlanKeeper
  private readonly rounds: RoundClock
  private readonly people: People
  /** Seat changes stored since the record was last saved whole. */
  private seatChangesSaved = 0
  /** The record changed since it was read without a save (older records filled in): the next save is whole. */
  private wholeSaveDue: boolean

  /** `record` is shared by reference with the parts: it is changed in place, never replaced. */
  constructor(public readonly record: CafeRecord, participants: ParticipantRecord[], private deps: CafeDeps) {
    // Records from before snapshots existed: their past rounds can no longer be captured as they were.
    // Filled in here, so the next save is whole (an arrival's seats alone would not carry them).
    this.wholeSaveDue = record.snapshotRounds === undefined || record.plan === undefined
    record.snapshotRounds ??= record.history.length
    record.plan ??= emptyPlan()
    const { writer, clock, plans, log, events } = deps
    this.roster = new Roster(participants, (p) => writer.saveParticipant(p))
    this.seats = new SeatingPlanKeeper({
      record, roster: this.roster, plans, clock, log,
      commit: () => this.commit(),
      changed: () => events.changed(this),
      nextSeat: (id, seat) => events.nextSeat(this, id, seat),
    })
    this.people = new People({
      record, roster: this.roster, seats: this.seats, clock,
      commit: (seatsOnly) => this.commit(seatsOnly),
      changed: () => events.changed(this),
      gone: (id) => events.participantGone(this, id),
    })
    this.rounds = new RoundClock(record, clock, {
      enter: (before, after) => this.enter(before, after),
      announceNext: () => {
        this.seats.announceNext()
        const lc = this.record.lifecycle
        if (lc.phase === 'round' && lc.round < this.definition.rounds.length) this.roundAhead(lc.round + 1)
      },
      warning: (w) => events.warning(this, w),
      closeRounds: () => this.closeRounds(),
    })
  }

  /** A new café in the draft phase, with its facilitator key (returned once, stored only hashed). */
  static create(definition: CafeDefinition, joinCode: string, now: number, deps: CafeDeps): { cafe: CafeRuntime; facilitatorKey: string } {
    const facilitatorKey = newSecret()
    const record: CafeRecord = {
      id: nanoid(12), joinCode, facilitatorKeyHash: hashSecret(facilitatorKey), definition,
      lifecycle: { phase: 'draft' }, seating: {}, history: [], nextSeating: null, lockedDocs: [], roundEndedAt: null, message: null,
      snapshotRounds: 0, plan: emptyPlan(), seed: Math.floor(Math.random() * 2 ** 31), createdAt: now, updatedAt: now,
    }
    const cafe = new CafeRuntime(record, [], deps)
    deps.writer.saveCafe(record)
    return { cafe, facilitatorKey }
  }

  /**
   * Makes a freshly created café hold the people an archive describes, a few at a time: new ids, new
   * tokens nobody holds (they cannot sign in again). `restorePast` then closes the café's record.
   */
  restorePeople(people: ReadonlyArray<Omit<ParticipantRecord, 'cafeId' | 'tokenHash'>>): void {
    this.roster.restore(this.record.id, people)
  }

  /** The archive's rounds, all over: the café is ready to harvest. */
  restorePast(p: { createdAt: number; history: Seating[] }): void {
    const r = this.record
    r.history = p.history.map((s) => ({ ...s }))
    r.snapshotRounds = r.history.length
    r.lifecycle = { phase: 'harvest', completedRounds: r.history.length }
    r.createdAt = p.createdAt
    this.commit()
  }

  get id(): string { return this.record.id }
  get definition(): CafeDefinition { return this.record.definition }
  get lifecycle(): LifecycleState { return this.record.lifecycle }
  get isJoinable(): boolean { return isJoinable(this.lifecycle) }

  // ---- credentials and people ----

  isFacilitatorKey(key: string): boolean {
    return secretMatches(key, this.record.facilitatorKeyHash)
  }

  participantByToken(token: string): ParticipantRecord | null { return this.roster.byToken(token) }
  participant(id: string): ParticipantRecord | null { return this.roster.get(id) }
  /** Everyone who ever joined, those who left included, in join order (for the harvest and exports). */
  allParticipants(): ParticipantRecord[] { return this.roster.all() }
  activeParticipants(): ParticipantRecord[] { return this.roster.active() }

  // ---- views ----

  participantView(p: ParticipantRecord): ParticipantView {
    return participantView(p, this.record.seating, this.roster.isOnline(p.id))
  }

  /** The facilitators' view: everyone. */
  view(): CafeView {
    const participants = this.activeParticipants().map((p) => this.participantView(p))
    return cafeView(this.record, participants, this.planView(), this.deps.clock.now())
  }

  /** Each participant's view, from one facilitators' view (see `cafeView.ts`). */
  participantViews(full: CafeView = this.view()): (participantId: string) => CafeView {
    return participantViews(full)
  }

  /** Public summary for `GET /api/cafes/:id` and the join page. */
  summary() {
    return cafeSummary(this.record, this.roster.size)
  }

  // ---- presence ----

  connected(participantId: string): void {
    if (this.roster.connected(participantId)) this.deps.events.changed(this)
  }

  disconnected(participantId: string): void {
    if (this.roster.disconnected(participantId)) this.deps.events.changed(this)
  }

  // ---- people (People.ts) ----

  join(profile: Profile): Result<{ participant: ParticipantRecord; token: string }> { return this.people.join(profile) }
  addPeople(profiles: Profile[]): Result<ParticipantRecord[]> { return this.people.addPeople(profiles) }
  setPresent(id: string, present: boolean): Result<ParticipantRecord> { return this.people.setPresent(id, present) }
  updateProfile(id: string, profile: Profile): Result<ParticipantRecord> { return this.people.updateProfile(id, profile) }
  remove(id: string): Result<{ participantId: string }> { return this.people.remove(id) }
  move(id: string, tableId: string): Result<ParticipantRecord> { return this.people.move(id, tableId) }
  setHost(id: string, tableId: string | null): Result<ParticipantRecord> { return this.people.setHost(id, tableId) }
  setRemote(id: string, remote: boolean): Result<ParticipantRecord> { return this.people.setRemote(id, remote) }

  // ---- the seating plan (SeatingPlanKeeper.ts) ----

  planView(): PlanView { return this.seats.planView() }
  editPlan(round: number, participantId: string, tableId: string, swapWith: string | null): Result<PlanView> {
    return this.seats.editPlan(round, participantId, tableId, swapWith)
  }
  unpin(round: number, participantId: string): Result<PlanView> { return this.seats.unpin(round, participantId) }
  replan(fresh: boolean): Result<PlanView> { return this.seats.replan(fresh) }
  /** After a restart: if people are missing from the plan's open rounds, plan them again. */
  resumePlanning(): void { this.seats.resumePlanning() }

  // ---- lifecycle ----

  apply(event: LifecycleEvent): Result<LifecycleState> {
    const before = this.record.lifecycle
    const after = this.rounds.next(event)
    if (after === before) return failure('wrong_phase', `"${event.type}" is not possible while the café is in phase "${before.phase}".`, { params: { phase: before.phase } })
    this.enter(before, after)
    return success(after)
  }

  setAdvance(advance: CafeDefinition['advance']): Result<LifecycleState> {
    this.record.definition = { ...this.definition, advance }
    this.rounds.redefine()
    const lc = this.record.lifecycle
    if (lc.phase === 'transition') {
      this.record.lifecycle = { ...lc, endsAt: advance === 'auto' ? this.deps.clock.now() + this.definition.transitionMs : null }
    }
    this.commit()
    return success(this.record.lifecycle)
  }

  setLocked(tableId: string, questionId: string, locked: boolean): Result<string[]> {
    if (!this.seats.hasTable(tableId) || !this.definition.questions.some((q) => q.id === questionId)) return failure('no_tablecloth', 'No such tablecloth.')
    const name = tableclothDocName(this.id, tableId, questionId)
    const set = new Set(this.record.lockedDocs)
    if (locked) set.add(name)
    else set.delete(name)
    this.record.lockedDocs = [...set].sort()
    this.commit()
    return success(this.record.lockedDocs)
  }

  /** Shows a banner to everyone (an empty text takes it down). */
  broadcast(text: string): Result<{ text: string; at: number } | null> {
    this.record.message = text ? { text, at: this.deps.clock.now() } : null
    this.commit()
    this.deps.events.message(this, this.record.message)
    return success(this.record.message)
  }

  // ---- tablecloth access ----

  /** The tablecloth exists in this café's plan. */
  hasTablecloth(tableId: string, questionId: string): boolean {
    return this.definition.rounds.some((r) => r.questionByTable[tableId] === questionId)
  }

  /** Writing on a tablecloth now: the rules are in tableclothAccess.ts. */
  participantMayWrite(participantId: string, tableId: string, questionId: string): boolean {
    return this.participant(participantId) !== null && mayWriteNow(this.record, { participantId, tableId, questionId }, this.deps.clock.now())
  }

  /** The tablecloths written on in a round (1-based). */
  roundDocNames(round: number): string[] {
    const names: string[] = []
    for (const t of this.definition.tables) {
      const q = questionAt(this.definition, round, t.id)
      if (q) names.push(tableclothDocName(this.id, t.id, q))
    }
    return names
  }

  // ---- scheduling (RoundClock.ts) ----

  /** (Re)arms the timers for the current phase; called after load and after every change. */
  schedule(): void { this.rounds.schedule() }

  dispose(): void {
    this.rounds.dispose()
    this.seats.dispose()
  }

  /** Once the write grace of ended rounds is over, their tablecloths are kept as they are (for the images). */
  private closeRounds(): void {
    const r = this.record
    for (let round = r.snapshotRounds + 1; round <= r.history.length; round++) {
      this.deps.events.roundClosed(this, round, this.roundDocNames(round))
    }
    r.snapshotRounds = r.history.length
    this.commit()
  }

  private enter(before: LifecycleState, after: LifecycleState): void {
    const r = this.record
    const replanAfter = before.phase === 'round' && after.phase !== 'round' && this.seats.endRound(after)
    if (before.phase === 'lobby' && after.phase === 'round') this.seats.seatEveryone()
    r.lifecycle = after
    this.deps.log.info('café phase', { cafeId: r.id, from: before.phase, to: after.phase, round: 'round' in after ? after.round : undefined })
    if (!this.isJoinable) this.seats.stopPlanning()
    this.commit()
    if (replanAfter) this.seats.replanSoon(0)
    // Round 1's tablecloths are made ready when the café opens (people open them all at the start);
    // the next round's at its announcement (RoundClock's announceNext), and again at its start if skipped.
    if (after.phase === 'lobby' && before.phase === 'draft') this.roundAhead(1)
    else if (after.phase === 'round' && before.phase !== 'round') this.roundAhead(after.round)
  }

  /**
   * The tablecloths first written on in `round` (none of an earlier round's): only those can be new. A
   * café whose tables keep their question every round has none after round 1, and its written
   * tablecloths are not read again at each move to find that out.
   */
  private roundAhead(round: number): void {
    const earlier = new Set<string>()
    for (let k = 1; k < round; k++) for (const name of this.roundDocNames(k)) earlier.add(name)
    const fresh = this.roundDocNames(round).filter((name) => !earlier.has(name))
    if (fresh.length > 0) this.deps.events.roundAhead?.(this, round, fresh)
  }

  /**
   * The one path to the store: every change of the café record ends here. `seatsOnly`: the change was
   * seats set in place and nothing else of the record (arrivals), so only they are stored, at a cost that
   * does not grow with the café; the record is saved whole again once they are many.
   */
  private commit(seatsOnly = false): void {
    const seats = this.seats.sync()
    const r = this.record
    r.updatedAt = this.deps.clock.now()
    if (seatsOnly && seats !== null && !this.wholeSaveDue && this.seatChangesSaved < Math.max(MIN_SEAT_CHANGES_PER_SAVE, this.roster.size / 4)) {
      this.seatChangesSaved++
      this.deps.writer.saveCafeSeats(r, { updatedAt: r.updatedAt, seats })
    } else {
      this.seatChangesSaved = 0
      this.wholeSaveDue = false
      this.deps.writer.saveCafe(r)
    }
    this.rounds.schedule()
    this.deps.events.changed(this)
  }
}
