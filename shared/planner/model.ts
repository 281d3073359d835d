/**
 * The planning instance in index form: present people 0..n-1, tables 0..T-1, planned rounds 0..R-1
 * (round 0 is `input.round`). Everything the search needs is precomputed here: who is locked where
 * (hosts, manual moves), effective capacities, the balanced size bounds of every round, and the
 * meetings and table visits of the history.
 */
import type { CafeShape } from '../cafe'
import type { PlannerParticipant, PlannerTable, Seating } from '../rotation'

/**
 * Cost weights, in order of importance. Capacities, hosts and manual moves are never broken by a move
 * (they are not in the cost at all). Balance sits above repeats: a table of 2 beside a table of 6 is
 * worse for a café than one pair meeting twice. A changed seat (live re-plan) outweighs one repeat, so
 * a late arrival disturbs only the seats that balance needs.
 */
export const W = { revisit: 100_000, balance: 10_000, change: 150, repeat: 100, org: 20, sector: 2 } as const

export interface ModelInput {
  participants: readonly PlannerParticipant[]
  tables: readonly PlannerTable[]
  history: readonly Seating[]
  shape: CafeShape
  fixed?: Seating | undefined
  /** Manual seats per planned round (index 0 = the first planned round): kept like hosts. */
  pinned?: readonly (Seating | null | undefined)[] | undefined
  /** Number of rounds to plan (>= 1). */
  rounds: number
  previousPlan?: readonly Seating[] | undefined
}

export interface Model {
  n: number
  T: number
  R: number
  ids: string[]
  tableIds: string[]
  tableQuestion: boolean
  org: Int32Array
  sector: Int32Array
  /** Table a person hosts, or -1: hosts are not travellers (no revisit cost). */
  host: Int32Array
  /** Per round: the table a person must sit at, or -1. */
  locked: Int32Array[]
  /** Per round: people the search may move. */
  movable: Int32Array[]
  /** Per round: effective capacity (the real one, raised only when the input cannot fit otherwise). */
  cap: Int32Array[]
  lo: Int32Array[]
  hi: Int32Array[]
  /** Largest effective capacity: the stride of the member arrays. */
  stride: number
  /** Meetings of the history, n*n (symmetric). */
  meet: Uint8Array
  /** Visits of the history, n*T, only in the table-question shape. */
  visits: Uint8Array | null
  /** Per round: the previously announced table, or -1. Null without a previous plan. */
  prev: Int32Array[] | null
  /** Number of distinct tables each person visited in the history (table-question), else zeros. */
  visited: Int32Array
  /** Distinct people each person met in the history. */
  metCount: Int32Array
  historyLength: number
  /** Table of each person in the last round of the history, or -1. */
  lastSeat: Int32Array
  /** Number of distinct sectors among the people. */
  sectorCount: number
}

/** How organisations and sectors compare: "CPAS " and "cpas" are one; blank is none (null). */
export function groupKey(value: string | null | undefined): string | null {
  const key = value?.trim().toLowerCase()
  return key ? key : null
}

const interned = (values: ReadonlyArray<string | null>): Int32Array => {
  const codes = new Map<string, number>()
  return Int32Array.from(values, (v) => {
    const key = groupKey(v)
    if (key === null) return -1
    let code = codes.get(key)
    if (code === undefined) codes.set(key, (code = codes.size))
    return code
  })
}

/** Sizes as even as possible: s_t = clamp(L, floor_t, cap_t) or one more, with the largest such L. */
export function balancedBounds(n: number, floor: Int32Array, cap: Int32Array): { lo: Int32Array; hi: Int32Array } {
  const T = cap.length
  const clampSum = (level: number) => {
    let sum = 0
    for (let t = 0; t < T; t++) sum += Math.min(cap[t]!, Math.max(level, floor[t]!))
    return sum
  }
  let low = 0
  let high = Math.max(0, ...cap)
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if (clampSum(mid) <= n) low = mid
    else high = mid - 1
  }
  const lo = new Int32Array(T)
  const hi = new Int32Array(T)
  for (let t = 0; t < T; t++) {
    lo[t] = Math.min(cap[t]!, Math.max(low, floor[t]!))
    hi[t] = Math.min(cap[t]!, Math.max(low + 1, floor[t]!))
  }
  return { lo, hi }
}

