/**
 * When things happen in one café: the lifecycle's step function (from `shared/lifecycle.ts`) and the
 * timers of the current phase (the warnings, the next-table announcement, the round's end, the end of
 * the write grace). It decides only when; what happens then is the hooks' business.
 */
import type { CafeDefinition } from '../../shared/cafe'
import { NEXT_TABLE_NOTICE_MS, ROUND_END_GRACE_MS, ROUND_WARNINGS_MS } from '../../shared/constants'
import type { LifecycleEvent, LifecycleState } from '../../shared/lifecycle'
import { createLifecycle } from '../../shared/lifecycle'
import type { Clock } from '../clock'
import type { CafeRecord } from '../store/Store'

export interface RoundClockHooks {
  /** A deadline moved the lifecycle on. */
  enter(before: LifecycleState, after: LifecycleState): void
  /** NEXT_TABLE_NOTICE_MS before a round ends (or at once, if that is past): plan and announce the next seats. */
  announceNext(): void
  warning(w: { round: number; msLeft: number; endsAt: number }): void
  /** The write grace of the rounds that ended is over. */
  closeRounds(): void
}

export class RoundClock {
  private step: ReturnType<typeof createLifecycle>
  private timers: unknown[] = []
  private disposed = false

  /** `record` is the café's, shared with the runtime: the clock reads it, never writes it. */
  constructor(private readonly record: CafeRecord, private readonly clock: Clock, private readonly hooks: RoundClockHooks) {
    this.step = makeStep(record.definition)
  }

  /** The lifecycle after `event` now: the very same object if the event does not apply to the phase. */
  next(event: LifecycleEvent): LifecycleState {
    return this.step(this.record.lifecycle, event, this.clock.now())
  }

  /** The definition's durations or advance mode changed. */
  redefine(): void {
    this.step = makeStep(this.record.definition)
  }

  /** (Re)arms the timers for the current phase; called after load and after every change. */
  schedule(): void {
    this.clearTimers()
    if (this.disposed) return
    const { clock, record: r } = this
    const now = clock.now()
    const lc = r.lifecycle
    const at = (when: number, fn: () => void) => this.timers.push(clock.setTimeout(fn, when - now))
    if (r.snapshotRounds < r.history.length && r.roundEndedAt !== null) {
      at(r.roundEndedAt + ROUND_END_GRACE_MS, () => this.hooks.closeRounds())
    }
    if (lc.phase === 'round' && lc.timer.status === 'running') {
      const { endsAt } = lc.timer
      if (lc.round < r.definition.rounds.length && r.nextSeating === null) {
        if (endsAt - NEXT_TABLE_NOTICE_MS <= now) {
          // Planned at once (inline planner): its commit called schedule() again with the announcement made.
          this.hooks.announceNext()
          if (r.nextSeating !== null) return
        } else {
          at(endsAt - NEXT_TABLE_NOTICE_MS, () => this.hooks.announceNext())
        }
      }
      for (const msLeft of ROUND_WARNINGS_MS) {
        if (endsAt - msLeft > now) at(endsAt - msLeft, () => this.hooks.warning({ round: lc.round, msLeft, endsAt }))
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
    const after = this.next({ type: 'tick' })
    if (after !== before) this.hooks.enter(before, after)
    else this.schedule()
  }

  private clearTimers(): void {
    for (const t of this.timers) this.clock.clearTimeout(t)
    this.timers = []
  }
}

function makeStep(d: CafeDefinition) {
  return createLifecycle({ roundDurationsMs: d.rounds.map((r) => r.durationMs), transitionMs: d.transitionMs, advance: d.advance })
}
