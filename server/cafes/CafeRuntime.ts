/**
 * One live café: its lifecycle, who is there and where they sit, the timer, rotations. Pure domain
 * logic lives in `shared/`; this class applies it, persists every change, and schedules the deadlines.
 */
import { nanoid } from 'nanoid'
import type { CafeDefinition } from '../../shared/cafe'
import { questionAt } from '../../shared/cafe'
import { NEXT_TABLE_NOTICE_MS, ROUND_END_GRACE_MS, ROUND_WARNINGS_MS, MAX_PARTICIPANTS_PER_CAFE } from '../../shared/constants'
import type { LifecycleEvent, LifecycleState } from '../../shared/lifecycle'
import { createLifecycle, seatingRound } from '../../shared/lifecycle'
import type { CafeView, NextSeat, ParticipantView, Profile } from '../../shared/protocol'
import type { PlannerParticipant, Seating } from '../../shared/rotation'
import { planQuality, shiftPlanner, smallestTable } from '../../shared/rotation'
import type { PlanQuality } from '../../shared/rotation'
import type { PlanView, StoredPlan } from '../../shared/seatingPlan'
import { editRow, emptyPlan, fitToRoster } from '../../shared/seatingPlan'
import { tableclothDocName } from '../../shared/tablecloth'
import type { Clock } from '../clock'
import type { Logger } from '../log'
import type { DurableWriter } from '../store/DurableWriter'
import type { CafeRecord, ParticipantRecord } from '../store/Store'
import type { PlanService } from './PlanService'
import { hashSecret, newSecret, secretMatches } from './secrets'
import type { Result } from './result'
import { failure, success } from './result'

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
}

export interface CafeDeps {
  writer: DurableWriter
  clock: Clock
  plans: PlanService
  log: Logger
  events: CafeEvents
}

const JOINABLE: ReadonlySet<LifecycleState['phase']> = new Set(['draft', 'lobby', 'round', 'transition'])
/** After an arrival, a departure or a profile change, the rounds not played yet are re-planned this much later (arrivals come in bursts). */
export const REPLAN_DELAY_MS = 1500
/** ...but never later than this after the first change of a burst (a steady queue at the door). */
export const REPLAN_MAX_WAIT_MS = 4000

export class CafeRuntime {
  private readonly participants = new Map<string, ParticipantRecord>()
  private readonly byTokenHash = new Map<string, string>()
  private readonly online = new Map<string, number>()
  private step: ReturnType<typeof createLifecycle>
  private timers: unknown[] = []
  private disposed = false
  /** Each plan request gets the next number; only the answer to the latest one is applied. */
  private planGeneration = 0
  private planPending = false
  private replanTimer: unknown = null
  private replanDueBy: number | null = null
  /** The round an announcement is being planned for, while the planner works. */
  private announcing: number | null = null
  private qualityCache: { version: number; quality: PlanQuality | null } | null = null
  private version = 0

