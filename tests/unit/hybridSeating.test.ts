/**
 * Hybrid cafés: people in the room sit only at room tables, remote people only at online tables, in
 * every round of the plan, for late arrivals, hosts and the facilitator's moves (shared/hybridSeats.ts).
 */
import { describe, expect, it } from 'vitest'
import { CafeRegistry } from '../../server/cafes/CafeRegistry'
import type { CafeEvents, CafeRuntime } from '../../server/cafes/CafeRuntime'
import { inlinePlanService } from '../../server/cafes/PlanService'
import { REPLAN_MAX_WAIT_MS } from '../../server/cafes/Replanner'
import { ManualClock } from '../../server/clock'
import { silentLogger } from '../../server/log'
import { DurableWriter } from '../../server/store/DurableWriter'
import { MemoryStore } from '../../server/store/MemoryStore'
import type { CafeInput } from '../../shared/cafe'
import { parseCafeInput } from '../../shared/cafe'
import type { PlannerParticipant, PlannerTable, Seating } from '../../shared/rotation'
import { encounters, planQuality, planRemaining, shiftPlanner } from '../../shared/rotation'
import { editRow, fitToRoster } from '../../shared/seatingPlan'

const ROOM: PlannerTable[] = [{ id: 'r1', capacity: 8 }, { id: 'r2', capacity: 8 }, { id: 'r3', capacity: 8 }]
const ONLINE: PlannerTable[] = [{ id: 'o1', capacity: 6, online: true }, { id: 'o2', capacity: 6, online: true }]
const TABLES = [...ROOM, ...ONLINE]
const online = new Set(ONLINE.map((t) => t.id))

/** 30 people, the last 12 remote. */
const people: PlannerParticipant[] = Array.from({ length: 30 }, (_, i) => ({
  id: `p${String(i).padStart(2, '0')}`, hostOf: null, organisation: `org${i % 5}`, sector: null, present: true, ...(i >= 18 ? { remote: true } : {}),
}))
const isRemote = (id: string) => people.find((p) => p.id === id)?.remote === true

/** Everyone present is seated, and each at a table of their venue. */
function expectVenues(row: Seating, who: readonly PlannerParticipant[] = people) {
  for (const p of who.filter((x) => x.present)) {
    expect(row[p.id], p.id).toBeDefined()
    expect(online.has(row[p.id]!), `${p.id} at ${row[p.id]}`).toBe(p.remote === true)
  }
}

describe('hybrid seating: the planner', () => {
  it('every round of a plan of 30 people (12 remote), 3 room and 2 online tables: nobody at a table of the other venue', () => {
    const plan = planRemaining({ participants: people, tables: TABLES, history: [], shape: 'classic', round: 1, rounds: 4, seed: 7 })
    expect(plan).toHaveLength(4)
    for (const row of plan) {
      expectVenues(row)
      // Balanced within each venue: 18 in the room at 3 tables, 12 online at 2.
      const sizes = TABLES.map((t) => Object.values(row).filter((x) => x === t.id).length)
      expect(sizes).toEqual([6, 6, 6, 6, 6])
    }
    // Two sub-cafés, each well mixed: the quality measures still speak of the whole café.
    expect(planQuality(plan, people, TABLES, 'classic').sizeImbalance).toBe(0)
    const met = encounters(plan)
    for (const p of people) {
      const others = [...(met.get(p.id) ?? [])]
      for (const other of others) expect(isRemote(other), `${p.id} met ${other}`).toBe(p.remote === true)
      // Well mixed within each venue: most of the 11 others online, of the 17 in the room.
      expect(others.length, p.id).toBeGreaterThanOrEqual(p.remote ? 9 : 12)
    }
  })

  it('keeps a remote host at their online table, and a re-plan from a played round with a remote late arrival', () => {
    const withHost = people.map((p) => (p.id === 'p20' ? { ...p, hostOf: 'o2' } : p))
    const plan = planRemaining({ participants: withHost, tables: TABLES, history: [], shape: 'classic', round: 1, rounds: 3, seed: 3 })
    for (const row of plan) { expectVenues(row, withHost); expect(row.p20).toBe('o2') }
    const late: PlannerParticipant = { id: 'late', hostOf: null, organisation: null, sector: null, present: true, remote: true }
    const replanned = planRemaining({ participants: [...withHost, late], tables: TABLES, history: [plan[0]!], shape: 'classic', round: 2, rounds: 3, seed: 3, previousPlan: plan.slice(1) })
    for (const row of replanned) { expectVenues(row, [...withHost, late]); expect(online.has(row.late!)).toBe(true) }
  })

  it('the default shift (the fallback on the event loop) keeps the venues too', () => {
    const first = planRemaining({ participants: people, tables: TABLES, history: [], shape: 'classic', round: 1, rounds: 1, seed: 1 })[0]!
    expectVenues(shiftPlanner.planNext({ participants: people, tables: TABLES, history: [first], shape: 'classic', round: 2, seed: 1 }))
  })

  it('a café of one venue is planned as before: remote flags only count with room and online tables both', () => {
    const input = { participants: people, tables: ROOM, history: [], shape: 'classic' as const, round: 1, rounds: 2, seed: 5 }
    const plain = planRemaining({ ...input, participants: people.map(({ remote: _r, ...p }) => p) })
    expect(planRemaining(input)).toEqual(plain)
  })
})

