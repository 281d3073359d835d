/**
 * Where everyone sits in one café: now (`record.seating`), in the announced next round
 * (`record.nextSeating`) and in every round of the stored plan (`record.plan`), and the facilitator's
 * hand edits, which every re-plan keeps. When the rounds nobody has been given yet are planned again (a
 * little after each change of people, ahead of each round's end) is its `Replanner`'s.
 * The pure rules are in `shared/seatingPlan.ts`; saving and telling go through the runtime's `commit`.
 */
import type { CafeDefinition } from '../../shared/cafe'
import { questionAt } from '../../shared/cafe'
import type { VenuePerson } from '../../shared/hybridSeats'
import { eligibleTables, fitsVenue, isSplit } from '../../shared/hybridSeats'
import type { LifecycleState } from '../../shared/lifecycle'
import type { NextSeat } from '../../shared/protocol'
import type { PlanQuality, PlannerParticipant, Seating } from '../../shared/rotation'
import { planQuality, shiftPlanner, smallestCounted } from '../../shared/rotation'
import type { PlanView } from '../../shared/seatingPlan'
import { editRow, fitToRoster } from '../../shared/seatingPlan'
import { tableclothDocName } from '../../shared/tablecloth'
import type { Clock } from '../clock'
import type { Logger } from '../log'
import type { CafeRecord, CafeSeatChange, ParticipantRecord } from '../store/Store'
import { firstOpenRound, isBeforeCafe, isJoinable, mirroredRows, seatRound } from './openRounds'
import type { PlanService } from './PlanService'
import { Replanner } from './Replanner'
import type { Result } from './result'
import { failure, success } from './result'
import type { Roster } from './Roster'
import { SeatBook } from './SeatBook'

export interface SeatingPlanDeps {
  /** The café's record, shared with the runtime (its plan is never absent here). */
  record: CafeRecord
  roster: Roster
  plans: PlanService
  clock: Clock
  log: Logger
  /** Saves the café and tells everyone (the runtime's one path to the store). */
  commit(): void
  /** Something shown changed without a save (the planning indicator). */
  changed(): void
  nextSeat(participantId: string, seat: NextSeat): void
}

export class SeatingPlanKeeper {
  /** When the open rounds are planned again, and what becomes of the answer. */
  private readonly planner: Replanner
  private qualityCache: { version: number; quality: PlanQuality | null } | null = null
  private version = 0
  /** Every seat changed in place goes through it: their table counts and the plan's rows that copy them follow. */
  private readonly book = new SeatBook()
  /** `syncPlan` rewrote a plan row since the last save (the planner's request syncs too): that save is whole. */
  private rowsRewritten = false

  constructor(private readonly deps: SeatingPlanDeps) {
    const { record, plans, clock, log, commit, changed } = deps
    this.planner = new Replanner({
      record, plans, clock, log, commit, changed,
      syncPlan: () => this.syncPlan(),
      people: () => this.plannerPeople(),
      plannedSeating: (round) => this.plannedSeating(round),
      announced: (ids) => { for (const id of ids) this.emitNextSeat(id) },
    })
  }

  private get record(): CafeRecord { return this.deps.record }
  // Read anew each time: `setAdvance` replaces the definition.
  private get definition(): CafeDefinition { return this.deps.record.definition }

  hasTable(tableId: string): boolean {
    return this.definition.tables.some((t) => t.id === tableId)
  }

  // ---- seats now ----

  /**
   * Before the café, the plan gives the first seat (REPLAN_DELAY_MS later, once a burst of arrivals is in);
   * during it, a late arrival sits down at once at the smallest table (of their venue, in a hybrid café),
   * and is told the announced next one.
   */
  seatLate(id: string): void {
    const r = this.record
    if (isBeforeCafe(r.lifecycle) || !isJoinable(r.lifecycle)) return
    const person = this.deps.roster.get(id) ?? {}
    const seat = this.smallestTable(r.seating, person)
    if (seat) this.book.set(r.seating, id, seat)
    if (r.nextSeating) {
      const next = this.smallestTable(r.nextSeating, person)
      if (next) {
        this.book.set(r.nextSeating, id, next)
        this.emitNextSeat(id)
      }
    }
  }

