/**
 * Where and when a participant may write, from the café record alone (pure: `now` is passed in).
 *
 * - Now: seated at the table during a round (running or paused) whose plan gives it this question,
 *   the tablecloth not locked; and for ROUND_END_GRACE_MS after a round ended, that round's tablemates.
 * - Late words: what a participant wrote at a table during a round they sat there is accepted whenever
 *   it arrives while the café exists (after a rotation, a reload, hours later), and keeps its round;
 *   its creation time must fall before that round ended (plus the clock skew allowed).
 * - Their own items of such a round stay theirs to edit; stars and dots need a seat now (or the grace).
 */
import type { CafeDefinition } from '../../shared/cafe'
import { questionAt } from '../../shared/cafe'
import { ROUND_END_GRACE_MS } from '../../shared/constants'
import type { LifecycleState } from '../../shared/lifecycle'
import type { Seating } from '../../shared/rotation'
import { TABLECLOTH_LIMITS } from '../../shared/tableclothRules'
import { tableclothDocName } from '../../shared/tablecloth'

export interface AccessRecord {
  id: string
  definition: CafeDefinition
  lifecycle: LifecycleState
  seating: Seating
  history: Seating[]
  lockedDocs: string[]
  roundEndedAt: number | null
  /** When each played round ended (index 0 = round 1); absent in records from before late words. */
  roundEnds?: number[]
}

export interface Seat { participantId: string; tableId: string; questionId: string }

/** The facilitator locked this tablecloth: nobody but facilitators writes on it. */
export const locked = (r: AccessRecord, s: Seat): boolean => r.lockedDocs.includes(tableclothDocName(r.id, s.tableId, s.questionId))

/** Seated there in the round being played now. */
function seatedNow(r: AccessRecord, s: Seat): number | null {
  const lc = r.lifecycle
  if (lc.phase !== 'round' || r.seating[s.participantId] !== s.tableId) return null
  return questionAt(r.definition, lc.round, s.tableId) === s.questionId ? lc.round : null
}

/** Sat there in played round `round`. */
function satIn(r: AccessRecord, s: Seat, round: number): boolean {
  return r.history[round - 1]?.[s.participantId] === s.tableId && questionAt(r.definition, round, s.tableId) === s.questionId
}

/** Writing now, in the round being played or within the grace after the last one ended. */
export function mayWriteNow(r: AccessRecord, s: Seat, now: number): boolean {
  if (locked(r, s)) return false
  if (seatedNow(r, s) !== null) return true
  const last = r.history.length
  return last > 0 && r.roundEndedAt !== null && now - r.roundEndedAt <= ROUND_END_GRACE_MS && satIn(r, s, last)
}

/** May this person add an item of `round`, written at `createdAt`, to this tablecloth now? */
export function mayCreate(r: AccessRecord, s: Seat, round: number, createdAt: number, now: number): boolean {
  if (locked(r, s)) return false
  if (seatedNow(r, s) === round) return true
  if (!satIn(r, s, round)) return false
  if (round === r.history.length && r.roundEndedAt !== null && now - r.roundEndedAt <= ROUND_END_GRACE_MS) return true
  const ended = r.roundEnds?.[round - 1]
  return ended === undefined || createdAt <= ended + ROUND_END_GRACE_MS + TABLECLOTH_LIMITS.clockSkewMs
}

/** May this person change or delete their own item of `round` here? */
export function mayEdit(r: AccessRecord, s: Seat, round: number): boolean {
  return !locked(r, s) && (seatedNow(r, s) === round || satIn(r, s, round))
}

/** Has this person ever had a seat at this tablecloth (now or in a played round)? Others only read. */
export function everSat(r: AccessRecord, s: Seat): boolean {
  if (seatedNow(r, s) !== null) return true
  for (let round = 1; round <= r.history.length; round++) if (satIn(r, s, round)) return true
  return false
}
