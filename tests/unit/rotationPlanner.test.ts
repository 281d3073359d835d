import { describe, expect, it } from 'vitest'
import type { CafeShape } from '../../shared/cafe'
import { createRandom } from '../../shared/random'
import type { PlanInput, PlannerParticipant, PlannerTable, Seating } from '../../shared/rotation'
import { optimizingPlanner, planChanges, planQuality, planRemaining } from '../../shared/rotation'

const SECTORS = ['école', 'aide à la jeunesse', 'social', 'parents', 'santé']
const person = (id: string, extra: Partial<PlannerParticipant> = {}): PlannerParticipant =>
  ({ id, hostOf: null, organisation: null, sector: null, present: true, ...extra })
const people = (n: number, prefix = 'p'): PlannerParticipant[] => Array.from({ length: n }, (_, i) => person(`${prefix}${i}`))
const tables = (n: number, capacity: number): PlannerTable[] => Array.from({ length: n }, (_, t) => ({ id: `t${t + 1}`, capacity }))
const fromScratch = (participants: PlannerParticipant[], ts: readonly PlannerTable[], rounds: number, shape: CafeShape = 'classic', seed = 1): PlanInput =>
  ({ participants, tables: ts, history: [], shape, round: 1, rounds, seed })

const sizesOf = (seating: Seating, ts: readonly PlannerTable[]) => ts.map((t) => Object.values(seating).filter((x) => x === t.id).length)

/** Every hard constraint of a plan for rounds input.round..input.rounds (one expect: they are many). */
function checkHard(input: PlanInput, plan: Seating[], label: string): void {
  expect(plan.length, label).toBe(input.rounds - input.round + 1)
  const present = input.participants.filter((p) => p.present).map((p) => p.id).sort()
  const problems: string[] = []
  plan.forEach((seating, r) => {
    if (JSON.stringify(Object.keys(seating).sort()) !== JSON.stringify(present)) problems.push(`round ${r}: not exactly the present people`)
    const sizes = sizesOf(seating, input.tables)
    input.tables.forEach((t, k) => { if (sizes[k]! > t.capacity) problems.push(`round ${r}: ${t.id} over capacity`) })
    for (const p of input.participants) {
      if (!p.present) continue
      const fixed = r === 0 ? input.fixed?.[p.id] : undefined
      if (fixed && seating[p.id] !== fixed) problems.push(`round ${r}: manual move of ${p.id} lost`)
      if (!fixed && p.hostOf && seating[p.id] !== p.hostOf) problems.push(`round ${r}: host ${p.id} away`)
    }
  })
  expect(problems, label).toEqual([])
}

/** Sizes as even as capacities and locked people allow: a table two larger than another needs a reason. */
function checkBalanced(input: PlanInput, plan: Seating[], label: string): void {
  const problems: string[] = []
  plan.forEach((seating, r) => {
    const sizes = sizesOf(seating, input.tables)
    const lockedAt = (p: PlannerParticipant) => (r === 0 && input.fixed?.[p.id]) || p.hostOf
    const locked = input.tables.map((t) => input.participants.filter((p) => p.present && lockedAt(p) === t.id).length)
    input.tables.forEach((a, i) => input.tables.forEach((b, j) => {
      if (sizes[i]! > sizes[j]! + 1 && sizes[j] !== b.capacity && sizes[i] !== locked[i]) {
        problems.push(`round ${r}: ${a.id} has ${sizes[i]}, ${b.id} ${sizes[j]}`)
      }
    }))
  })
  expect(problems, label).toEqual([])
}

/** Table-question shape: no traveller at one table twice over history + plan. */
function revisits(participants: readonly PlannerParticipant[], all: Seating[]): number {
  let count = 0
  for (const p of participants) {
    if (p.hostOf) continue
    const seen = all.map((s) => s[p.id]).filter((t): t is string => t !== undefined)
    count += seen.length - new Set(seen).size
  }
  return count
}

interface Generated {
  input: PlanInput
  /** Table-question instances where a plan without revisits and with balanced sizes is known to exist. */
  symmetric: boolean
}

