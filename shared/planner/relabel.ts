/**
 * Renaming the groups of a round: the same groups (so the same encounters), each sent to another table.
 * For every round in turn, the best naming given the other rounds is an assignment problem (group ->
 * table), solved exactly: it settles table-question revisits and, in a live re-plan, keeps groups where
 * the previous plan had them.
 */
import { W } from './model'
import type { PlanState } from './state'

// Local copies: a hot loop should not read them through a module binding.
const { balance: W_BALANCE, revisit: W_REVISIT } = W

const FORBIDDEN = 1e15

/** Minimum-cost perfect assignment on an n x n matrix (row-major): column of each row (Hungarian, O(n^3)). */
export function assignment(cost: Float64Array, n: number): Int32Array {
  const u = new Float64Array(n + 1), v = new Float64Array(n + 1)
  const p = new Int32Array(n + 1), way = new Int32Array(n + 1)
  const minv = new Float64Array(n + 1)
  const used = new Uint8Array(n + 1)
  for (let i = 1; i <= n; i++) {
    p[0] = i
    let j0 = 0
    minv.fill(Infinity)
    used.fill(0)
    do {
      used[j0] = 1
      const i0 = p[j0]!
      let delta = Infinity, j1 = 0
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue
        const cur = cost[(i0 - 1) * n + j - 1]! - u[i0]! - v[j]!
        if (cur < minv[j]!) { minv[j] = cur; way[j] = j0 }
        if (minv[j]! < delta) { delta = minv[j]!; j1 = j }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) { u[p[j]!]! += delta; v[j]! -= delta } else minv[j]! -= delta
      }
      j0 = j1
    } while (p[j0] !== 0)
    do {
      const j1 = way[j0]!
      p[j0] = p[j1]!
      j0 = j1
    } while (j0 !== 0)
  }
  const colOf = new Int32Array(n)
  for (let j = 1; j <= n; j++) if (p[j]! > 0) colOf[p[j]! - 1] = j - 1
  return colOf
}

/** Renaming costs O(T^3) per round and pass: skipped beyond this much work. */
const RELABEL_MAX_WORK = 4e7

/** Renames the groups of each round optimally, the other rounds fixed. Returns whether the plan improved. */
export function relabelRounds(s: PlanState, passes = 2): boolean {
  const m = s.m
  const { T, R, stride } = m
  if (T < 2 || T * T * T * R * passes > RELABEL_MAX_WORK || (!m.tableQuestion && !m.prev)) return false
  let improved = false
  const cost = new Float64Array(T * T)
  for (let pass = 0; pass < passes; pass++) {
    let changed = false
    for (let r = 0; r < R; r++) {
      const mem = s.mem[r]!, size = s.size[r]!
      for (let b = 0; b < T; b++) {
        for (let t = 0; t < T; t++) {
          let c = size[b]! > m.cap[r]![t]! ? FORBIDDEN : W_BALANCE * s.balancePenalty(r, t, size[b]!)
          for (let q = b * stride; q < b * stride + size[b]! && c < FORBIDDEN; q++) {
            const i = mem[q]!
            if (m.locked[r]![i]! >= 0 && t !== b) c = FORBIDDEN
            else c += s.seatCost(r, i, t) - (t === b && s.visits && m.host[i]! < 0 ? W_REVISIT : 0)
          }
          cost[b * T + t] = c
        }
      }
      const target = assignment(cost, T)
      let before = 0, after = 0
      for (let b = 0; b < T; b++) { before += cost[b * T + b]!; after += cost[b * T + target[b]!]! }
      if (after >= FORBIDDEN || after >= before) continue
      const groups = Array.from({ length: T }, (_, b) => Array.from(mem.subarray(b * stride, b * stride + size[b]!)))
      s.regroup(r, groups, target, after - before)
      changed = improved = true
    }
    if (!changed) break
  }
  return improved
}
