/**
 * Seat changes appended to a stored café record (`Store.appendCafeSeats`), applied when the record is
 * read: to the seating of now or of the announced round, and to the plan's row that mirrors it
 * (`mirroredRows`, the rows `SeatingPlanKeeper` keeps equal to them). Pure.
 */
import { mirroredRows } from '../cafes/openRounds'
import type { CafeRecord, CafeSeatChange } from './Store'

export function applySeatChanges(record: CafeRecord, changes: Iterable<CafeSeatChange>): CafeRecord {
  const rows = record.plan?.rounds
  const mirrored = mirroredRows(record)
  const nowRow = mirrored.now === null ? undefined : rows?.[mirrored.now]
  const nextRow = mirrored.next === null ? undefined : rows?.[mirrored.next]
  for (const change of changes) {
    for (const [which, id, tableId] of change.seats) {
      const seating = which === 'now' ? record.seating : record.nextSeating
      if (!seating) continue
      const row = which === 'now' ? nowRow : nextRow
      for (const s of row ? [seating, row] : [seating]) {
        if (tableId === null) delete s[id]
        else s[id] = tableId
      }
    }
    record.updatedAt = change.updatedAt
  }
  return record
}

/** A stored change read back (from our own database: a row that is not one is a bug, and says so). */
export function parseSeatChange(data: string): CafeSeatChange {
  const c = JSON.parse(data) as CafeSeatChange
  if (typeof c?.updatedAt !== 'number' || !Array.isArray(c.seats)) throw new Error('malformed stored seat change')
  return c
}