  /** Takes someone out of the seats of now, of the announced round and of every round not played yet. */
  unseat(id: string): void {
    const r = this.record
    this.book.set(r.seating, id, undefined)
    if (r.nextSeating) this.book.set(r.nextSeating, id, undefined)
    for (let i = r.history.length; i < r.plan!.rounds.length; i++) delete r.plan!.rounds[i]![id]
  }

  /** Forgets the facilitator's seats for someone (gone, or a host, who sits at their table in every round). */
  dropPins(id: string): void {
    for (const pins of this.record.plan!.pinned) delete pins[id]
  }

  /**
   * Hybrid cafés: someone now takes part at the other venue. Their seats at tables of the old one go from
   * the pins and the rounds not played yet (the re-plan that follows seats them again), and now and in
   * the announced round they sit at once at the smallest table of the new one.
   */
  venueChanged(id: string): void {
    const r = this.record
    const person = this.deps.roster.get(id)
    if (!person) return
    const tables = this.definition.tables
    const split = isSplit(tables)
    const fits = (tid: string | undefined) => {
      const t = tid === undefined ? undefined : tables.find((x) => x.id === tid)
      return !t || fitsVenue(split, t, person)
    }
    for (const pins of r.plan!.pinned) if (!fits(pins[id])) delete pins[id]
    const rows = r.plan!.rounds
    for (let i = firstOpenRound(r) - 1; i < rows.length; i++) if (rows[i] && !fits(rows[i]![id])) delete rows[i]![id]
    if (person.absent) return
    if (r.seating[id] !== undefined && !fits(r.seating[id])) this.book.set(r.seating, id, this.smallestTable(r.seating, person) ?? undefined)
    if (r.nextSeating && r.nextSeating[id] !== undefined && !fits(r.nextSeating[id])) {
      this.book.set(r.nextSeating, id, this.smallestTable(r.nextSeating, person) ?? undefined)
      this.emitNextSeat(id)
    }
  }

  /** A manual move, effective now. */
  move(id: string, tableId: string): void {
    this.book.set(this.record.seating, id, tableId)
    // Before the café starts, round 1 is still planned: keep the move through re-plans.
    if (isBeforeCafe(this.record.lifecycle)) this.pin(1, { [id]: tableId })
  }

  /** A new host sits at their table now, and in the announced next round if there is one. */
  seatHost(id: string, tableId: string): void {
    const r = this.record
    this.book.set(r.seating, id, tableId)
    if (r.nextSeating) {
      this.book.set(r.nextSeating, id, tableId)
      this.emitNextSeat(id)
    }
  }

  /** Before round 1: hosts at their tables, anyone unseated (or at a table of the other venue) at the smallest table. */
  seatEveryone(): void {
    const seating = this.record.seating
    const tables = this.definition.tables
    const split = isSplit(tables)
    for (const p of this.deps.roster.active()) {
      if (p.absent) continue
      const table = tables.find((t) => t.id === seating[p.id])
      if (p.hostOf !== null) this.book.set(seating, p.id, p.hostOf)
      else if (!table || !fitsVenue(split, table, p)) {
        const t = this.smallestTable(seating, p)
        if (t) this.book.set(seating, p.id, t)
      }
    }
  }

  /**
   * A round is over: its seats go into the history, and in a transition the announced seats are taken.
   * True if the rounds left must be planned again (nothing had been announced).
   */
  endRound(after: LifecycleState): boolean {
    const r = this.record
    r.history.push({ ...r.seating })
    r.roundEndedAt = this.deps.clock.now()
    ;(r.roundEnds ??= []).push(r.roundEndedAt)
    const announced = r.nextSeating
    r.nextSeating = null
    this.planner.roundEnded()
    // Ended before the announcement landed (skip, short round): the plan's row for it, fitted to who is here.
    if (after.phase === 'transition') r.seating = announced ?? this.plannedSeating(r.history.length + 1)
    return !announced && after.phase === 'transition'
  }

  // ---- the plan ----

