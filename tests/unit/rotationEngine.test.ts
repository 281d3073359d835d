/** The rotation engine's internals: exact cost bookkeeping, the designs, the assignment solver. */
import { describe, expect, it } from 'vitest'
import { createRandom } from '../../shared/random'
import type { PlannerParticipant } from '../../shared/rotation'
import { greedyStart } from '../../shared/planner/construct'
import { affineDesign, field, kirkmanDesign } from '../../shared/planner/designs'
import { buildModel } from '../../shared/planner/model'
import { assignment, relabelRounds } from '../../shared/planner/relabel'
import { PlanState } from '../../shared/planner/state'

/** Pairs meeting more than once (k - 1 each) and the largest block-size spread, over the rounds of a design. */
function designStats(rounds: Int32Array[], points: number): { repeats: number; spread: number } {
  const met = new Map<number, number>()
  let spread = 0
  for (const blockOf of rounds) {
    const sizes = new Map<number, number>()
    for (let a = 0; a < points; a++) {
      sizes.set(blockOf[a]!, (sizes.get(blockOf[a]!) ?? 0) + 1)
      for (let b = a + 1; b < points; b++) if (blockOf[a] === blockOf[b]) met.set(a * points + b, (met.get(a * points + b) ?? 0) + 1)
    }
    spread = Math.max(spread, Math.max(...sizes.values()) - Math.min(...sizes.values()))
  }
  return { repeats: [...met.values()].reduce((s, k) => s + k - 1, 0), spread }
}

describe('designs', () => {
  it('builds the finite fields the affine designs need', () => {
    for (const q of [2, 3, 4, 5, 7, 8, 9, 16, 25, 27]) {
      const f = field(q)!
      expect(f, `GF(${q})`).not.toBeNull()
      for (let a = 1; a < q; a++) {
        const inverses = Array.from({ length: q }, (_, b) => f.mul(a, b)).filter((x) => x === 1)
        expect(inverses.length, `GF(${q}): ${a} has one inverse`).toBe(1)
      }
      for (let a = 0; a < q; a++) expect(new Set(Array.from({ length: q }, (_, b) => f.add(a, b))).size, `GF(${q}) addition`).toBe(q)
    }
    expect(field(6)).toBeNull()
    expect(field(10)).toBeNull()
  })

  it('affine designs: nobody meets twice, sizes within one, column 0 never together', () => {
    for (const [n, q, count] of [[16, 4, 5], [25, 5, 6], [20, 5, 5], [14, 4, 4], [36, 9, 9], [60, 8, 8], [49, 7, 8]] as const) {
      const rounds = affineDesign(n, q, count)!
      expect(rounds.length, `${n}/${q}`).toBe(count)
      expect(designStats(rounds, n), `${n}/${q}`).toEqual({ repeats: 0, spread: n % q === 0 ? 0 : 1 })
      if (count <= q) for (const blockOf of rounds) expect(new Set(Array.from({ length: q }, (_, y) => blockOf[y])).size).toBe(q)
    }
    expect(affineDesign(16, 4, 6)).toBeNull()
    expect(affineDesign(36, 6, 3)).toBeNull()
  })

  it("Kirkman's schoolgirls: 7 rounds of 5 triples, every pair exactly once", () => {
    const rounds = kirkmanDesign()
    expect(designStats(rounds, 15)).toEqual({ repeats: 0, spread: 0 })
    let pairs = 0
    for (const blockOf of rounds) for (let a = 0; a < 15; a++) for (let b = a + 1; b < 15; b++) if (blockOf[a] === blockOf[b]) pairs++
    expect(pairs, 'all 105 pairs, none twice').toBe(105)
  })
})

describe('assignment', () => {
  it('finds the cheapest perfect assignment (checked against brute force)', () => {
    const random = createRandom(5)
    const permutations = (k: number): number[][] => k === 0 ? [[]] : permutations(k - 1).flatMap((p) => Array.from({ length: k }, (_, i) => [...p.slice(0, i), k - 1, ...p.slice(i)]))
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + random.int(6)
      const cost = Float64Array.from({ length: n * n }, () => random.int(20))
      const total = (cols: ArrayLike<number>) => Array.from({ length: n }, (_, r) => cost[r * n + cols[r]!]!).reduce((a, b) => a + b, 0)
      const best = Math.min(...permutations(n).map(total))
      const cols = assignment(cost, n)
      expect(new Set(cols).size).toBe(n)
      expect(total(cols)).toBe(best)
    }
  })
})

describe('plan state bookkeeping', () => {
  /** The cost of the same seating, rebuilt from nothing. */
  const fresh = (s: PlanState) => {
    const t = new PlanState(s.m)
    s.a.forEach((row, r) => row.forEach((table, i) => t.place(r, i, table)))
    return t
  }

  it('keeps the cost and the meeting counts exact through every kind of move', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const random = createRandom(seed)
      const T = 2 + random.int(6)
      const n = 2 + random.int(T * 5)
      const participants: PlannerParticipant[] = Array.from({ length: n }, (_, i) => ({
        id: `p${i}`, hostOf: i < T && random.next() < 0.3 ? `t${i}` : null, present: true,
        organisation: random.next() < 0.7 ? `o${random.int(4)}` : null, sector: `s${random.int(3)}`,
      }))
      const tables = Array.from({ length: T }, (_, t) => ({ id: `t${t}`, capacity: 3 + random.int(5) }))
      const seatAnywhere = () => Object.fromEntries(participants.map((p) => [p.id, `t${random.int(T)}`]))
      const R = 1 + random.int(4)
      const m = buildModel({
        participants, tables, history: [seatAnywhere(), seatAnywhere()], shape: seed % 2 ? 'table-question' : 'classic', rounds: R,
        previousPlan: seed % 3 === 0 ? Array.from({ length: R }, seatAnywhere) : undefined,
      })
      const s = greedyStart(m, random)
      expect(s.cost, `seed ${seed}: construction`).toBe(fresh(s).cost)
      for (let step = 0; step < 400; step++) {
        const r = random.int(R)
        const movable = m.movable[r]!
        if (movable.length < 2) break
        const i = movable[random.int(movable.length)]!, j = movable[random.int(movable.length)]!
        const kind = random.int(4)
        if (kind === 0 && s.a[r]![i] !== s.a[r]![j]) s.applySwap(r, i, j, s.swapDelta(r, i, j))
        if (kind === 1) {
          const B = random.int(T)
          const d = s.moveDelta(r, i, B)
          if (d !== Infinity) s.applyMove(r, i, B, d)
        }
        if (kind === 2) {
          const A = random.int(T), B = random.int(T)
          const d = s.tableSwapDelta(r, A, B)
          if (d !== Infinity) s.applyTableSwap(r, A, B, d)
        }
        if (kind === 3 && i !== j) s.exchangeEverywhere(i, j)
      }
      const rebuilt = fresh(s)
      expect(s.cost, `seed ${seed}: after moves`).toBe(rebuilt.cost)
      expect(Array.from(s.meet), `seed ${seed}: meetings`).toEqual(Array.from(rebuilt.meet))
      const before = s.cost
      relabelRounds(s)
      expect(s.cost, `seed ${seed}: renaming never costs more`).toBeLessThanOrEqual(before)
      expect(s.cost, `seed ${seed}: after renaming`).toBe(fresh(s).cost)
    }
  })
})