/** A random café at a random moment: sizes, capacities, hosts, absent people, organisations, history, manual moves. */
function generate(seed: number): Generated {
  const random = createRandom(seed)
  const T = 2 + random.int(7)
  const uniform = random.next() < 0.7
  const cap0 = 2 + random.int(6)
  const ts = Array.from({ length: T }, (_, t) => ({ id: `t${t + 1}`, capacity: uniform ? cap0 : 2 + random.int(7) }))
  const totalCap = ts.reduce((a, t) => a + t.capacity, 0)
  const n = 1 + random.int(totalCap)
  const orgs = Math.max(1, Math.ceil(n / 3))
  const ps: PlannerParticipant[] = Array.from({ length: n }, (_, i) => person(`p${i}`, {
    organisation: random.next() < 0.8 ? `org${random.int(orgs)}` : null,
    sector: random.next() < 0.8 ? SECTORS[random.int(SECTORS.length)]! : null,
  }))
  const hostShare = random.next() < 0.5 ? 0 : random.next() < 0.5 ? 1 : 0.5
  for (const t of ts) if (random.next() < hostShare) {
    const candidates = ps.filter((p) => !p.hostOf)
    if (candidates.length > 0) candidates[random.int(candidates.length)]!.hostOf = t.id
  }
  const hosts = ps.filter((p) => p.hostOf).length
  const shape: CafeShape = random.next() < 0.5 ? 'classic' : 'table-question'
  const rounds = shape === 'table-question' ? 1 + random.int(T) : 1 + random.int(5)
  const round = 1 + random.int(rounds)
  // The history: the first rounds of the planner's own plan of the whole café, played with everyone.
  const history = round > 1 ? planRemaining(fromScratch(ps, ts, rounds, shape, seed), { effort: 0.05 }).slice(0, round - 1) : []
  let absent = 0
  const absentShare = random.next() < 0.5 ? 0 : 0.05 + 0.2 * random.next()
  for (const p of ps) if (random.next() < absentShare) { p.present = false; absent++ }
  const fixed: Seating = {}
  if (random.next() < 0.3) {
    const locked = new Map(ts.map((t) => [t.id, ps.filter((p) => p.present && p.hostOf === t.id).length]))
    for (let k = 0; k < 2; k++) {
      const p = ps[random.int(n)]!
      const t = ts[random.int(T)]!
      if (!p.present || p.hostOf || fixed[p.id] || locked.get(t.id)! >= t.capacity) continue
      if (shape === 'table-question' && history.some((s) => s[p.id] === t.id)) continue
      fixed[p.id] = t.id
      locked.set(t.id, locked.get(t.id)! + 1)
    }
  }
  const hasFixed = Object.keys(fixed).length > 0
  return {
    input: { participants: ps, tables: ts, history, shape, round, rounds, seed, ...(hasFixed ? { fixed } : {}) },
    // Travellers all alike (no host or one everywhere), equal tables, nobody gone, no manual move, a
    // history without revisits: the rest of a revisit-free balanced plan exists (a Latin-square argument).
    symmetric: shape === 'table-question' && uniform && (hosts === 0 || hosts === T) && absent === 0 && !hasFixed &&
      revisits(ps, history) === 0,
  }
}

/** A fraction of the normal search budget, to keep 200 instances fast: the properties must hold anyway. */
const EFFORT = 0.1

describe('optimizing planner: properties on random cafés', () => {
  it('keeps the hard constraints, balance, table-question visits and determinism (200 seeded instances)', () => {
    let tqChecked = 0
    for (let seed = 1; seed <= 200; seed++) {
      const { input, symmetric } = generate(seed)
      const label = `seed ${seed}`
      const plan = planRemaining(input, { effort: EFFORT })
      checkHard(input, plan, label)
      // In the table-question shape, balance yields to revisits (which may force uneven tables).
      if (input.shape === 'classic' || (symmetric && input.history.length === 0)) checkBalanced(input, plan, label)
      if (symmetric) {
        expect(revisits(input.participants, [...input.history, ...plan]), `${label}: revisits`).toBe(0)
        tqChecked++
      }
      if (seed % 20 === 0) expect(planRemaining(input, { effort: EFFORT }), `${label}: same seed, same plan`).toEqual(plan)
    }
    expect(tqChecked).toBeGreaterThan(15)
  })

  it('planNext seats every present person for the next round, with hosts and manual moves kept', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { input } = generate(1000 + seed)
      const next = optimizingPlanner.planNext({ ...input, rounds: undefined })
      checkHard({ ...input, rounds: input.round }, [next], `seed ${1000 + seed}`)
    }
    expect(optimizingPlanner.name).toBe('optimizing')
  })
})

