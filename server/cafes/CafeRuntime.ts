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
import type { RotationPlanner, Seating } from '../../shared/rotation'
import { smallestTable } from '../../shared/rotation'
import { tableclothDocName } from '../../shared/tablecloth'
import type { Clock } from '../clock'
import type { Logger } from '../log'
import type { DurableWriter } from '../store/DurableWriter'
import type { CafeRecord, ParticipantRecord } from '../store/Store'
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
  planner: RotationPlanner
  log: Logger
  events: CafeEvents
}

const JOINABLE: ReadonlySet<LifecycleState['phase']> = new Set(['draft', 'lobby', 'round', 'transition'])

export class CafeRuntime {
  private readonly participants = new Map<string, ParticipantRecord>()
  private readonly byTokenHash = new Map<string, string>()
  private readonly online = new Map<string, number>()
  private step: ReturnType<typeof createLifecycle>
  private timers: unknown[] = []
  private disposed = false

  constructor(public record: CafeRecord, participants: ParticipantRecord[], private deps: CafeDeps) {
    for (const p of participants) this.index(p)
    // Records from before snapshots existed: their past rounds can no longer be captured as they were.
    record.snapshotRounds ??= record.history.length
    this.step = this.makeStep()
  }

  /** A new café in the draft phase, with its facilitator key (returned once, stored only hashed). */
  static create(definition: CafeDefinition, joinCode: string, now: number, deps: CafeDeps): { cafe: CafeRuntime; facilitatorKey: string } {
    const facilitatorKey = newSecret()
    const record: CafeRecord = {
      id: nanoid(12), joinCode, facilitatorKeyHash: hashSecret(facilitatorKey), definition,
      lifecycle: { phase: 'draft' }, seating: {}, history: [], nextSeating: null, lockedDocs: [], roundEndedAt: null, message: null,
      snapshotRounds: 0, seed: Math.floor(Math.random() * 2 ** 31), createdAt: now, updatedAt: now,
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

  // ---- views ----

  participantView(p: ParticipantRecord): ParticipantView {
    return {
      id: p.id, displayName: p.displayName, organisation: p.organisation, sector: p.sector, hostOf: p.hostOf,
      tableId: this.record.seating[p.id] ?? null, online: (this.online.get(p.id) ?? 0) > 0, left: p.leftAt !== null,
    }
  }

  /** The facilitators' view: everyone. */
  view(): CafeView {
    const r = this.record
    const participants = this.activeParticipants().map((p) => this.participantView(p))
    return {
      id: r.id, joinCode: r.joinCode, definition: r.definition, lifecycle: r.lifecycle, participants,
      participantCount: participants.length, nextSeating: r.nextSeating, lockedDocs: r.lockedDocs,
      message: r.message ?? null, serverNow: this.deps.clock.now(),
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
      return { ...full, participants, nextSeating: full.nextSeating ? (next ? { [participantId]: next } : {}) : null }
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
    const p: ParticipantRecord = {
      id: nanoid(12), cafeId: this.id, tokenHash: hashSecret(token), displayName: profile.displayName,
      organisation: profile.organisation, sector: profile.sector, hostOf: null, joinedAt: this.deps.clock.now(), leftAt: null,
    }
    this.index(p)
    this.deps.writer.saveParticipant(p)
    const tables = this.definition.tables
    const seat = smallestTable(tables, this.record.seating)
    if (seat) this.record.seating[p.id] = seat
    if (this.record.nextSeating) {
      const next = smallestTable(tables, this.record.nextSeating)
      if (next) {
        this.record.nextSeating[p.id] = next
        this.emitNextSeat(p.id)
      }
    }
    this.commit()
    return success({ participant: p, token })
  }

  updateProfile(id: string, profile: Profile): Result<ParticipantRecord> {
    const p = this.participant(id)
    if (!p) return failure('not_found', 'No such participant.')
    Object.assign(p, { displayName: profile.displayName, organisation: profile.organisation, sector: profile.sector })
    this.deps.writer.saveParticipant(p)
    this.commit()
    return success(p)
  }

  /** The participant leaves (or is removed): their token stops working; what they wrote stays. */
  remove(id: string): Result<{ participantId: string }> {
    const p = this.participant(id)
    if (!p) return failure('not_found', 'No such participant.')
    p.leftAt = this.deps.clock.now()
    p.hostOf = null
    delete this.record.seating[id]
    if (this.record.nextSeating) delete this.record.nextSeating[id]
    this.deps.writer.saveParticipant(p)
    this.commit()
    this.deps.events.participantGone(this, id)
    return success({ participantId: id })
  }

  /** A manual move by the facilitator, effective now (and for the announced next round if any). */
  move(id: string, tableId: string): Result<ParticipantRecord> {
    const p = this.participant(id)
    if (!p) return failure('not_found', 'No such participant.')
    if (!this.hasTable(tableId)) return failure('not_found', 'No such table.')
    if (p.hostOf !== null && p.hostOf !== tableId) return failure('conflict', 'A host stays at their table; unset the host first.')
    this.record.seating[id] = tableId
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
      this.record.seating[id] = tableId
      if (this.record.nextSeating) {
        this.record.nextSeating[id] = tableId
        this.emitNextSeat(id)
      }
    }
    p.hostOf = tableId
    this.deps.writer.saveParticipant(p)
    this.commit()
    return success(p)
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
        // announceNext commits, which calls schedule() again with the announcement made.
        if (endsAt - NEXT_TABLE_NOTICE_MS <= now) return this.announceNext()
        at(endsAt - NEXT_TABLE_NOTICE_MS, () => this.announceNext())
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

  /** Plans the next round and tells everyone where they go, ahead of the move. */
  private announceNext(): void {
    const r = this.record
    if (r.nextSeating !== null || r.lifecycle.phase !== 'round') return
    const next = this.plan([...r.history, r.seating], r.lifecycle.round + 1)
    r.nextSeating = next
    this.commit()
    for (const id of Object.keys(next)) this.emitNextSeat(id)
  }

  private plan(history: Seating[], round: number): Seating {
    return this.deps.planner.planNext({
      participants: this.activeParticipants().map((p) => ({ id: p.id, hostOf: p.hostOf, organisation: p.organisation, sector: p.sector, present: true })),
      tables: this.definition.tables,
      history,
      shape: this.definition.shape,
      round,
      seed: this.record.seed,
    })
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
    if (before.phase === 'round' && after.phase !== 'round') {
      r.history.push({ ...r.seating })
      r.roundEndedAt = this.deps.clock.now()
      if (after.phase === 'transition') {
        // Ended before the announcement (skip, short round): plan with the round just played.
        r.seating = r.nextSeating ?? this.plan(r.history, r.history.length + 1)
        r.nextSeating = null
      } else {
        r.nextSeating = null
      }
    }
    if (before.phase === 'lobby' && after.phase === 'round') this.seatEveryone()
    r.lifecycle = after
    this.deps.log.info('café phase', { cafeId: r.id, from: before.phase, to: after.phase, round: 'round' in after ? after.round : undefined })
    this.commit()
  }

  /** Before round 1: hosts at their tables, anyone unseated at the smallest table. */
  private seatEveryone(): void {
    const seating = this.record.seating
    for (const p of this.activeParticipants()) {
      if (p.hostOf !== null) seating[p.id] = p.hostOf
      else if (!seating[p.id] || !this.hasTable(seating[p.id]!)) {
        const t = smallestTable(this.definition.tables, seating)
        if (t) seating[p.id] = t
      }
    }
  }

  private commit(): void {
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
