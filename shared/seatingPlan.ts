/**
 * The café's seating plan: who sits where in every round. The server keeps it from the first arrival,
 * re-plans the rounds nobody has played yet when people arrive or leave (changing as few announced seats
 * as it can), and the facilitator edits it by hand; those edits are "pinned" and every re-plan keeps them.
 * Pure functions only: the server applies them, the console and the printed cards read the result.
 */
import type { Table } from './cafe'
import type { AppError, DetailsArg } from './errors'
import { appError } from './errors'
import type { ErrorReason } from './errorReasons'
import { fitsVenue, isSplit, tablesFor, venueRefusal } from './hybridSeats'
import type { PlannerParticipant, PlannerTable, Seating } from './rotation'
import { smallestCounted, tableCounts } from './rotation'
import type { PlanQuality } from './planner/quality'

export interface StoredPlan {
  /** Seating of each round (index 0 = round 1). Played rounds are their history; the rest is the plan. Rows may be missing while the first plan is computed. */
  rounds: Seating[]
  /** The facilitator's seats per round (index 0 = round 1), kept by every re-plan. */
  pinned: Seating[]
}

/** What a facilitator's console receives. */
export interface PlanView {
  rounds: Seating[]
  pinned: Seating[]
  /** Over every round of `rounds` (played ones included); null before the first plan. */
  quality: PlanQuality | null
  /** A re-plan is queued or running. */
  planning: boolean
  /** Rounds before this one are played and cannot change. */
  firstEditableRound: number
  /** First round a re-plan may change (rounds before it are played, being played or announced); rounds + 1 if none. */
  firstOpenRound: number
}

export const emptyPlan = (): StoredPlan => ({ rounds: [], pinned: [] })

/**
 * A planned row made valid for the people here now: hosts at their table, everyone else where the row
 * says if that table exists (and, in a hybrid café, is of their venue), and anyone the row does not know
 * (arrived since) at the smallest table of their venue with room.
 * Without a row at all, `fallback` gives one (the server passes the default shift: fast, no search, for the event loop).
 */
export function fitToRoster(
  row: Seating | undefined, participants: readonly PlannerParticipant[], tables: readonly PlannerTable[],
  fallback: () => Seating,
): Seating {
  const base = row && Object.keys(row).length > 0 ? row : fallback()
  const byId = new Map(tables.map((t) => [t.id, t]))
  const split = isSplit(tables)
  const seating: Seating = {}
  const unplaced: PlannerParticipant[] = []
  for (const p of participants) {
    if (!p.present) continue
    const tid = p.hostOf !== null && byId.has(p.hostOf) ? p.hostOf : base[p.id]
    const table = tid === undefined ? undefined : byId.get(tid)
    if (table && (tid === p.hostOf || fitsVenue(split, table, p))) seating[p.id] = table.id
    else unplaced.push(p)
  }
  // Counted once, then kept up to date: a burst of arrivals costs one pass, not one per arrival.
  const counts = tableCounts(tables, seating)
  const eligible = tablesFor(tables)
  for (const p of unplaced) {
    const t = smallestCounted(eligible(p), counts)
    if (t) { seating[p.id] = t; counts.set(t, counts.get(t)! + 1) }
  }
  return seating
}

export type PlanEdit =
  | { ok: true; row: Seating; pins: Seating }
  | ({ ok: false } & AppError)

/**
 * Moves a person to a table in one planned round, or swaps them with `swapWith` (someone at that table).
 * Returns the new row and pins; the moved people are pinned there. Capacities and hosts are checked.
 */
export function editRow(
  row: Seating, pins: Seating, tables: readonly Table[], people: ReadonlyMap<string, PlannerParticipant>,
  move: { participantId: string; tableId: string; swapWith?: string | null | undefined },
): PlanEdit {
  const person = people.get(move.participantId)
  const table = tables.find((t) => t.id === move.tableId)
  if (!person) return refused('no_participant', 'No such participant.')
  if (!table) return refused('no_table', 'No such table.')
  const from = row[person.id]
  if (person.hostOf !== null && person.hostOf !== table.id) return refused('host_stays', 'A host stays at their table; unset the host first.')
  const wrongVenue = venueRefusal(tables, table, person)
  if (wrongVenue) return refused(wrongVenue.reason, wrongVenue.message, { params: { table: wrongVenue.table } })
  const next = { ...row }
  const nextPins = { ...pins }
  if (move.swapWith) {
    const other = people.get(move.swapWith)
    if (!other || row[other.id] !== table.id) return refused('swap_moved', 'That person is not at this table in this round any more.')
    if (other.id === person.id || row[other.id] === from) return { ok: true, row, pins }
    if (from === undefined) return refused('no_seat_yet', 'This person has no seat in this round yet.')
    if (other.hostOf !== null) return refused('host_stays', 'A host stays at their table; unset the host first.')
    const fromTable = tables.find((t) => t.id === from)
    const otherWrong = fromTable ? venueRefusal(tables, fromTable, other) : null
    if (otherWrong) return refused(otherWrong.reason, otherWrong.message, { params: { table: otherWrong.table } })
    next[other.id] = from
    nextPins[other.id] = from
  } else if (from === table.id) {
    return { ok: true, row, pins }
  } else {
    let count = 0
    for (const tid of Object.values(row)) if (tid === table.id) count++
    if (count >= table.capacity) return refused('table_full', `${table.name} is full in this round: drop the person onto someone there to swap their places.`, { params: { table: table.name } })
  }
  next[person.id] = table.id
  nextPins[person.id] = table.id
  return { ok: true, row: next, pins: nextPins }
}

const refused = <R extends ErrorReason>(reason: R, message: string, ...details: DetailsArg<R>): PlanEdit =>
  ({ ok: false, ...appError(reason, message, ...details) })