describe('optimizing planner: quality', () => {
  const repeats = (input: PlanInput, plan: Seating[]) => planQuality([...input.history, ...plan], input.participants, input.tables, input.shape).repeatedEncounters

  it('finds a plan without repeats for 16 people on 4 tables of 4 over 5 rounds, with or without the known design', () => {
    const input = fromScratch(people(16), tables(4, 4), 5)
    for (const plan of [planRemaining(input), planRemaining(input, { designs: false })]) {
      checkHard(input, plan, '16/4x4/5')
      expect(repeats(input, plan)).toBe(0)
      for (const s of plan) expect(sizesOf(s, input.tables)).toEqual([4, 4, 4, 4])
    }
  })

  it("solves Kirkman's fifteen schoolgirls (15 people, 5 tables of 3, 7 rounds)", () => {
    const input = fromScratch(people(15), tables(5, 3), 7)
    const plan = planRemaining(input)
    checkHard(input, plan, 'Kirkman')
    expect(repeats(input, plan)).toBe(0)
  })

  it('in the table-question shape with a host per table, every traveller meets each question once, nobody twice', () => {
    const ps = people(25)
    const ts = tables(5, 5)
    ts.forEach((t, k) => { ps[k]!.hostOf = t.id })
    const input = fromScratch(ps, ts, 5, 'table-question')
    const plan = planRemaining(input)
    checkHard(input, plan, 'tq hosts')
    expect(revisits(ps, plan)).toBe(0)
    expect(repeats(input, plan)).toBe(0)
  })

  it('seats people of one organisation apart when numbers allow (40 people, 10 organisations of 4, tables of 5)', () => {
    const ps = people(40).map((p, i) => ({ ...p, organisation: `org${i % 10}`, sector: SECTORS[i % 5]! }))
    const input = fromScratch(ps, tables(8, 5), 3)
    const plan = planRemaining(input)
    const q = planQuality(plan, ps, input.tables, 'classic')
    expect(q.sameOrganisationSeatings).toBe(0)
    expect(q.repeatedEncounters).toBe(0)
  })

  it('plans round by round through planNext (total rounds known) without repeats on 16 people, 4 x 4', () => {
    const ps = people(16)
    const ts = tables(4, 4)
    const history: Seating[] = [Object.fromEntries(ps.map((p, i) => [p.id, ts[i % 4]!.id]))]
    for (let round = 2; round <= 5; round++) {
      history.push(optimizingPlanner.planNext({ participants: ps, tables: ts, history, shape: 'classic', round, rounds: 5, seed: 3 }))
    }
    expect(planQuality(history, ps, ts, 'classic').repeatedEncounters).toBe(0)
  })
})