  constructor(public record: CafeRecord, participants: ParticipantRecord[], private deps: CafeDeps) {
    for (const p of participants) this.index(p)
    // Records from before snapshots existed: their past rounds can no longer be captured as they were.
    record.snapshotRounds ??= record.history.length
    record.plan ??= emptyPlan()
    this.step = this.makeStep()
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
   * Makes a freshly created café the one an archive describes: its people (new ids, new tokens nobody
   * holds: they cannot sign in again) and rounds, with the rounds over, ready to harvest.
   */
  restorePast(p: { createdAt: number; history: Seating[]; participants: Array<Omit<ParticipantRecord, 'cafeId' | 'tokenHash'>> }): void {
    const r = this.record
    for (const person of p.participants) {
      const record: ParticipantRecord = { ...person, cafeId: r.id, tokenHash: hashSecret(newSecret()) }
      this.index(record)
      this.deps.writer.saveParticipant(record)
    }
    r.history = p.history.map((s) => ({ ...s }))
    r.snapshotRounds = r.history.length
    r.lifecycle = { phase: 'harvest', completedRounds: r.history.length }
    r.createdAt = p.createdAt
    this.commit()
  }

  get id(): string { return this.record.id }
  get definition(): CafeDefinition { return this.record.definition }
  get lifecycle(): LifecycleState { return this.record.lifecycle }

  // ---- credentials ----

  isFacilitatorKey(key: string): boolean {
    return secretMatches(key, this.record.facilitatorKeyHash)
  }

  participantByToken(token: string): ParticipantRecord | null {
    const id = this.byTokenHash.get(hashSecret(token))
    const p = id ? this.participants.get(id) : undefined
    return p && p.leftAt === null ? p : null
  }

  participant(id: string): ParticipantRecord | null {
    const p = this.participants.get(id)
    return p && p.leftAt === null ? p : null
  }

  get isJoinable(): boolean { return JOINABLE.has(this.lifecycle.phase) }

  /** Draft or lobby: round 1 has not started. */
  private get beforeCafe(): boolean { return this.lifecycle.phase === 'draft' || this.lifecycle.phase === 'lobby' }

  // ---- views ----

  participantView(p: ParticipantRecord): ParticipantView {
    return {
      id: p.id, displayName: p.displayName, organisation: p.organisation, sector: p.sector, hostOf: p.hostOf,
      tableId: this.record.seating[p.id] ?? null, online: (this.online.get(p.id) ?? 0) > 0, left: p.leftAt !== null, absent: p.absent === true,
    }
  }

  /** The facilitators' view: everyone. */
  view(): CafeView {
    const r = this.record
    const participants = this.activeParticipants().map((p) => this.participantView(p))
    return {
      id: r.id, joinCode: r.joinCode, definition: r.definition, lifecycle: r.lifecycle, participants,
      participantCount: participants.length, nextSeating: r.nextSeating, lockedDocs: r.lockedDocs,
      message: r.message ?? null, plan: this.planView(), serverNow: this.deps.clock.now(),
    }
  }

  /**
   * Each participant's view, from one facilitators' view: only their table's people and their own next
   * seat. Built for all at once so a push to hundreds of people costs one pass.
   */
  participantViews(full: CafeView = this.view()): (participantId: string) => CafeView {
    const byTable = new Map<string, ParticipantView[]>()
    for (const p of full.participants) {
      if (p.tableId === null) continue
      const list = byTable.get(p.tableId)
      if (list) list.push(p)
      else byTable.set(p.tableId, [p])
    }
    const self = new Map(full.participants.map((p) => [p.id, p]))
    return (participantId) => {
      const me = self.get(participantId)
      const participants = me ? (me.tableId ? byTable.get(me.tableId)! : [me]) : []
      const next = full.nextSeating?.[participantId]
      return { ...full, participants, plan: null, nextSeating: full.nextSeating ? (next ? { [participantId]: next } : {}) : null }
    }
  }

  /** Public summary for `GET /api/cafes/:id` and the join page. */
  summary() {
    const d = this.definition
    return {
      id: this.id, title: d.title, date: d.date, place: d.place, description: d.description, language: d.language,
      shape: d.shape, tables: d.tables.map((t) => ({ id: t.id, name: t.name, capacity: t.capacity })),
      questions: d.questions, rounds: d.rounds.length, phase: this.lifecycle.phase,
      participantCount: this.activeParticipants().length,
    }
  }

  /** Everyone who ever joined, those who left included, in join order (for the harvest and exports). */
  allParticipants(): ParticipantRecord[] {
    return [...this.participants.values()].sort((a, b) => a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1))
  }

  activeParticipants(): ParticipantRecord[] {
    return [...this.participants.values()].filter((p) => p.leftAt === null)
  }

  // ---- presence ----

  connected(participantId: string): void {
    const n = (this.online.get(participantId) ?? 0) + 1
    this.online.set(participantId, n)
    if (n === 1) this.deps.events.changed(this)
  }

  disconnected(participantId: string): void {
    const n = (this.online.get(participantId) ?? 1) - 1
    if (n <= 0) this.online.delete(participantId)
    else this.online.set(participantId, n)
    if (n <= 0) this.deps.events.changed(this)
  }

  // ---- people ----