  planView(): PlanView {
    const plan = this.record.plan!
    const lc = this.record.lifecycle
    if (this.qualityCache?.version !== this.version) {
      const people = this.deps.roster.all().map((p) => ({ ...plannerPerson(p), present: p.leftAt === null && p.absent !== true }))
      const quality = !this.plannedFrom(seatRound(lc) ?? Infinity) ? null : planQuality(plan.rounds, people, this.definition.tables, this.definition.shape)
      this.qualityCache = { version: this.version, quality }
    }
    return {
      rounds: plan.rounds, pinned: plan.pinned, quality: this.qualityCache.quality,
      planning: this.planner.planning,
      firstEditableRound: seatRound(lc) ?? this.definition.rounds.length + 1,
      firstOpenRound: Math.min(firstOpenRound(this.record), this.definition.rounds.length + 1),
    }
  }

  /**
   * The facilitator moves someone in one round of the plan (or swaps two people). The seat is pinned:
   * every later re-plan keeps it. In the round people sit in now, it is a move now; in the announced
   * next round, the people concerned are told their new table at once.
   */
  editPlan(round: number, participantId: string, tableId: string, swapWith: string | null): Result<PlanView> {
    const first = seatRound(this.record.lifecycle)
    const total = this.definition.rounds.length
    if (first === null) return failure('cafe_over', 'The café is over: its plan can no longer change.')
    if (round < first) return failure('round_played', `Round ${round} is already played.`, { params: { round } })
    if (round > total) return failure('no_round', 'No such round.', { params: { round } })
    this.syncPlan()
    const plan = this.record.plan!
    const row = plan.rounds[round - 1]
    if (!row) return failure('round_planning', 'This round is being planned; try again in a moment.')
    const people = new Map(this.presentPeople().map((p) => [p.id, p]))
    const edit = editRow(row, plan.pinned[round - 1] ?? {}, this.definition.tables, people, { participantId, tableId, swapWith })
    if (!edit.ok) return edit
    const changed = Object.keys(edit.row).filter((id) => edit.row[id] !== row[id])
    const r = this.record
    const lc = r.lifecycle
    if (round === first) for (const id of changed) this.book.set(r.seating, id, edit.row[id]!)
    const announced = r.nextSeating !== null && lc.phase === 'round' && round === lc.round + 1
    if (announced) for (const id of changed) this.book.set(r.nextSeating!, id, edit.row[id]!)
    plan.rounds[round - 1] = edit.row
    this.pin(round, edit.pins, true)
    this.deps.commit()
    if (announced) for (const id of changed) this.emitNextSeat(id)
    return success(this.planView())
  }

  /** Lets the planner move someone again in one round (their seat stays where it is until a re-plan). */
  unpin(round: number, participantId: string): Result<PlanView> {
    const pins = this.record.plan!.pinned[round - 1]
    if (!pins || !Object.hasOwn(pins, participantId)) return failure('not_pinned', 'This seat is not pinned.')
    delete pins[participantId]
    this.deps.commit()
    return success(this.planView())
  }

  /**
   * The facilitator asks for the rounds not given yet to be planned again now. `fresh`: without the
   * current plan (seats may move freely); otherwise the planner changes as few seats as it can.
   */
  replan(fresh: boolean): Result<PlanView> {
    const asked = this.planner.now(fresh)
    return asked.ok ? success(this.planView()) : asked
  }

  /** After a restart: if people are missing from the plan's open rounds, plan them again. */
  resumePlanning(): void {
    const from = firstOpenRound(this.record)
    if (!isJoinable(this.record.lifecycle) || from > this.definition.rounds.length) return
    if (this.presentPeople().length > 0 && !this.plannedFrom(from)) this.planner.soon(0)
  }

  /** Ahead of a round's end: the rounds left are planned again and everyone is told their next table. */
  announceNext(): void { this.planner.announceNext() }

  /** After a change of people: the open rounds are planned again a little later (one planning per burst). */
  replanSoon(delayMs?: number): void { this.planner.soon(delayMs) }

  /** The café is over: nothing is planned any more. */
  stopPlanning(): void { this.planner.stop() }