describe('optimizing planner: live re-plans keep the announced plan', () => {
  const planned = new Map<string, { ps: PlannerParticipant[]; ts: readonly PlannerTable[]; plan: Seating[] }>()
  /** The plan announced at the start of a 36-person café (organisations of 3, five sectors), 9 tables, 4 rounds. */
  const cafe36 = (shape: CafeShape, seed: number) => {
    const key = `${shape} ${seed}`
    if (!planned.has(key)) {
      const ps = people(36).map((p, i) => ({ ...p, organisation: `org${Math.floor(i / 3)}`, sector: SECTORS[i % 5]! }))
      const input = fromScratch(ps, tables(9, 6), 4, shape, seed)
      planned.set(key, { ps, ts: input.tables, plan: planRemaining(input) })
    }
    return planned.get(key)!
  }

  for (const shape of ['classic', 'table-question'] as const) {
    it(`after a late arrival, changes at most 3 seats (${shape}, 36 people)`, () => {
      for (const seed of [1, 2, 3]) {
        const { ps, ts, plan } = cafe36(shape, seed)
        const input: PlanInput = { participants: [...ps, person('late')], tables: ts, history: [plan[0]!], shape, round: 2, rounds: 4, previousPlan: plan.slice(1), seed }
        const next = planRemaining(input)
        checkHard(input, next, `late, seed ${seed}`)
        checkBalanced(input, next, `late, seed ${seed}`)
        expect(planChanges(plan.slice(1), next), `seed ${seed}`).toBeLessThanOrEqual(3)
        expect(planQuality([plan[0]!, ...next], input.participants, ts, shape).repeatedEncounters).toBe(0)
        if (shape === 'table-question') expect(revisits(input.participants, [plan[0]!, ...next])).toBe(0)
      }
    })

    it(`after a departure and after a no-show, changes at most 3 seats (${shape}, 36 people)`, () => {
      for (const seed of [1, 2, 3]) {
        const { ps, ts, plan } = cafe36(shape, seed)
        // Two people of one table leave after round 1: that table needs someone else.
        const leaving = new Set(Object.entries(plan[1]!).filter(([, t]) => t === 't1').slice(0, 2).map(([id]) => id))
        const after = ps.map((p) => (leaving.has(p.id) ? { ...p, present: false } : p))
        const input: PlanInput = { participants: after, tables: ts, history: [plan[0]!], shape, round: 2, rounds: 4, previousPlan: plan.slice(1), seed }
        const next = planRemaining(input)
        checkHard(input, next, `departure, seed ${seed}`)
        checkBalanced(input, next, `departure, seed ${seed}`)
        const changes = planChanges(plan.slice(1), next)
        expect(changes, `seed ${seed}`).toBeLessThanOrEqual(3)
        expect(changes, `seed ${seed}: a table of 2 beside tables of 4 must be rebalanced`).toBeGreaterThan(0)
        if (shape === 'table-question') expect(revisits(after, [plan[0]!, ...next])).toBe(0)

        const noShow = ps.map((p, i) => (i === 7 ? { ...p, present: false } : p))
        const again = planRemaining({ ...fromScratch(noShow, ts, 4, shape, seed), previousPlan: plan })
        checkHard({ ...fromScratch(noShow, ts, 4, shape, seed) }, again, `no-show, seed ${seed}`)
        expect(planChanges(plan, again), `no-show, seed ${seed}`).toBeLessThanOrEqual(3)
      }
    })
  }

  it('keeps a manual move and otherwise follows the announced plan', () => {
    const { ps, ts, plan } = cafe36('classic', 4)
    const mover = Object.keys(plan[1]!).find((id) => plan[1]![id] !== 't9')!
    const input: PlanInput = { participants: ps, tables: ts, history: [plan[0]!], shape: 'classic', round: 2, rounds: 4, previousPlan: plan.slice(1), fixed: { [mover]: 't9' }, seed: 4 }
    const next = planRemaining(input)
    checkHard(input, next, 'manual move')
    expect(next[0]![mover]).toBe('t9')
    expect(planChanges(plan.slice(1), next)).toBeLessThanOrEqual(3)
  })
})

describe('plan measures', () => {
  it('counts repeats, new people, organisations, sizes, capacity, hosts and revisits', () => {
    const ps = [person('a', { organisation: 'X' }), person('b', { organisation: 'x ' }), person('c'), person('d', { hostOf: 't1' })]
    const ts = [{ id: 't1', capacity: 1 }, { id: 't2', capacity: 3 }]
    const plan: Seating[] = [{ a: 't1', b: 't1', c: 't2', d: 't2' }, { a: 't1', b: 't1', c: 't2', d: 't2' }, { a: 't1', b: 't2', c: 't1', d: 't2' }]
    expect(planQuality(plan, ps, ts, 'table-question')).toEqual({
      repeatedEncounters: 2, averageNewPeople: 2, sameOrganisationSeatings: 2, sameOrganisationTables: 2, sizeImbalance: 0,
      capacityViolations: 3, hostViolations: 3, revisits: 2 + 1 + 1,
    })
    expect(planQuality(plan, ps, ts, 'classic').revisits).toBe(0)
    expect(planQuality([{ a: 't1', b: 't1', c: 't1' }], ps, ts, 'classic').sizeImbalance).toBe(3)
  })

  it('counts changed seats between two plans', () => {
    expect(planChanges([{ a: 't1', b: 't2' }, { a: 't2' }], [{ a: 't1', b: 't1', late: 't2' }, { a: 't1' }])).toBe(2)
    expect(planChanges([{ a: 't1' }], [])).toBe(0)
  })
})