  join(profile: Profile): Result<{ participant: ParticipantRecord; token: string }> {
    if (!this.isJoinable) return failure('not_found', 'Unknown or expired code.')
    if (this.activeParticipants().length >= MAX_PARTICIPANTS_PER_CAFE) return failure('conflict', 'This café is full.')
    const token = newSecret()
    const p = this.newParticipant(profile, token)
    this.seatLate(p.id)
    this.commit()
    this.scheduleReplan()
    return success({ participant: p, token })
  }

  /**
   * The facilitator enters people who registered beforehand (name, organisation, sector), so the plan and
   * the printed cards can be made before the day. They hold no credential: they sit at real tables.
   */
  addPeople(profiles: Profile[]): Result<ParticipantRecord[]> {
    if (!this.isJoinable) return failure('invalid_state', 'The café is over: nobody can be added.')
    if (this.activeParticipants().length + profiles.length > MAX_PARTICIPANTS_PER_CAFE) return failure('conflict', 'This café would be full.')
    const added = profiles.map((profile) => {
      const p = this.newParticipant(profile, newSecret())
      this.seatLate(p.id)
      return p
    })
    this.commit()
    this.scheduleReplan()
    return success(added)
  }

  /**
   * Marks someone absent (a no-show, or gone for a while: they keep their place in the café and what they
   * wrote, but get no seat and are planned out) or present again (seated at once during the café).
   */
  setPresent(id: string, present: boolean): Result<ParticipantRecord> {
    const p = this.participant(id)
    if (!p) return failure('not_found', 'No such participant.')
    if ((p.absent !== true) === present) return success(p)
    const r = this.record
    if (present) {
      delete p.absent
      this.seatLate(id)
    } else {
      p.absent = true
      this.unseat(id)
    }
    this.deps.writer.saveParticipant(p)
    this.commit()
    this.scheduleReplan()
    return success(p)
  }

  /** Takes someone out of the seats of now, of the announced round and of every round not played yet. */
  private unseat(id: string): void {
    const r = this.record
    delete r.seating[id]
    if (r.nextSeating) delete r.nextSeating[id]
    for (let i = r.history.length; i < r.plan!.rounds.length; i++) delete r.plan!.rounds[i]![id]
  }

  private newParticipant(profile: Profile, token: string): ParticipantRecord {
    const p: ParticipantRecord = {
      id: nanoid(12), cafeId: this.id, tokenHash: hashSecret(token), displayName: profile.displayName,
      organisation: profile.organisation, sector: profile.sector, hostOf: null, joinedAt: this.deps.clock.now(), leftAt: null,
    }
    this.index(p)
    this.deps.writer.saveParticipant(p)
    return p
  }

  /**
   * Before the café, the plan gives the first seat (REPLAN_DELAY_MS later, once a burst of arrivals is in);
   * during it, a late arrival sits down at once at the smallest table, and is told the announced next one.
   */
  private seatLate(id: string): void {
    if (this.beforeCafe || !this.isJoinable) return
    const tables = this.definition.tables
    const seat = smallestTable(tables, this.record.seating)
    if (seat) this.record.seating[id] = seat
    if (this.record.nextSeating) {
      const next = smallestTable(tables, this.record.nextSeating)
      if (next) {
        this.record.nextSeating[id] = next
        this.emitNextSeat(id)
      }
    }
  }

  updateProfile(id: string, profile: Profile): Result<ParticipantRecord> {
    const p = this.participant(id)
    if (!p) return failure('not_found', 'No such participant.')
    const mixChanged = p.organisation !== profile.organisation || p.sector !== profile.sector
    Object.assign(p, { displayName: profile.displayName, organisation: profile.organisation, sector: profile.sector })
    this.deps.writer.saveParticipant(p)
    this.commit()
    if (mixChanged) this.scheduleReplan()
    return success(p)
  }

  /** The participant leaves (or is removed): their token stops working; what they wrote stays. */
  remove(id: string): Result<{ participantId: string }> {
    const p = this.participant(id)
    if (!p) return failure('not_found', 'No such participant.')
    p.leftAt = this.deps.clock.now()
    p.hostOf = null
    this.unseat(id)
    for (const pins of this.record.plan!.pinned) delete pins[id]
    this.deps.writer.saveParticipant(p)
    this.commit()
    this.scheduleReplan()
    this.deps.events.participantGone(this, id)
    return success({ participantId: id })
  }

