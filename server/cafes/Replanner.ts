/**
 * When a café's open rounds are planned again, and what becomes of the planner's answer: a little after
 * each change of people (one planning per burst), ahead of each round's end (the announcement of the
 * next round's seats), and when the facilitator asks. Only the answer to the latest request is applied,
 * and seats the facilitator pinned while the planner worked win over it. Where people sit, and the
 * plan's rows, are `SeatingPlanKeeper`'s; the planning itself runs in `PlanService`'s thread.
 */
import type { PlannerParticipant, Seating } from '../../shared/rotation'
import type { Clock } from '../clock'
import type { Logger } from '../log'
import type { CafeRecord } from '../store/Store'
import { firstOpenRound, isJoinable, seatRound } from './openRounds'
import type { PlanService } from './PlanService'
import type { Result } from './result'
import { failure, success } from './result'

/** After an arrival, a departure or a profile change, the rounds not played yet are re-planned this much later (arrivals come in bursts). */
export const REPLAN_DELAY_MS = 1500
/** ...but never later than this after the first change of a burst (a steady queue at the door). */
export const REPLAN_MAX_WAIT_MS = 4000

export interface ReplannerDeps {
  /** The café's record, shared with the runtime (its plan is never absent here). */
  record: CafeRecord
  plans: PlanService
  clock: Clock
  log: Logger
  /** Saves the café and tells everyone (the runtime's one path to the store). */
  commit(): void
  /** Something shown changed without a save (the planning indicator). */
  changed(): void
  /** The keeper's: brings the plan's rows in line with the seatings of now and of the announced round. */
  syncPlan(): void
  /** Everyone who has not left (present: false for those marked absent). */
  people(): PlannerParticipant[]
  /** The plan's row for a round, fitted to who is here now. */
  plannedSeating(round: number): Seating
  /** The announced round's seats were just given: tell these people where they go next. */
  announced(participantIds: string[]): void
}

export class Replanner {
  private disposed = false
  /** Each plan request gets the next number; only the answer to the latest one is applied. */
  private generation = 0
  private pending = false
  private timer: unknown = null
  private dueBy: number | null = null
  /** The round an announcement is being planned for, while the planner works. */
  private announcing: number | null = null

  constructor(private readonly deps: ReplannerDeps) {}

  private get record(): CafeRecord { return this.deps.record }
  private get rounds(): number { return this.deps.record.definition.rounds.length }

  /** A plan is asked for or being made (what the console shows as "planning"). */
  get planning(): boolean { return this.pending || this.announcing !== null }

  /**
   * The facilitator asks for the rounds not given yet to be planned again now. `fresh`: without the
   * current plan (seats may move freely); otherwise the planner changes as few seats as it can.
   */
  now(fresh: boolean): Result<null> {
    if (!isJoinable(this.record.lifecycle)) return failure('cafe_over', 'The café is over: its plan can no longer change.')
    if (this.announcing !== null) return failure('next_round_planning', 'The next round is being planned right now; try again in a moment.')
    if (firstOpenRound(this.record) > this.rounds) return failure('all_rounds_played', 'Every round is already played or announced.')
    this.cancel()
    this.request(firstOpenRound(this.record), { fresh })
    return success(null)
  }

  /**
   * Re-plans the rounds left from what was really played (late arrivals, moves, departures), changing as
   * few planned seats as possible, then tells everyone where they go next, ahead of the move.
   */
  announceNext(): void {
    const r = this.record
    const lc = r.lifecycle
    if (r.nextSeating !== null || lc.phase !== 'round' || this.announcing === lc.round + 1) return
    this.cancel()
    this.request(lc.round + 1, { announce: true })
  }

  /**
   * After a change of people, re-plan the open rounds a little later: arrivals come in bursts, and one
   * planning serves the whole burst. A steady queue at the door still gets a plan every REPLAN_MAX_WAIT_MS.
   */
  soon(delayMs = REPLAN_DELAY_MS): void {
    if (this.disposed || !isJoinable(this.record.lifecycle) || firstOpenRound(this.record) > this.rounds) return
    const now = this.deps.clock.now()
    this.dueBy ??= now + REPLAN_MAX_WAIT_MS
    const delay = Math.max(0, Math.min(delayMs, this.dueBy - now))
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer)
    if (!this.pending) {
      this.pending = true
      this.deps.changed()
    }
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null
      this.dueBy = null
      // An announcement in progress re-plans every open round anyway; come back once it has landed.
      if (this.announcing !== null) return this.soon(REPLAN_DELAY_MS)
      this.request(firstOpenRound(this.record), {})
    }, delay)
  }

  /** A round ended: an announcement still being planned was for a round that has begun, its answer is dropped. */
  roundEnded(): void {
    if (this.announcing === null) return
    this.announcing = null
    this.generation++
    this.pending = false
  }

  /** The café is over: nothing is planned any more. */
  stop(): void {
    this.cancel()
    this.pending = false
  }

  dispose(): void {
    this.disposed = true
    this.cancel()
  }

  private cancel(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer)
    this.timer = null
    this.dueBy = null
  }

  /** Asks the planner for rounds from..end, from what has been played and announced so far. */
  private request(from: number, opts: { fresh?: boolean; announce?: boolean }): void {
    const total = this.rounds
    if (this.disposed || from > total) {
      if (this.pending) {
        this.pending = false
        if (!this.disposed) this.deps.changed()
      }
      return
    }
    this.deps.syncPlan()
    const r = this.record
    const plan = r.plan!
    const generation = ++this.generation
    this.pending = true
    if (opts.announce) this.announcing = from
    const pinned: Seating[] = []
    for (let k = from; k <= total; k++) pinned.push(plan.pinned[k - 1] ?? {})
    const previous = plan.rounds.slice(from - 1, total)
    this.deps.changed()
    this.deps.plans.plan({
      key: r.id,
      input: {
        participants: this.deps.people(), tables: r.definition.tables, shape: r.definition.shape,
        history: plan.rounds.slice(0, from - 1), round: from, rounds: total, seed: r.seed, pinned,
        ...(opts.fresh || !previous.some((row) => Object.keys(row).length > 0) ? {} : { previousPlan: previous }),
      },
    }, (result) => this.planned(generation, from, opts, result))
  }

  private planned(generation: number, from: number, opts: { announce?: boolean }, result: Seating[] | null): void {
    if (this.disposed || generation !== this.generation) return
    this.pending = this.timer !== null
    if (opts.announce) this.announcing = null
    const r = this.record
    if (from !== firstOpenRound(r) || !isJoinable(r.lifecycle)) {
      // The café moved on while the planner worked (a round ended early): plan what is open now.
      this.deps.commit()
      return this.soon(0)
    }
    if (!result) this.deps.log.warn('planning failed; keeping the current plan', { cafeId: r.id })
    let editedMeanwhile = false
    if (result) {
      const active = new Set(this.deps.people().filter((p) => p.present).map((p) => p.id))
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
    if (opts.announce) r.nextSeating = this.deps.plannedSeating(from)
    else if (seatRound(r.lifecycle) === from) r.seating = this.deps.plannedSeating(from)
    this.deps.commit()
    if (opts.announce) this.deps.announced(Object.keys(r.nextSeating!))
    // Balance the pinned seats that came in during the planning (they are kept).
    if (editedMeanwhile) this.soon()
  }
}
