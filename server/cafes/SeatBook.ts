/**
 * The seatings a café changes in place (now, the announced round) and what follows them: how many sit
 * at each table, counted once per seating object and then kept up to date, and the plan's rows that are
 * copies of them, changed with them. So an arrival costs the same at 10 people as at 2,000, and the plan
 * copies a seating again only when it, or its row, was replaced (SeatingPlanKeeper's `syncPlan`). The
 * seats set are also kept until the next save, which can then store them instead of the whole record.
 */
import type { CafeDefinition } from '../../shared/cafe'
import type { Seating } from '../../shared/rotation'
import { tableCounts } from '../../shared/rotation'

type Tables = CafeDefinition['tables']

/** Changes kept for the next save at most: past this, the save is of the whole record anyway. */
const MAX_KEPT_CHANGES = 256

export class SeatBook {
  private counted = new WeakMap<Seating, { tables: Tables; counts: Map<string, number> }>()
  private mirrors = new WeakMap<Seating, Seating>()
  /** The seats set since `takeChanges`, in order; null once there were too many to keep. */
  private changes: Array<{ seating: Seating; id: string; tableId: string | undefined }> | null = []

  /** The one way a seating changes in place (`undefined`: no seat): its counts and its row follow. */
  set(seating: Seating, id: string, tableId: string | undefined): void {
    const before = seating[id]
    if (before === tableId) return
    if (this.changes && this.changes.push({ seating, id, tableId }) > MAX_KEPT_CHANGES) this.changes = null
    const counts = this.counted.get(seating)?.counts
    if (tableId === undefined) delete seating[id]
    else seating[id] = tableId
    if (counts) {
      if (before !== undefined && counts.has(before)) counts.set(before, counts.get(before)! - 1)
      if (tableId !== undefined && counts.has(tableId)) counts.set(tableId, counts.get(tableId)! + 1)
    }
    const row = this.mirrors.get(seating)
    if (row) {
      if (tableId === undefined) delete row[id]
      else row[id] = tableId
    }
  }

  /** How many sit at each of `tables` (counted again when the tables or the seating object change). */
  counts(seating: Seating, tables: Tables): ReadonlyMap<string, number> {
    let kept = this.counted.get(seating)
    if (kept?.tables !== tables) {
      kept = { tables, counts: tableCounts(tables, seating) }
      this.counted.set(seating, kept)
    }
    return kept.counts
  }

  /** The seats set since the last call, in order (null: too many were, the record is to be saved whole). */
  takeChanges(): Array<{ seating: Seating; id: string; tableId: string | undefined }> | null {
    const taken = this.changes
    this.changes = []
    return taken
  }

  /** The plan's row `i` is a copy of `seating`: copied again only if either was replaced since (then true). */
  mirror(rows: Seating[], i: number, seating: Seating): boolean {
    if (rows[i] !== undefined && this.mirrors.get(seating) === rows[i]) return false
    rows[i] = { ...seating }
    this.mirrors.set(seating, rows[i])
    return true
  }
}