  /** A manual move by the facilitator, effective now (and for the announced next round if any). */
  move(id: string, tableId: string): Result<ParticipantRecord> {
    const p = this.participant(id)
    if (!p) return failure('not_found', 'No such participant.')
    if (!this.hasTable(tableId)) return failure('not_found', 'No such table.')
    if (p.hostOf !== null && p.hostOf !== tableId) return failure('conflict', 'A host stays at their table; unset the host first.')
    if (p.absent) return failure('conflict', 'This person is marked absent: mark them present first.')
    this.record.seating[id] = tableId
    // Before the café starts, round 1 is still planned: keep the move through re-plans.
    if (this.beforeCafe) this.pin(1, { [id]: tableId })
    this.commit()
    return success(p)
  }

  /** Makes someone the host of a table (they stay there in every round), or a traveller again (null). */
  setHost(id: string, tableId: string | null): Result<ParticipantRecord> {
    const p = this.participant(id)
    if (!p) return failure('not_found', 'No such participant.')
    if (tableId !== null) {
      if (!this.hasTable(tableId)) return failure('not_found', 'No such table.')
      const other = this.activeParticipants().find((q) => q.hostOf === tableId && q.id !== id)
      if (other) return failure('conflict', `${other.displayName} already hosts this table.`)
      if (!p.absent) this.record.seating[id] = tableId
      if (this.record.nextSeating && !p.absent) {
        this.record.nextSeating[id] = tableId
        this.emitNextSeat(id)
      }
    }
    p.hostOf = tableId
    // A host sits at their table in every round: their own pins no longer apply.
    for (const pins of this.record.plan!.pinned) delete pins[id]
    this.deps.writer.saveParticipant(p)
    this.commit()
    this.scheduleReplan()
    return success(p)
  }

  // ---- the seating plan ----

  /** Round whose seating is in effect now (people sit there), or null once the café is over. */
  private seatRound(): number | null {
    const phase = this.lifecycle.phase
    return phase === 'harvest' || phase === 'closed' ? null : seatingRound(this.lifecycle)
  }

  /** First round whose seats nobody has been given yet as final: what an automatic re-plan may change. */
  private firstOpenRound(): number {
    const lc = this.lifecycle
    switch (lc.phase) {
      case 'draft': case 'lobby': return 1
      case 'round': return lc.round + (this.record.nextSeating ? 2 : 1)
      case 'transition': return lc.completedRound + 2
      default: return Infinity
    }
  }

  planView(): PlanView {
    const plan = this.record.plan!
    if (this.qualityCache?.version !== this.version) {
      const people = this.allParticipants().map((p) => ({ ...plannerPerson(p), present: p.leftAt === null && p.absent !== true }))
      const quality = !this.plannedFrom(this.seatRound() ?? Infinity) ? null : planQuality(plan.rounds, people, this.definition.tables, this.definition.shape)
      this.qualityCache = { version: this.version, quality }
    }
    return {
      rounds: plan.rounds, pinned: plan.pinned, quality: this.qualityCache.quality,
      planning: this.planPending || this.announcing !== null,
      firstEditableRound: this.seatRound() ?? this.definition.rounds.length + 1,
      firstOpenRound: Math.min(this.firstOpenRound(), this.definition.rounds.length + 1),
    }
  }

