/**
 * Which rounds a café has played, seats now, has announced and may still plan, from its record alone
 * (pure). The runtime, the seating plan keeper and the views all ask the same questions.
 */
import type { LifecycleState } from '../../shared/lifecycle'
import { assertNever, seatingRound } from '../../shared/lifecycle'
import type { CafeRecord } from '../store/Store'

const JOINABLE: ReadonlySet<LifecycleState['phase']> = new Set(['draft', 'lobby', 'round', 'transition'])

/** People may still join, and the plan may still change. */
export function isJoinable(lc: LifecycleState): boolean {
  return JOINABLE.has(lc.phase)
}

/** Draft or lobby: round 1 has not started. */
export function isBeforeCafe(lc: LifecycleState): boolean {
  return lc.phase === 'draft' || lc.phase === 'lobby'
}

/** Round whose seating is in effect now (people sit there), or null once the café is over. */
export function seatRound(lc: LifecycleState): number | null {
  return lc.phase === 'harvest' || lc.phase === 'closed' ? null : seatingRound(lc)
}

/**
 * The plan's rows (0-based) that mirror the seating of now and of the announced round, or null where
 * none does: the played rounds' rows mirror the history, so now's is a row of its own only before its
 * round is over. `SeatingPlanKeeper` keeps these rows equal to the seatings; a stored seat change
 * (`store/cafeSeats.ts`) is applied to them.
 */
export function mirroredRows(r: Pick<CafeRecord, 'lifecycle' | 'history' | 'nextSeating'>): { now: number | null; next: number | null } {
  const seat = seatRound(r.lifecycle)
  return {
    now: seat !== null && seat > r.history.length ? seat - 1 : null,
    next: r.nextSeating && r.lifecycle.phase === 'round' ? r.lifecycle.round : null,
  }
}

/** First round whose seats nobody has been given yet as final: what an automatic re-plan may change. */
export function firstOpenRound(r: Pick<CafeRecord, 'lifecycle' | 'nextSeating'>): number {
  const lc = r.lifecycle
  switch (lc.phase) {
    case 'draft': case 'lobby': return 1
    case 'round': return lc.round + (r.nextSeating ? 2 : 1)
    case 'transition': return lc.completedRound + 2
    case 'harvest': case 'closed': return Infinity
    default: return assertNever(lc)
  }
}
