/**
 * Starting plans for the local search: a greedy construction (round by round: hosts and manual moves,
 * then the seats of the previous plan, then the most constrained people first, each to the cheapest
 * table that keeps sizes balanced), and a known design when the instance fits one (no manual moves, no
 * host or one per table, and no history or one history round whose groups match the design's first round).
 */
import type { RandomSource } from '../random'
import { designsFor } from './designs'
import type { Model } from './model'
import { PlanState } from './state'

/** Tables the greedy construction evaluates per person on large instances. */
const GREEDY_CANDIDATES = 48

export function greedyStart(m: Model, random: RandomSource): PlanState {
  const s = new PlanState(m)
  const { n, T, R } = m
  const candidates = new Int32Array(T)
  for (let r = 0; r < R; r++) {
    const lock = m.locked[r]!, lo = m.lo[r]!, hi = m.hi[r]!, cap = m.cap[r]!, size = s.size[r]!
    for (let i = 0; i < n; i++) if (lock[i]! >= 0) s.place(r, i, lock[i]!)
    const prev = m.prev?.[r]
    if (prev) for (const i of m.movable[r]!) if (prev[i]! >= 0 && size[prev[i]!]! < hi[prev[i]!]!) s.place(r, i, prev[i]!)
    const rest = Array.from(m.movable[r]!).filter((i) => s.a[r]![i]! < 0)
    const jitter = new Float64Array(n)
    for (const i of rest) jitter[i] = random.next()
    rest.sort((x, y) => m.visited[y]! - m.visited[x]! || m.metCount[y]! - m.metCount[x]! || jitter[x]! - jitter[y]!)
    let deficit = 0
    for (let t = 0; t < T; t++) deficit += Math.max(0, lo[t]! - size[t]!)
    let left = rest.length
    for (const i of rest) {
      let count = 0
      const limit = left <= deficit ? lo : hi
      for (let t = 0; t < T; t++) if (size[t]! < limit[t]!) candidates[count++] = t
      if (count === 0) for (let t = 0; t < T; t++) if (size[t]! < cap[t]!) candidates[count++] = t
      if (count === 0) for (let t = 0; t < T; t++) candidates[count++] = t
      if (count > GREEDY_CANDIDATES) {
        for (let k = 0; k < GREEDY_CANDIDATES; k++) {
          const j = k + random.int(count - k)
          const tmp = candidates[k]!
          candidates[k] = candidates[j]!
          candidates[j] = tmp
        }
        count = GREEDY_CANDIDATES
      }
      let best = -1
      let bestCost = Infinity
      const offset = random.int(count)
      for (let k = 0; k < count; k++) {
        const t = candidates[(k + offset) % count]!
        const c = s.joinCost(r, i, t, -1) + s.seatCost(r, i, t) + (size[t]! < lo[t]! ? -1 : 0)
        if (c < bestCost) { bestCost = c; best = t }
      }
      if (size[best]! < lo[best]!) deficit--
      s.place(r, i, best)
      left--
    }
  }
  return s
}

/**
 * A plan from a known design, or null when none fits the instance: no manual moves; no hosts, or one
 * per table (they take the design's transversal points, and each round's blocks are named by their host).
 */
export function designStart(m: Model): PlanState | null {
  const { n, T, R } = m
  if (n < 2 || T < 2) return null
  const hostOfTable = new Int32Array(T).fill(-1)
  let hosts = 0
  for (let i = 0; i < n; i++) {
    const t = m.host[i]!
    if (t < 0) continue
    if (hostOfTable[t]! >= 0) return null
    hostOfTable[t] = i
    hosts++
  }
  if (hosts !== 0 && hosts !== T) return null
  if (m.locked.some((lock) => lock.some((t, i) => t !== m.host[i]))) return null
  const h = m.historyLength
  if (h > 1 || (h === 1 && m.lastSeat.some((t, i) => t < 0 || (m.host[i]! >= 0 && t !== m.host[i])))) return null

  for (const design of designsFor(n, T, R + h)) {
    if (hosts > 0 && !design.transversal) continue
    const first = design.rounds[0]!
    const blocks: number[][] = Array.from({ length: T }, () => [])
    first.forEach((b, point) => blocks[b]!.push(point))
    // The table each block of the first round stands for (the history's groups, matched by size).
    const tableOfBlock = Int32Array.from({ length: T }, (_, b) => b)
    const groups: number[][] = Array.from({ length: T }, () => [])
    if (h === 1) {
      m.lastSeat.forEach((t, i) => groups[t]!.push(i))
      const bySize = (list: number[][]) => list.map((_, k) => k).sort((x, y) => list[y]!.length - list[x]!.length || x - y)
      const blockOrder = bySize(blocks), groupOrder = bySize(groups)
      if (blockOrder.some((b, k) => blocks[b]!.length !== groups[groupOrder[k]!]!.length)) continue
      blockOrder.forEach((b, k) => { tableOfBlock[b] = groupOrder[k]! })
    }
    const pointOf = new Int32Array(n).fill(-1)
    const taken = new Uint8Array(n)
    if (hosts > 0) for (const p of design.transversal!) {
      pointOf[hostOfTable[tableOfBlock[first[p]!]!]!] = p
      taken[p] = 1
    }
    if (h === 1) {
      blocks.forEach((points, b) => {
        const free = points.filter((p) => !taken[p])
        groups[tableOfBlock[b]!]!.filter((i) => pointOf[i]! < 0).forEach((i, x) => { pointOf[i] = free[x]! })
      })
    } else {
      let next = 0
      for (let i = 0; i < n; i++) {
        if (pointOf[i]! >= 0) continue
        while (taken[next]) next++
        pointOf[i] = next++
      }
    }
    const rounds = design.rounds.slice(h, h + R)
    const labels = rounds.map((blockOf) => {
      if (hosts === 0) return tableOfBlock
      const label = new Int32Array(T)
      for (let t = 0; t < T; t++) label[blockOf[pointOf[hostOfTable[t]!]!]!] = t
      return label
    })
    const fits = rounds.every((blockOf, r) => {
      const size = new Int32Array(T)
      for (let i = 0; i < n; i++) size[labels[r]![blockOf[pointOf[i]!]!]!]!++
      return size.every((sz, t) => sz <= m.cap[r]![t]! && sz >= m.lo[r]![t]! && sz <= m.hi[r]![t]!)
    })
    if (!fits) continue
    const s = new PlanState(m)
    rounds.forEach((blockOf, r) => { for (let i = 0; i < n; i++) s.place(r, i, labels[r]![blockOf[pointOf[i]!]!]!) })
    return s
  }
  return null
}