  /**
   * The facilitator moves someone in one round of the plan (or swaps two people). The seat is pinned:
   * every later re-plan keeps it. In the round people sit in now, it is a move now; in the announced
   * next round, the people concerned are told their new table at once.
   */
  editPlan(round: number, participantId: string, tableId: string, swapWith: string | null): Result<PlanView> {
    const first = this.seatRound()
    const total = this.definition.rounds.length
    if (first === null) return failure('invalid_state', 'The café is over: its plan can no longer change.')
    if (round < first) return failure('invalid_state', `Round ${round} is already played.`)
    if (round > total) return failure('not_found', 'No such round.')
    this.syncPlan()
    const plan = this.record.plan!
    const row = plan.rounds[round - 1]
    if (!row) return failure('invalid_state', 'This round is being planned; try again in a moment.')
    const people = new Map(this.presentPeople().map((p) => [p.id, p]))
    const edit = editRow(row, plan.pinned[round - 1] ?? {}, this.definition.tables, people, { participantId, tableId, swapWith })
    if (!edit.ok) return failure(edit.code, edit.message)
    const changed = Object.keys(edit.row).filter((id) => edit.row[id] !== row[id])
    const r = this.record
    const lc = this.lifecycle
    if (round === first) for (const id of changed) r.seating[id] = edit.row[id]!
    const announced = r.nextSeating !== null && lc.phase === 'round' && round === lc.round + 1
    if (announced) for (const id of changed) r.nextSeating![id] = edit.row[id]!
    plan.rounds[round - 1] = edit.row
    this.pin(round, edit.pins, true)
    this.commit()
    if (announced) for (const id of changed) this.emitNextSeat(id)
    return success(this.planView())
  }

  /** Lets the planner move someone again in one round (their seat stays where it is until a re-plan). */
  unpin(round: number, participantId: string): Result<PlanView> {
    const pins = this.record.plan!.pinned[round - 1]
    if (!pins || !Object.hasOwn(pins, participantId)) return failure('not_found', 'This seat is not pinned.')
    delete pins[participantId]
    this.commit()
    return success(this.planView())
  }

  /**
   * Plans the rounds nobody has been given yet again, now, keeping pinned seats. `fresh` ignores the
   * current plan (seats may move freely); otherwise the planner changes as few seats as it can.
   */
  replan(fresh: boolean): Result<PlanView> {
    if (!this.isJoinable) return failure('invalid_state', 'The café is over: its plan can no longer change.')
    if (this.announcing !== null) return failure('conflict', 'The next round is being planned right now; try again in a moment.')
    if (this.firstOpenRound() > this.definition.rounds.length) return failure('invalid_state', 'Every round is already played or announced.')
    this.cancelScheduledReplan()
    this.requestPlan(this.firstOpenRound(), { fresh })
    return success(this.planView())
  }

  private pin(round: number, seats: Seating, replace = false): void {
    const pinned = this.record.plan!.pinned
    while (pinned.length < round) pinned.push({})
    pinned[round - 1] = replace ? { ...seats } : { ...pinned[round - 1], ...seats }
  }

  /** The plan's rows for played rounds, the round in effect and the announced one are what really happened / was announced. */
  private syncPlan(): void {
    const r = this.record
    const rows = r.plan!.rounds
    r.history.forEach((seating, i) => { rows[i] = { ...seating } })
    const seat = this.seatRound()
    if (seat !== null && seat > r.history.length) rows[seat - 1] = { ...r.seating }
    if (r.nextSeating && this.lifecycle.phase === 'round') rows[this.lifecycle.round] = { ...r.nextSeating }
    rows.length = Math.min(rows.length, this.definition.rounds.length)
  }

  /** Everyone who has not left; those marked absent are not seated (present: false). */
  private plannerPeople(): PlannerParticipant[] {
    return this.activeParticipants().map((p) => ({ ...plannerPerson(p), present: p.absent !== true }))
  }

  /** The people to seat: not gone, not absent. */
  private presentPeople(): PlannerParticipant[] {
    return this.plannerPeople().filter((p) => p.present)
  }

