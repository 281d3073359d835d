/**
 * Who sits where next. The server calls a `RotationPlanner` before each move; the default one here is a
 * simple greedy shift, and the optimizing engine (shared/planner/) plugs in behind the same interface:
 * `optimizingPlanner`, with `planRemaining` to plan every remaining round at once.
 */
import type { CafeShape } from './cafe'
import { splitByVenue } from './hybridSeats'
import { createRandom } from './random'

export interface PlannerParticipant {
  id: string
  /** Table this person hosts (stays at in every round), or null for a traveller. */
  hostOf: string | null
  organisation: string | null
  sector: string | null
  present: boolean
  /** Hybrid cafés: takes part online, so sits only at online tables (shared/hybridSeats.ts). */
  remote?: boolean
}

export interface PlannerTable {
  id: string
  capacity: number
  /** Hybrid cafés: an online table, for remote people only. */
  online?: boolean
}

/** participant id -> table id */
export type Seating = Record<string, string>

export interface RotationInput {
  participants: readonly PlannerParticipant[]
  tables: readonly PlannerTable[]
  /** Seating of every round already played (or being played), oldest first. */
  history: readonly Seating[]
  shape: CafeShape
  /** The round being planned, 1-based. */
  round: number
  /** Moves made by hand that the plan must keep. */
  fixed?: Seating
  seed: number
  /** Total rounds of the café, when known: the optimizing planner then plans ahead (see planRemaining). */
  rounds?: number
}

export interface RotationPlanner {
  readonly name: string
  /** Every present participant's table for `input.round`. Never throws on valid input. */
  planNext(input: RotationInput): Seating
}

export { createOptimizingPlanner, livePlanner, optimizingPlanner, planRemaining } from './planner/index'
export type { PlanInput, PlanOptions } from './planner/index'
export { planChanges, planQuality } from './planner/quality'
export type { PlanQuality } from './planner/quality'

/** Pairs who already sat at one table, as a map from each person to the people they met. */
export function encounters(history: readonly Seating[]): Map<string, Set<string>> {
  const met = new Map<string, Set<string>>()
  for (const seating of history) {
    const byTable = groupByTable(seating)
    for (const people of byTable.values()) {
      for (const a of people) {
        let set = met.get(a)
        if (!set) met.set(a, (set = new Set()))
        for (const b of people) if (a !== b) set.add(b)
      }
    }
  }
  return met
}

export function groupByTable(seating: Seating): Map<string, string[]> {
  const byTable = new Map<string, string[]>()
  for (const [pid, tid] of Object.entries(seating)) {
    const list = byTable.get(tid)
    if (list) list.push(pid)
    else byTable.set(tid, [pid])
  }
  return byTable
}

/**
 * The default planner: hosts stay; travellers of one group scatter to different tables, each taking the
 * table where they have met the fewest people so far, with sizes kept balanced and capacities respected.
 * In the "table-question" shape nobody visits a table (a question) twice while an unvisited one has room.
 * A hybrid café is planned as two cafés: the room's and the online one (shared/hybridSeats.ts).
 */
export const shiftPlanner: RotationPlanner = {
  name: 'shift',
  planNext(input) {
    const parts = splitByVenue(input)
    return parts ? { ...shiftOne(parts[0]), ...shiftOne(parts[1]) } : shiftOne(input)
  },
}