export function buildModel(input: ModelInput): Model {
  const present = input.participants.filter((p) => p.present)
  const seen = new Set<string>()
  const people = present.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)))
  const n = people.length
  const T = input.tables.length
  const R = Math.max(1, input.rounds)
  const ids = people.map((p) => p.id)
  const tableIds = input.tables.map((t) => t.id)
  const personIndex = new Map(ids.map((id, i) => [id, i]))
  const tableIndex = new Map(tableIds.map((id, t) => [id, t]))
  const tableQuestion = input.shape === 'table-question'

  const host = Int32Array.from(people, (p) => (p.hostOf !== null ? tableIndex.get(p.hostOf) ?? -1 : -1))
  const locked: Int32Array[] = []
  const movable: Int32Array[] = []
  const cap: Int32Array[] = []
  const lo: Int32Array[] = []
  const hi: Int32Array[] = []
  let stride = 1
  for (let r = 0; r < R; r++) {
    // Hosts stay at their table; a manual move (for the first planned round, or pinned for any) wins even over that.
    const lock = Int32Array.from(host)
    for (const manual of [r === 0 ? input.fixed : undefined, input.pinned?.[r]]) {
      if (manual) for (const [pid, tid] of Object.entries(manual)) {
        const i = personIndex.get(pid)
        const t = tableIndex.get(tid)
        if (i !== undefined && t !== undefined) lock[i] = t
      }
    }
    const floor = new Int32Array(T)
    for (let i = 0; i < n; i++) if (lock[i]! >= 0) floor[lock[i]!]!++
    const c = Int32Array.from(input.tables, (t, k) => Math.max(Math.max(0, Math.floor(t.capacity)), floor[k]!))
    // More people than seats: the least overfull tables take the extra people, one at a time.
    let total = c.reduce((a, b) => a + b, 0)
    while (T > 0 && total < n) {
      let best = 0
      for (let t = 1; t < T; t++) if (c[t]! - (input.tables[t]!.capacity) < c[best]! - input.tables[best]!.capacity) best = t
      c[best]!++
      total++
    }
    const b = balancedBounds(n, floor, c)
    locked.push(lock)
    movable.push(Int32Array.from(ids.keys()).filter((i) => lock[i]! < 0))
    cap.push(c)
    lo.push(b.lo)
    hi.push(b.hi)
    for (const x of c) stride = Math.max(stride, x)
  }

  const meet = new Uint8Array(n * n)
  const visits = tableQuestion ? new Uint8Array(n * T) : null
  for (const seating of input.history) {
    const groups = new Map<number, number[]>()
    for (const [pid, tid] of Object.entries(seating)) {
      const i = personIndex.get(pid)
      const t = tableIndex.get(tid)
      if (i === undefined || t === undefined) continue
      const g = groups.get(t)
      if (g) g.push(i)
      else groups.set(t, [i])
      if (visits && visits[i * T + t]! < 255) visits[i * T + t]!++
    }
    for (const g of groups.values()) {
      for (const a of g) for (const b of g) if (a !== b && meet[a * n + b]! < 255) meet[a * n + b]!++
    }
  }
  const lastSeat = new Int32Array(n).fill(-1)
  for (const [pid, tid] of Object.entries(input.history.at(-1) ?? {})) {
    const i = personIndex.get(pid)
    const t = tableIndex.get(tid)
    if (i !== undefined && t !== undefined) lastSeat[i] = t
  }
  const metCount = new Int32Array(n)
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) if (meet[i * n + k]! > 0) metCount[i]!++
  const visited = new Int32Array(n)
  if (visits) for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) if (visits[i * T + t]! > 0) visited[i]!++

  let prev: Int32Array[] | null = null
  if (input.previousPlan && input.previousPlan.length > 0) {
    prev = []
    for (let r = 0; r < R; r++) {
      const row = new Int32Array(n).fill(-1)
      const seating = input.previousPlan[r]
      if (seating) for (const [pid, tid] of Object.entries(seating)) {
        const i = personIndex.get(pid)
        const t = tableIndex.get(tid)
        if (i !== undefined && t !== undefined) row[i] = t
      }
      prev.push(row)
    }
  }

  const sector = interned(people.map((p) => p.sector))
  return {
    n, T, R, ids, tableIds, tableQuestion,
    org: interned(people.map((p) => p.organisation)),
    sector, sectorCount: new Set(sector.filter((s) => s >= 0)).size,
    host, locked, movable, cap, lo, hi, stride, meet, visits, prev, visited, metCount,
    historyLength: input.history.length, lastSeat,
  }
}