  /**
   * After a change of people, re-plan the open rounds a little later: arrivals come in bursts, and one
   * planning serves the whole burst. A steady queue at the door still gets a plan every REPLAN_MAX_WAIT_MS.
   */
  private scheduleReplan(delayMs = REPLAN_DELAY_MS): void {
    if (this.disposed || !this.isJoinable || this.firstOpenRound() > this.definition.rounds.length) return
    const now = this.deps.clock.now()
    this.replanDueBy ??= now + REPLAN_MAX_WAIT_MS
    const delay = Math.max(0, Math.min(delayMs, this.replanDueBy - now))
    if (this.replanTimer !== null) this.deps.clock.clearTimeout(this.replanTimer)
    if (!this.planPending) {
      this.planPending = true
      this.deps.events.changed(this)
    }
    this.replanTimer = this.deps.clock.setTimeout(() => {
      this.replanTimer = null
      this.replanDueBy = null
      // An announcement in progress re-plans every open round anyway; come back once it has landed.
      if (this.announcing !== null) return this.scheduleReplan(REPLAN_DELAY_MS)
      this.requestPlan(this.firstOpenRound(), {})
    }, delay)
  }

  private cancelScheduledReplan(): void {
    if (this.replanTimer !== null) this.deps.clock.clearTimeout(this.replanTimer)
    this.replanTimer = null
    this.replanDueBy = null
  }

  /** Asks the planner for rounds from..end, from what has been played and announced so far. */
  private requestPlan(from: number, opts: { fresh?: boolean; announce?: boolean }): void {
    const total = this.definition.rounds.length
    if (this.disposed || from > total) {
      if (this.planPending) {
        this.planPending = false
        if (!this.disposed) this.deps.events.changed(this)
      }
      return
    }
    this.syncPlan()
    const plan = this.record.plan!
    const generation = ++this.planGeneration
    this.planPending = true
    if (opts.announce) this.announcing = from
    const pinned: Seating[] = []
    for (let k = from; k <= total; k++) pinned.push(plan.pinned[k - 1] ?? {})
    const previous = plan.rounds.slice(from - 1, total)
    this.deps.events.changed(this)
    this.deps.plans.plan({
      key: this.id,
      input: {
        participants: this.plannerPeople(), tables: this.definition.tables, shape: this.definition.shape,
        history: plan.rounds.slice(0, from - 1), round: from, rounds: total, seed: this.record.seed, pinned,
        ...(opts.fresh || !previous.some((row) => Object.keys(row).length > 0) ? {} : { previousPlan: previous }),
      },
    }, (result) => this.planned(generation, from, opts, result))
  }

