/**
 * Hybrid cafés (docs/calls.md, "Hybrid seating"): some tables meet in the room, some online, and each
 * participant says where they take part (`remote`). People in the room sit only at room tables, remote
 * people only at online tables, in every round. The planner plans the two groups as two sub-cafés and
 * merges their rows; the server checks every hand-made seat against `venueRefusal`.
 *
 * The rule applies when the café has tables of both kinds ("split"). A café of one venue (room, online,
 * or a hybrid café whose tables are all of one kind) seats anyone anywhere, as before.
 */
import type { ErrorReason } from './errorReasons'
import type { PlannerParticipant, PlannerTable } from './rotation'

/** What the rule needs of a table: its `online` flag (hybrid cafés only). */
export interface VenueTable { id: string; online?: boolean | undefined }
/** What the rule needs of a person: do they take part online (hybrid cafés only)? */
export interface VenuePerson { remote?: boolean | undefined }

/** The café has room tables and online tables: the rule applies. */
export function isSplit(tables: readonly VenueTable[]): boolean {
  let online = false
  let room = false
  for (const t of tables) {
    if (t.online === true) online = true
    else room = true
    if (online && room) return true
  }
  return false
}

/** The table meets where the person takes part (online with online, in the room with in the room). */
const sameVenue = (table: VenueTable, remote: boolean): boolean => (table.online === true) === remote

/** Whether this person may sit at this table (always true in a café that is not split). */
export function fitsVenue(split: boolean, table: VenueTable, person: VenuePerson): boolean {
  return !split || sameVenue(table, person.remote === true)
}

/** The tables this person may sit at: those of their venue (all of them when the café is not split). */
export function eligibleTables<T extends VenueTable>(tables: readonly T[], person: VenuePerson): readonly T[] {
  if (!isSplit(tables)) return tables
  return tables.filter((t) => sameVenue(t, person.remote === true))
}

/** `eligibleTables` for many people: the two lists are made once. */
export function tablesFor<T extends VenueTable>(tables: readonly T[]): (person: VenuePerson) => readonly T[] {
  if (!isSplit(tables)) return () => tables
  const online = tables.filter((t) => sameVenue(t, true))
  const room = tables.filter((t) => sameVenue(t, false))
  return (person) => (person.remote === true ? online : room)
}

/** Why this seat breaks the rule (the reason names the table), or null when it does not. */
export function venueRefusal(tables: readonly VenueTable[], table: VenueTable & { name: string }, person: VenuePerson): { reason: Extract<ErrorReason, 'seat_online' | 'seat_room'>; message: string; table: string } | null {
  if (fitsVenue(isSplit(tables), table, person)) return null
  return table.online === true
    ? { reason: 'seat_online', table: table.name, message: `${table.name} is an online table: only people taking part online sit there.` }
    : { reason: 'seat_room', table: table.name, message: `${table.name} is a table in the room: people taking part online sit at the online tables.` }
}

/** What a planning input needs for the split: its people and tables (the rest is passed on whole). */
interface Splittable { participants: readonly PlannerParticipant[]; tables: readonly PlannerTable[] }

/**
 * The input as two sub-cafés, [room tables with the people in the room, online tables with the remote
 * people], or null when the café is not split. History, hand-made seats and the previous plan need no
 * filtering: the planner ignores people and tables that are not in its instance.
 */
export function splitByVenue<I extends Splittable>(input: I): [I, I] | null {
  if (!isSplit(input.tables)) return null
  const part = (online: boolean): I => ({
    ...input,
    participants: input.participants.filter((p) => (p.remote === true) === online),
    tables: input.tables.filter((t) => sameVenue(t, online)),
  })
  return [part(false), part(true)]
}
