/**
 * Local search over a plan: simulated annealing driven by conflicts. Each step takes a "troubled"
 * seat (a repeat, a revisit, a same-organisation tablemate, a crowded sector, a size out of bounds, or a
 * seat changed from the previous plan), evaluates swaps with people at other tables of that round, moves
 * to their tables or to one random table, and their moves to this table (every person of the round on
 * small rounds, a seeded sample on large ones), and takes the best non-tabu one under the Metropolis rule.
 * The seats around each applied move are rechecked at once, and all seats now and then. Occasional compound moves: two people exchanging seats in every
 * round (keeps a design's zero repeats while fixing organisations), and two tables trading their groups
 * (table-question shape and live re-plans: fixes revisits and changed seats without new meetings).
 *
 * The work is bounded by an iteration budget (deterministic); the wall-clock cap is only a safety net.
 */
import type { RandomSource } from '../random'
import type { PlanState } from './state'

export interface SearchOptions {
  iterations: number
  /** Iterations of one annealing cycle (cool down from hot to cold). */
  cycle: number
  random: RandomSource
  /** Date.now() after which the search stops whatever the budget (safety net only). */
  deadline: number
}

const SAMPLE = 24
/** Cycles in a row without a better plan after which the search stops (if only minor trouble is left). */
const IDLE_CYCLES = 1
/** Rounds with at most this many movable people get every swap evaluated; larger ones a sample. */
const FULL_ROUND = 48

export function improve(s: PlanState, { iterations, cycle: cycleLength, random, deadline }: SearchOptions): Int32Array[] {
  const m = s.m
  const { n, T, R } = m
  // The best plan is copied lazily: only when the search is about to leave it by a worsening move.
  let best = s.cost
  let bestPlan: Int32Array[] | null = null
  let atBest = true
  const tabu = new Int32Array(R * n)
  // Seats in trouble, by level (see PlanState.trouble): the serious ones are picked most of the time.
  let serious: number[] = []
  let minor: number[] = []
  // Full rescans are a safety net: the seats around each applied move are rechecked right away (touch).
  const refresh = Math.max(2000, n * R)
  // Temperatures in cost units: 100 is one repeat, so hot accepts a repeat now and then, cold almost never.
  const t0 = 120, t1 = 4
  const rebuild = () => {
    serious = []
    minor = []
    for (let r = 0; r < R; r++) {
      for (const i of m.movable[r]!) {
        const level = s.trouble(r, i)
        if (level === 2) serious.push(r * n + i)
        else if (level === 1) minor.push(r * n + i)
      }
    }
  }
  const touch = (r: number, t: number) => {
    const mem = s.mem[r]!
    for (let q = t * m.stride; q < t * m.stride + s.size[r]![t]!; q++) {
      const i = mem[q]!
      if (m.locked[r]![i]! >= 0) continue
      const level = s.trouble(r, i)
      if (level === 2) serious.push(r * n + i)
      else if (level === 1) minor.push(r * n + i)
    }
  }
  const accept = (delta: number, temp: number) => delta <= 0 || random.next() < Math.exp(-delta / temp)
  const leaving = (delta: number) => {
    if (delta > 0 && atBest) { bestPlan = s.snapshot(); atBest = false }
  }
  const record = () => {
    if (s.cost <= best) { best = s.cost; atBest = true }
  }

  // Annealing in cycles (cool down, reheat); the search ends with the budget, when no seat is in
  // trouble any more, or when only minor trouble is left and a whole cycle did not improve the plan.
  const cycle = Math.max(1, Math.min(iterations, cycleLength))
  let cycleStartBest = best
  let idleCycles = 0
  for (let it = 0; it < iterations; it++) {
    const phase = it % cycle
    if (phase === 0 && it > 0) {
      idleCycles = best < cycleStartBest ? 0 : idleCycles + 1
      rebuild()
      if (idleCycles >= IDLE_CYCLES && serious.length === 0) break
      cycleStartBest = best
    }
    if (it % refresh === 0) {
      rebuild()
      if (Date.now() > deadline) break
    }
    if (serious.length + minor.length === 0) { rebuild(); if (serious.length + minor.length === 0) break }
    const temp = t0 * Math.pow(t1 / t0, phase / cycle)
    const list = serious.length > 0 && (minor.length === 0 || random.next() < 0.85) ? serious : minor
    const pick = random.int(list.length)
    const item = list[pick]!
    const r = Math.floor(item / n), i = item % n
    if (s.trouble(r, i) === 0) {
      list[pick] = list[list.length - 1]!
      list.pop()
      continue
    }
    const A = s.a[r]![i]!
    const u = random.next()

    if (u < 0.05 && R > 1) {
      const j = m.movable[r]![random.int(m.movable[r]!.length)]!
      if (j === i) continue
      const { delta, rounds } = s.exchangeEverywhere(i, j)
      s.undoExchange(i, j, rounds)
      if (rounds.length > 0 && accept(delta, temp)) {
        leaving(delta)
        s.exchangeEverywhere(i, j)
        for (const q of rounds) { touch(q, s.a[q]![i]!); touch(q, s.a[q]![j]!) }
        record()
      }
      continue
    }
    if (u < 0.1 && (m.tableQuestion || m.prev)) {
      const B = random.int(T)
      const delta = s.tableSwapDelta(r, A, B)
      if (delta !== Infinity && accept(delta, temp)) {
        leaving(delta)
        s.applyTableSwap(r, A, B, delta)
        touch(r, A)
        touch(r, B)
        record()
      }
      continue
    }

    // Best of: swaps with people at other tables, moves to their tables (or to any one table, which
    // reaches empty ones), and their moves to this table (which fill a gap here).
    const people = m.movable[r]!
    const all = people.length <= FULL_ROUND
    const count = all ? people.length : SAMPLE
    let bestB = random.int(T), bestJ = -1, who = i
    let bestDelta = s.moveDelta(r, i, bestB)
    for (let k = 0; k < count; k++) {
      const j = all ? people[k]! : people[random.int(people.length)]!
      const B = s.a[r]![j]!
      if (B === A) continue
      const tabuJ = tabu[r * n + j]! > it
      const d = s.swapDelta(r, i, j)
      if (d < bestDelta && (!tabuJ || s.cost + d < best)) { bestDelta = d; bestJ = j; bestB = -1 }
      if (k < 6 || all) {
        const dm = s.moveDelta(r, i, B)
        if (dm < bestDelta) { bestDelta = dm; bestJ = -1; who = i; bestB = B }
        const dp = s.moveDelta(r, j, A)
        if (dp < bestDelta && (!tabuJ || s.cost + dp < best)) { bestDelta = dp; bestJ = -1; who = j; bestB = A }
      }
    }
    if (bestDelta === Infinity || !accept(bestDelta, temp)) continue
    leaving(bestDelta)
    if (bestJ >= 0) {
      const B = s.a[r]![bestJ]!
      s.applySwap(r, i, bestJ, bestDelta)
      tabu[r * n + bestJ] = it + 2 + random.int(6)
      touch(r, A)
      touch(r, B)
    } else {
      const from = s.a[r]![who]!
      s.applyMove(r, who, bestB, bestDelta)
      touch(r, from)
      touch(r, bestB)
    }
    tabu[r * n + i] = it + 2 + random.int(6)
    record()
  }
  return atBest || !bestPlan ? s.snapshot() : bestPlan
}