  private planned(generation: number, from: number, opts: { announce?: boolean }, result: Seating[] | null): void {
    if (this.disposed || generation !== this.planGeneration) return
    this.planPending = this.replanTimer !== null
    if (opts.announce) this.announcing = null
    const r = this.record
    if (from !== this.firstOpenRound() || !this.isJoinable) {
      // The café moved on while the planner worked (a round ended early): plan what is open now.
      this.commit()
      return this.scheduleReplan(0)
    }
    if (!result) this.deps.log.warn('planning failed; keeping the current plan', { cafeId: this.id })
    let editedMeanwhile = false
    if (result) {
      const active = new Set(this.presentPeople().map((p) => p.id))
      result.forEach((row, i) => {
        const kept: Seating = {}
        for (const [pid, tid] of Object.entries(row)) if (active.has(pid)) kept[pid] = tid
        // Seats the facilitator pinned while the planner worked win over its answer.
        for (const [pid, tid] of Object.entries(r.plan!.pinned[from - 1 + i] ?? {})) {
          if (active.has(pid) && kept[pid] !== tid) { kept[pid] = tid; editedMeanwhile = true }
        }
        r.plan!.rounds[from - 1 + i] = kept
      })
    }
    if (opts.announce) r.nextSeating = this.plannedSeating(from)
    else if (this.seatRound() === from) r.seating = this.plannedSeating(from)
    this.commit()
    if (opts.announce) for (const id of Object.keys(r.nextSeating!)) this.emitNextSeat(id)
    // Balance the pinned seats that came in during the planning (they are kept).
    if (editedMeanwhile) this.scheduleReplan()
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

  /** After a restart: if people are missing from the plan's open rounds, plan them again. */
  resumePlanning(): void {
    const from = this.firstOpenRound()
    if (!this.isJoinable || from > this.definition.rounds.length) return
    if (this.presentPeople().length > 0 && !this.plannedFrom(from)) this.scheduleReplan(0)
  }

  /** Every round is planned, and every present person has a seat in each from round `from` on. */
  private plannedFrom(from: number): boolean {
    const rows = this.record.plan!.rounds
    return rows.length === this.definition.rounds.length &&
      this.presentPeople().every((p) => rows.every((row, i) => i < from - 1 || p.id in row))
  }

  // ---- lifecycle ----

  apply(event: LifecycleEvent): Result<LifecycleState> {
    const before = this.record.lifecycle
    const now = this.deps.clock.now()
    const after = this.step(before, event, now)
    if (after === before) return failure('invalid_state', `"${event.type}" is not possible while the café is in phase "${before.phase}".`)
    this.enter(before, after)
    return success(after)
  }

  setAdvance(advance: CafeDefinition['advance']): Result<LifecycleState> {
    this.record.definition = { ...this.definition, advance }
    this.step = this.makeStep()
    const lc = this.record.lifecycle
    if (lc.phase === 'transition') {
      this.record.lifecycle = { ...lc, endsAt: advance === 'auto' ? this.deps.clock.now() + this.definition.transitionMs : null }
    }
    this.commit()
    return success(this.record.lifecycle)
  }

  setLocked(tableId: string, questionId: string, locked: boolean): Result<string[]> {
    if (!this.hasTable(tableId) || !this.definition.questions.some((q) => q.id === questionId)) return failure('not_found', 'No such tablecloth.')
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

  /**
   * Only people seated at the table, during a round (running or paused) on that table's question; and
   * for `ROUND_END_GRACE_MS` after a round ended, the people who sat there in that round.
   */
  participantMayWrite(participantId: string, tableId: string, questionId: string): boolean {
    const r = this.record
    if (this.participant(participantId) === null) return false
    if (r.lockedDocs.includes(tableclothDocName(this.id, tableId, questionId))) return false
    const lc = r.lifecycle
    if (lc.phase === 'round' && r.seating[participantId] === tableId && questionAt(this.definition, lc.round, tableId) === questionId) return true
    const lastRound = r.history.length
    return lastRound > 0 && r.roundEndedAt !== null && this.deps.clock.now() - r.roundEndedAt <= ROUND_END_GRACE_MS &&
      r.history[lastRound - 1]![participantId] === tableId && questionAt(this.definition, lastRound, tableId) === questionId
  }

  // ---- scheduling ----

  /** (Re)arms the timers for the current phase; called after load and after every change. */
  schedule(): void {
    this.clearTimers()
    if (this.disposed) return
    const { clock } = this.deps
    const now = clock.now()
    const lc = this.record.lifecycle
    const at = (when: number, fn: () => void) => this.timers.push(clock.setTimeout(fn, when - now))
    if (this.record.snapshotRounds < this.record.history.length && this.record.roundEndedAt !== null) {
      at(this.record.roundEndedAt + ROUND_END_GRACE_MS, () => this.closeRounds())
    }
    if (lc.phase === 'round' && lc.timer.status === 'running') {
      const { endsAt } = lc.timer
      if (lc.round < this.definition.rounds.length && this.record.nextSeating === null) {
        if (endsAt - NEXT_TABLE_NOTICE_MS <= now) {
          // Planned at once (inline planner): its commit called schedule() again with the announcement made.
          this.announceNext()
          if (this.record.nextSeating !== null) return
        } else {
          at(endsAt - NEXT_TABLE_NOTICE_MS, () => this.announceNext())
        }
      }
      for (const msLeft of ROUND_WARNINGS_MS) {
        if (endsAt - msLeft > now) at(endsAt - msLeft, () => this.deps.events.warning(this, { round: lc.round, msLeft, endsAt }))
      }
      at(endsAt, () => this.tick())
    } else if (lc.phase === 'transition' && lc.endsAt !== null) {
      at(lc.endsAt, () => this.tick())
    }
  }

  dispose(): void {
    this.disposed = true
    this.clearTimers()
    this.cancelScheduledReplan()
  }

  private tick(): void {
    const before = this.record.lifecycle
    const after = this.step(before, { type: 'tick' }, this.deps.clock.now())
    if (after !== before) this.enter(before, after)
    else this.schedule()
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

  /** Once the write grace of ended rounds is over, their tablecloths are kept as they are (for the images). */
  private closeRounds(): void {
    const r = this.record
    for (let round = r.snapshotRounds + 1; round <= r.history.length; round++) {
      this.deps.events.roundClosed(this, round, this.roundDocNames(round))
    }
    r.snapshotRounds = r.history.length
    this.commit()
  }

  /**
   * Re-plans the rounds left from what was really played (late arrivals, moves, departures), changing as
   * few planned seats as possible, then tells everyone where they go next, ahead of the move.
   */
  private announceNext(): void {
    const r = this.record
    const lc = r.lifecycle
    if (r.nextSeating !== null || lc.phase !== 'round' || this.announcing === lc.round + 1) return
    this.cancelScheduledReplan()
    this.requestPlan(lc.round + 1, { announce: true })
  }

  private emitNextSeat(id: string): void {
    const next = this.record.nextSeating
    const lc = this.record.lifecycle
    if (!next || lc.phase !== 'round') return
    const tableId = next[id]
    const round = lc.round + 1
    const questionId = tableId ? questionAt(this.definition, round, tableId) : undefined
    if (!tableId || !questionId) return
    this.deps.events.nextSeat(this, id, { round, tableId, questionId, docName: tableclothDocName(this.id, tableId, questionId) })
  }

  private enter(before: LifecycleState, after: LifecycleState): void {
    const r = this.record
    let replanAfter = false
    if (before.phase === 'round' && after.phase !== 'round') {
      r.history.push({ ...r.seating })
      r.roundEndedAt = this.deps.clock.now()
      const announced = r.nextSeating
      const planning = this.announcing !== null
      r.nextSeating = null
      this.announcing = null
      if (after.phase === 'transition') {
        // Ended before the announcement landed (skip, short round): the plan's row for it, fitted to who is here.
        if (announced) {
          r.seating = announced
        } else {
          r.seating = this.plannedSeating(r.history.length + 1)
        }
      }
      if (planning) {
        this.planGeneration++
        this.planPending = false
      }
      replanAfter = !announced && after.phase === 'transition'
    }
    if (before.phase === 'lobby' && after.phase === 'round') this.seatEveryone()
    r.lifecycle = after
    this.deps.log.info('café phase', { cafeId: r.id, from: before.phase, to: after.phase, round: 'round' in after ? after.round : undefined })
    if (!this.isJoinable) {
      this.cancelScheduledReplan()
      this.planPending = false
    }
    this.commit()
    if (replanAfter) this.scheduleReplan(0)
  }

  /** Before round 1: hosts at their tables, anyone unseated at the smallest table. */
  private seatEveryone(): void {
    const seating = this.record.seating
    for (const p of this.activeParticipants()) {
      if (p.absent) continue
      if (p.hostOf !== null) seating[p.id] = p.hostOf
      else if (!seating[p.id] || !this.hasTable(seating[p.id]!)) {
        const t = smallestTable(this.definition.tables, seating)
        if (t) seating[p.id] = t
      }
    }
  }

  private commit(): void {
    this.version++
    this.syncPlan()
    this.record.updatedAt = this.deps.clock.now()
    this.deps.writer.saveCafe(this.record)
    this.schedule()
    this.deps.events.changed(this)
  }

  private hasTable(tableId: string): boolean {
    return this.definition.tables.some((t) => t.id === tableId)
  }

  private index(p: ParticipantRecord): void {
    this.participants.set(p.id, p)
    this.byTokenHash.set(p.tokenHash, p.id)
  }

  private makeStep() {
    const d = this.record.definition
    return createLifecycle({ roundDurationsMs: d.rounds.map((r) => r.durationMs), transitionMs: d.transitionMs, advance: d.advance })
  }

  private clearTimers(): void {
    for (const t of this.timers) this.deps.clock.clearTimeout(t)
    this.timers = []
  }
}

function plannerPerson(p: ParticipantRecord): Omit<PlannerParticipant, 'present'> {
  return { id: p.id, hostOf: p.hostOf, organisation: p.organisation, sector: p.sector }
}