describe('hybrid seating: late arrivals and hand-made seats (pure rules)', () => {
  const named = TABLES.map((t) => ({ ...t, name: t.id.toUpperCase() }))
  const byId = new Map(people.map((p) => [p.id, p]))

  it('a late arrival sits at the smallest table of their venue; a planned seat of the other venue is replaced', () => {
    const row: Seating = { p00: 'r1', p01: 'r2', p18: 'o1', p19: 'o1', p20: 'o1' }
    const late = [{ id: 'x', hostOf: null, organisation: null, sector: null, present: true, remote: true }, { id: 'y', hostOf: null, organisation: null, sector: null, present: true }]
    // p02 (in the room) was planned at an online table: seated again in the room.
    const fitted = fitToRoster({ ...row, p02: 'o2' }, [...people.slice(0, 3), ...people.slice(18, 21), ...late], TABLES, () => ({}))
    expect(fitted.x).toBe('o2')
    // p02 first, to the empty room table; then y at the first of three room tables of one each.
    expect(fitted.p02).toBe('r3')
    expect(fitted.y).toBe('r1')
  })

  it('moves in the plan that break the rule are refused, naming the table; swaps too', () => {
    const row: Seating = { p00: 'r1', p01: 'r2', p18: 'o1', p19: 'o2' }
    expect(editRow(row, {}, named, byId, { participantId: 'p18', tableId: 'r1' })).toMatchObject({ ok: false, reason: 'seat_room', params: { table: 'R1' } })
    expect(editRow(row, {}, named, byId, { participantId: 'p00', tableId: 'o1' })).toMatchObject({ ok: false, reason: 'seat_online', params: { table: 'O1' } })
    expect(editRow(row, {}, named, byId, { participantId: 'p00', tableId: 'r1', swapWith: null })).toMatchObject({ ok: true })
    expect(editRow(row, {}, named, byId, { participantId: 'p18', tableId: 'o2', swapWith: 'p19' })).toMatchObject({ ok: true, row: { p18: 'o2', p19: 'o1' } })
    // A room person swapped with a remote one would put each at the other's venue.
    expect(editRow(row, {}, named, byId, { participantId: 'p00', tableId: 'o2', swapWith: 'p19' })).toMatchObject({ ok: false, reason: 'seat_online' })
  })
})

const hybridCafe: CafeInput = {
  title: 'Hybride', language: 'en', shape: 'classic', roundMinutes: 5, venue: 'hybrid',
  tables: [{ name: 'Room 1', capacity: 8 }, { name: 'Room 2', capacity: 8 }, { name: 'Room 3', capacity: 8 }, { name: 'Online 1', capacity: 6, online: true }, { name: 'Online 2', capacity: 6, online: true }],
  questions: [{ text: 'Q1' }, { text: 'Q2' }, { text: 'Q3' }],
}

function runtime() {
  const clock = new ManualClock()
  const events: CafeEvents = { changed: () => {}, warning: () => {}, nextSeat: () => {}, participantGone: () => {}, roundClosed: () => {}, message: () => {} }
  const registry = new CafeRegistry({ writer: new DurableWriter(new MemoryStore(), clock, silentLogger), clock, plans: inlinePlanService(), log: silentLogger, events })
  const def = parseCafeInput(hybridCafe)
  if (!def.ok) throw new Error(JSON.stringify(def.fields))
  const { cafe } = registry.create(def.value)
  return { clock, cafe }
}