  /**
   * Before a save: brings the plan's rows in line with the seatings, and the quality shown is computed
   * again. Returns the seat changes since the last save if they are all the record changed in its
   * seatings and plan rows (seats of now or of the announced round, set in place), else null: then the
   * record is to be saved whole.
   */
  sync(): CafeSeatChange['seats'] | null {
    this.version++
    this.syncPlan()
    const rewritten = this.rowsRewritten
    this.rowsRewritten = false
    const changes = this.book.takeChanges()
    if (rewritten || !changes) return null
    const r = this.record
    const seats: CafeSeatChange['seats'] = []
    for (const c of changes) {
      const which = c.seating === r.seating ? 'now' : c.seating === r.nextSeating ? 'next' : null
      if (which === null) return null
      seats.push([which, c.id, c.tableId ?? null])
    }
    return seats
  }

  /** Organisations or sectors changed: the plan's quality counts same-organisation seatings. */
  profilesChanged(): void {
    this.version++
  }

  dispose(): void {
    this.planner.dispose()
  }

  /**
   * The plan's row for a round, fitted to who is here now; without a row, the default shift's seats
   * (no search: this runs on the event loop).
   */
  private plannedSeating(round: number): Seating {
    const rows = this.record.plan!.rounds
    const people = this.plannerPeople()
    const { tables, shape } = this.definition
    return fitToRoster(rows[round - 1], people, tables,
      () => shiftPlanner.planNext({ participants: people, tables, history: rows.slice(0, round - 1), shape, round, seed: this.record.seed }))
  }

  /** Every round is planned, and every present person has a seat in each from round `from` on. */
  private plannedFrom(from: number): boolean {
    const rows = this.record.plan!.rounds
    return rows.length === this.definition.rounds.length &&
      this.presentPeople().every((p) => rows.every((row, i) => i < from - 1 || p.id in row))
  }

  private pin(round: number, seats: Seating, replace = false): void {
    const pinned = this.record.plan!.pinned
    while (pinned.length < round) pinned.push({})
    pinned[round - 1] = replace ? { ...seats } : { ...pinned[round - 1], ...seats }
  }

  /** Makes the plan's rows of played, current and announced rounds copies of their seatings (noting when it rewrote one: `rowsRewritten`). */
  private syncPlan(): void {
    const r = this.record
    const rows = r.plan!.rounds
    let copied = false
    r.history.forEach((seating, i) => { if (this.book.mirror(rows, i, seating)) copied = true })
    const mirrored = mirroredRows(r)
    if (mirrored.now !== null && this.book.mirror(rows, mirrored.now, r.seating)) copied = true
    if (mirrored.next !== null && this.book.mirror(rows, mirrored.next, r.nextSeating!)) copied = true
    const total = this.definition.rounds.length
    if (rows.length > total) { rows.length = total; copied = true }
    if (copied) this.rowsRewritten = true
  }

  /** The table of this person's venue with the most room in a seating (`shared/rotation.ts`'s rule), from the kept counts. */
  private smallestTable(seating: Seating, person: VenuePerson): string | null {
    const tables = this.definition.tables
    return smallestCounted(eligibleTables(tables, person), this.book.counts(seating, tables))
  }

  /** Everyone who has not left; those marked absent are not seated (present: false). */
  private plannerPeople(): PlannerParticipant[] {
    return this.deps.roster.active().map((p) => ({ ...plannerPerson(p), present: p.absent !== true }))
  }

  /** The people to seat: not gone, not absent. */
  private presentPeople(): PlannerParticipant[] {
    return this.plannerPeople().filter((p) => p.present)
  }

  private emitNextSeat(id: string): void {
    const r = this.record
    const next = r.nextSeating
    const lc = r.lifecycle
    if (!next || lc.phase !== 'round') return
    const tableId = next[id]
    const round = lc.round + 1
    const questionId = tableId ? questionAt(this.definition, round, tableId) : undefined
    if (!tableId || !questionId) return
    this.deps.nextSeat(id, { round, tableId, questionId, docName: tableclothDocName(r.id, tableId, questionId) })
  }
}

function plannerPerson(p: ParticipantRecord): Omit<PlannerParticipant, 'present'> {
  return { id: p.id, hostOf: p.hostOf, organisation: p.organisation, sector: p.sector, ...(p.remote === true ? { remote: true } : {}) }
}