function shiftOne(input: RotationInput): Seating {
  const { tables, history, shape } = input
  if (tables.length === 0) return {}
  const tableIndex = new Map(tables.map((t, i) => [t.id, i]))
  const present = input.participants.filter((p) => p.present)
  const last = history.at(-1) ?? {}
  const met = encounters(history)
  const visited = new Map<string, Set<string>>()
  for (const seating of history) {
    for (const [pid, tid] of Object.entries(seating)) {
      let set = visited.get(pid)
      if (!set) visited.set(pid, (set = new Set()))
      set.add(tid)
    }
  }

  const result: Seating = {}
  const seated = new Map<string, string[]>(tables.map((t) => [t.id, []]))
  const place = (pid: string, tid: string) => {
    result[pid] = tid
    seated.get(tid)!.push(pid)
  }
  const travellers: PlannerParticipant[] = []
  for (const p of present) {
    const fixed = input.fixed?.[p.id]
    if (fixed !== undefined && tableIndex.has(fixed)) place(p.id, fixed)
    else if (p.hostOf !== null && tableIndex.has(p.hostOf)) place(p.id, p.hostOf)
    else travellers.push(p)
  }

  // Interleave groups: first traveller of every table, then the second of every table, and so on,
  // so that each group scatters; a seeded shuffle inside a rank keeps ties from favouring ids.
  const random = createRandom(input.seed ^ (input.round * 2654435761))
  const rankInGroup = new Map<string, number>()
  const groups = new Map<string, PlannerParticipant[]>()
  for (const p of travellers) {
    const key = last[p.id] ?? ''
    const g = groups.get(key)
    if (g) g.push(p)
    else groups.set(key, [p])
  }
  for (const g of groups.values()) g.sort((a, b) => (a.id < b.id ? -1 : 1)).forEach((p, i) => rankInGroup.set(p.id, i))
  const jitter = new Map(travellers.map((p) => [p.id, random.next()]))
  travellers.sort((a, b) =>
    rankInGroup.get(a.id)! - rankInGroup.get(b.id)! ||
    (tableIndex.get(last[a.id] ?? '') ?? -1) - (tableIndex.get(last[b.id] ?? '') ?? -1) ||
    jitter.get(a.id)! - jitter.get(b.id)!)

  const target = Math.ceil(present.length / tables.length)
  for (const p of travellers) {
    const from = tableIndex.get(last[p.id] ?? '')
    const rank = rankInGroup.get(p.id)!
    const seen = visited.get(p.id)
    const knows = met.get(p.id)
    let best: string | null = null
    let bestScore = Infinity
    for (const t of tables) {
      const here = seated.get(t.id)!
      let score = 0
      if (here.length >= t.capacity) score += 1e9
      if (here.length >= Math.min(target, t.capacity)) score += 1e6
      if (shape === 'table-question' && seen?.has(t.id)) score += 1e4
      // Meeting someone again costs more than staying put (in a classic café the question changes anyway).
      if (knows) for (const q of here) if (knows.has(q)) score += 100
      if (t.id === last[p.id]) score += 50
      // Preferred direction: the classic shift, rank r of table i goes to table i + 1 + r.
      const preferred = from === undefined ? 0 : (from + 1 + rank) % tables.length
      score += (tableIndex.get(t.id)! - preferred + tables.length) % tables.length
      if (score < bestScore) { bestScore = score; best = t.id }
    }
    place(p.id, best!)
  }
  return result
}

/** Where a late arrival sits: the table with the fewest people that still has room (else the fewest). */
export function smallestTable(tables: readonly PlannerTable[], seating: Seating): string | null {
  return smallestCounted(tables, tableCounts(tables, seating))
}

/** How many people sit at each table (tables of `tables` only). */
export function tableCounts(tables: readonly PlannerTable[], seating: Seating): Map<string, number> {
  const counts = new Map(tables.map((t) => [t.id, 0]))
  for (const tid of Object.values(seating)) if (counts.has(tid)) counts.set(tid, counts.get(tid)! + 1)
  return counts
}

/** `smallestTable` from counts already made (placing many people: count once, then add each). */
export function smallestCounted(tables: readonly PlannerTable[], counts: ReadonlyMap<string, number>): string | null {
  let best: PlannerTable | null = null
  for (const t of tables) {
    if (!best) { best = t; continue }
    const c = counts.get(t.id)!, bc = counts.get(best.id)!
    const full = c >= t.capacity, bestFull = bc >= best.capacity
    if ((bestFull && !full) || (full === bestFull && c < bc)) best = t
  }
  return best?.id ?? null
}