function join(cafe: CafeRuntime, name: string, remote?: boolean): string {
  const r = cafe.join({ displayName: name, organisation: null, sector: null, ...(remote === undefined ? {} : { remote }) })
  if (!r.ok) throw new Error(r.message)
  return r.value.participant.id
}

describe('hybrid seating: the café runtime', () => {
  it('a hybrid café asks where one takes part; every round, late arrivals and re-plans keep the venues; moves that break it are refused', () => {
    const { clock, cafe } = runtime()
    expect(cafe.apply({ type: 'open' }).ok).toBe(true)
    expect(cafe.join({ displayName: 'Nowhere', organisation: null, sector: null })).toMatchObject({ ok: false, reason: 'venue_required' })
    const ids = Array.from({ length: 30 }, (_, i) => join(cafe, `P${i}`, i >= 18))
    const remote = new Set(ids.slice(18))
    const onlineIds = new Set(cafe.definition.tables.filter((t) => t.online).map((t) => t.id))
    const check = (seating: Seating) => { for (const [pid, tid] of Object.entries(seating)) expect(onlineIds.has(tid), pid).toBe(remote.has(pid)) }
    clock.advance(REPLAN_MAX_WAIT_MS)
    expect(cafe.apply({ type: 'start' }).ok).toBe(true)
    check(cafe.record.seating)
    for (const row of cafe.planView().rounds) check(row)
    // A late remote arrival: at the smallest online table at once.
    const late = join(cafe, 'Late', true)
    remote.add(late)
    expect(onlineIds.has(cafe.record.seating[late]!)).toBe(true)
    // The facilitator's moves and hosts: refused across venues, with the table's name.
    const roomTable = cafe.definition.tables[0]!
    expect(cafe.move(late, roomTable.id)).toMatchObject({ ok: false, reason: 'seat_room', params: { table: 'Room 1' } })
    expect(cafe.setHost(late, roomTable.id)).toMatchObject({ ok: false, reason: 'seat_room' })
    expect(cafe.editPlan(2, ids[0]!, cafe.definition.tables[3]!.id, null)).toMatchObject({ ok: false, reason: 'seat_online', params: { table: 'Online 1' } })
    expect(cafe.record.seating[late]).not.toBe(roomTable.id)
    // A host cannot change venue; a traveller can, and sits at once at a table of the new one.
    expect(cafe.setHost(ids[0]!, roomTable.id).ok).toBe(true)
    expect(cafe.setRemote(ids[0]!, true)).toMatchObject({ ok: false, reason: 'venue_host', params: { table: 'Room 1' } })
    expect(cafe.setRemote(ids[1]!, true).ok).toBe(true)
    remote.add(ids[1]!)
    expect(onlineIds.has(cafe.record.seating[ids[1]!]!)).toBe(true)
    expect(cafe.participantView(cafe.participant(ids[1]!)!)).toMatchObject({ remote: true })
    // Every round to the end, with the re-plans those changes asked for.
    for (let round = 1; round <= 3; round++) {
      clock.advance(REPLAN_MAX_WAIT_MS)
      check(cafe.record.seating)
      for (const row of cafe.planView().rounds) check(row)
      expect(Object.keys(cafe.record.seating)).toHaveLength(31)
      if (round < 3) {
        expect(cafe.apply({ type: 'skip' }).ok).toBe(true)
        clock.advance(cafe.definition.transitionMs)
      }
    }
  })

  it('a café that is not hybrid stores no venue', () => {
    const clock = new ManualClock()
    const events: CafeEvents = { changed: () => {}, warning: () => {}, nextSeat: () => {}, participantGone: () => {}, roundClosed: () => {}, message: () => {} }
    const registry = new CafeRegistry({ writer: new DurableWriter(new MemoryStore(), clock, silentLogger), clock, plans: inlinePlanService(), log: silentLogger, events })
    const def = parseCafeInput({ ...hybridCafe, venue: 'online', tables: hybridCafe.tables.map(({ online: _o, ...t }) => t) })
    if (!def.ok) throw new Error('def')
    const { cafe } = registry.create(def.value)
    const id = join(cafe, 'A', true)
    expect(cafe.participant(id)!.remote).toBeUndefined()
    expect(cafe.setRemote(id, true)).toMatchObject({ ok: false, reason: 'bad_data' })
  })
})
