import { describe, expect, it } from 'vitest'
import type { PlannerParticipant, PlannerTable, Seating } from '../../shared/rotation'
import { encounters, groupByTable, shiftPlanner, smallestTable } from '../../shared/rotation'
import { createRandom } from '../../shared/random'

const people = (n: number, hosts: Record<number, string> = {}): PlannerParticipant[] =>
  Array.from({ length: n }, (_, i) => ({ id: `p${String(i).padStart(2, '0')}`, hostOf: hosts[i] ?? null, organisation: null, sector: null, present: true }))
const tables = (n: number, capacity = 10): PlannerTable[] => Array.from({ length: n }, (_, i) => ({ id: `t${i + 1}`, capacity }))

/** Round-robin initial seating, as joins produce it. */
const initial = (ps: PlannerParticipant[], ts: PlannerTable[]): Seating =>
  Object.fromEntries(ps.map((p, i) => [p.id, p.hostOf ?? ts[i % ts.length]!.id]))

function play(ps: PlannerParticipant[], ts: PlannerTable[], rounds: number, shape: 'classic' | 'table-question', seed = 1): Seating[] {
  const history = [initial(ps, ts)]
  for (let r = 2; r <= rounds; r++) history.push(shiftPlanner.planNext({ participants: ps, tables: ts, history, shape, round: r, seed }))
  return history
}

const repeatedPairs = (history: Seating[]): number => {
  const seen = new Map<string, number>()
  for (const s of history) for (const group of groupByTable(s).values()) {
    for (const a of group) for (const b of group) if (a < b) seen.set(`${a}|${b}`, (seen.get(`${a}|${b}`) ?? 0) + 1)
  }
  return [...seen.values()].filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0)
}

describe('default rotation (shift planner)', () => {
  it('keeps hosts at their table and moves every traveller', () => {
    const ps = people(12, { 0: 't1', 1: 't2', 2: 't3' })
    const ts = tables(3)
    const [r1, r2] = play(ps, ts, 2, 'classic')
    expect(r2!.p00).toBe('t1')
    expect(r2!.p01).toBe('t2')
    expect(r2!.p02).toBe('t3')
    for (const p of ps.slice(3)) expect(r2![p.id], p.id).not.toBe(r1![p.id])
  })

  it('scatters each group: no two travellers of a table sit together again when tables allow it', () => {
    const ps = people(16)
    const history = play(ps, tables(4, 4), 2, 'classic')
    expect(repeatedPairs(history)).toBe(0)
    expect([...groupByTable(history[1]!).values()].map((g) => g.length)).toEqual([4, 4, 4, 4])
  })

  it('in "each table its own question", every group visits every table once', () => {
    const ps = people(10, { 0: 't1', 1: 't2' })
    const ts = tables(2, 6)
    const history = play(ps, ts, 2, 'table-question')
    for (const p of ps.slice(2)) expect(new Set(history.map((s) => s[p.id])).size, p.id).toBe(2)
    const ts3 = tables(3)
    const ps3 = people(15)
    const h3 = play(ps3, ts3, 3, 'table-question')
    for (const p of ps3) expect(new Set(h3.map((s) => s[p.id])).size, p.id).toBe(3)
  })

  it('respects capacities, seats only present people, and keeps sizes within one (property test)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = createRandom(seed)
      const nTables = 2 + random.int(8)
      const capacity = 3 + random.int(6)
      const ts = tables(nTables, capacity)
      const n = 1 + random.int(nTables * capacity)
      const ps = people(n).map((p) => ({ ...p, present: random.next() > 0.1 }))
      const hostTables = new Set<string>()
      for (const p of ps) if (random.next() < 0.15) {
        const t = ts[random.int(nTables)]!.id
        if (!hostTables.has(t)) { hostTables.add(t); p.hostOf = t }
      }
      const history = [initial(ps.filter((p) => p.present), ts)]
      const next = shiftPlanner.planNext({ participants: ps, tables: ts, history, shape: seed % 2 ? 'classic' : 'table-question', round: 2, seed })
      const present = ps.filter((p) => p.present)
      expect(Object.keys(next).sort(), `seed ${seed}`).toEqual(present.map((p) => p.id).sort())
      const sizes = ts.map((t) => Object.values(next).filter((x) => x === t.id).length)
      for (const size of sizes) expect(size, `seed ${seed}`).toBeLessThanOrEqual(capacity)
      for (const p of present) if (p.hostOf) expect(next[p.id], `seed ${seed}`).toBe(p.hostOf)
      const hostCount = (t: string) => present.filter((p) => p.hostOf === t).length
      const travellerSizes = ts.map((t, i) => sizes[i]! - hostCount(t.id))
      if (hostTables.size === 0) expect(Math.max(...sizes) - Math.min(...sizes), `seed ${seed}`).toBeLessThanOrEqual(1)
      expect(travellerSizes.every((s) => s >= 0)).toBe(true)
    }
  })

  it('is deterministic for a given seed', () => {
    const ps = people(30)
    expect(play(ps, tables(5), 3, 'classic', 7)).toEqual(play(ps, tables(5), 3, 'classic', 7))
  })

  it('counts encounters from the history', () => {
    const met = encounters([{ a: 't1', b: 't1', c: 't2' }])
    expect([...met.get('a')!]).toEqual(['b'])
    expect(met.get('c')?.size ?? 0).toBe(0)
  })
})

describe('late arrivals', () => {
  it('sit at the smallest table that has room', () => {
    const ts = [{ id: 't1', capacity: 2 }, { id: 't2', capacity: 5 }, { id: 't3', capacity: 5 }]
    expect(smallestTable(ts, {})).toBe('t1')
    expect(smallestTable(ts, { a: 't1', b: 't2' })).toBe('t3')
    expect(smallestTable(ts, { a: 't1', b: 't1', c: 't2' })).toBe('t3')
    expect(smallestTable(ts, { a: 't1', b: 't1', c: 't2', d: 't3' })).toBe('t2')
    expect(smallestTable([], {})).toBeNull()
  })
})
