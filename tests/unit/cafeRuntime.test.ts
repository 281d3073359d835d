import { describe, expect, it } from 'vitest'
import { CafeRegistry } from '../../server/cafes/CafeRegistry'
import type { CafeEvents, CafeRuntime } from '../../server/cafes/CafeRuntime'
import { ManualClock } from '../../server/clock'
import { silentLogger } from '../../server/log'
import { DurableWriter } from '../../server/store/DurableWriter'
import { MemoryStore } from '../../server/store/MemoryStore'
import type { Store } from '../../server/store/Store'
import { parseCafeInput } from '../../shared/cafe'
import type { CafeInput } from '../../shared/cafe'
import type { NextSeat } from '../../shared/protocol'
import { inlinePlanService } from '../../server/cafes/PlanService'
import type { PlanService } from '../../server/cafes/PlanService'
import { twoTableCafe } from '../helpers/server'

const MIN = 60_000

function setup(input: CafeInput = twoTableCafe, store: Store = new MemoryStore(), clock = new ManualClock()) {
  const log: string[] = []
  const seats = new Map<string, NextSeat>()
  const events: CafeEvents = {
    changed: () => {},
    warning: (_c, w) => log.push(`warning ${w.msLeft / 1000}s at ${(clock.now() - t0) / 1000}`),
    nextSeat: (_c, id, seat) => { seats.set(id, seat); log.push(`next ${id}`) },
    participantGone: (_c, id) => log.push(`gone ${id}`),
    roundClosed: (_c, round, docs) => log.push(`closed ${round} ${docs.length}`),
    message: (_c, m) => log.push(`message ${m?.text ?? ''}`),
  }
  const t0 = clock.now()
  const writer = new DurableWriter(store, clock, silentLogger)
  const registry = new CafeRegistry({ writer, clock, plans: inlinePlanService(), log: silentLogger, events })
  const def = parseCafeInput(input)
  if (!def.ok) throw new Error(JSON.stringify(def.fields))
  return { clock, log, seats, registry, writer, store, t0, def: def.value }
}

function joinMany(cafe: CafeRuntime, n: number, prefix = 'P') {
  return Array.from({ length: n }, (_, i) => {
    const r = cafe.join({ displayName: `${prefix}${i}`, organisation: null, sector: null })
    if (!r.ok) throw new Error(r.message)
    return r.value.participant.id
  })
}

describe('café runtime: timer, warnings, rotation', () => {
  it('warns at 60 s and 10 s, announces the next table at 30 s, and moves everyone at zero', () => {
    const { clock, log, seats, registry, def } = setup({ ...twoTableCafe, roundMinutes: 2 })
    const { cafe } = registry.create(def)
    expect(cafe.apply({ type: 'open' }).ok).toBe(true)
    const ids = joinMany(cafe, 6)
    // Arrivals get their first seat from the plan; starting before it is made seats them anyway.
    expect(cafe.record.seating).toEqual({})
    expect(cafe.apply({ type: 'start' }).ok).toBe(true)
    const before = { ...cafe.record.seating }
    expect(Object.keys(before)).toHaveLength(6)

    clock.advance(MIN - 1)
    expect(log).toEqual([])
    clock.advance(1)
    expect(log).toEqual(['warning 60s at 60'])
    clock.advance(30 * 1000 - 1)
    expect(seats.size).toBe(0)
    clock.advance(1)
    expect(seats.size).toBe(6)
    expect(cafe.record.nextSeating).not.toBeNull()
    // The announced table is where each person goes, and the doc name lets the client preload it.
    for (const id of ids) expect(seats.get(id)).toMatchObject({ round: 2, tableId: cafe.record.nextSeating![id] })
    clock.advance(20 * 1000)
    expect(log.at(-1)).toBe('warning 10s at 110')
    expect(cafe.lifecycle.phase).toBe('round')
    clock.advance(10 * 1000 - 1)
    expect(cafe.lifecycle.phase).toBe('round')
    clock.advance(1)
    expect(cafe.lifecycle).toEqual({ phase: 'transition', completedRound: 1, endsAt: clock.now() + MIN })
    // "table-question" with 2 tables: every traveller changes table.
    for (const id of ids) expect(cafe.record.seating[id]).not.toBe(before[id])
    expect(cafe.record.history).toEqual([before])
    clock.advance(MIN)
    expect(cafe.lifecycle).toMatchObject({ phase: 'round', round: 2 })
    expect(cafe.participantMayWrite(ids[0]!, cafe.record.seating[ids[0]!]!, cafe.record.seating[ids[0]!] === 't1' ? 'q1' : 'q2')).toBe(true)
    clock.advance(2 * MIN)
    expect(cafe.lifecycle).toEqual({ phase: 'harvest', completedRounds: 2 })
    expect(cafe.isJoinable).toBe(false)
  })

  it('does not warn or move while paused, and keeps the time that was left', () => {
    const { clock, log, registry, def } = setup({ ...twoTableCafe, roundMinutes: 2 })
    const { cafe } = registry.create(def)
    cafe.apply({ type: 'open' })
    joinMany(cafe, 2)
    cafe.apply({ type: 'start' })
    clock.advance(30 * 1000)
    cafe.apply({ type: 'pause' })
    clock.advance(10 * MIN)
    expect(log).toEqual([])
    expect(cafe.lifecycle).toMatchObject({ phase: 'round', timer: { status: 'paused', remainingMs: 90 * 1000 } })
    cafe.apply({ type: 'resume' })
    clock.advance(90 * 1000)
    expect(cafe.lifecycle.phase).toBe('transition')
  })

  it('in manual mode waits for the facilitator after the move', () => {
    const { clock, registry, def } = setup({ ...twoTableCafe, roundMinutes: 1, advance: 'manual' })
    const { cafe } = registry.create(def)
    cafe.apply({ type: 'open' })
    cafe.apply({ type: 'start' })
    clock.advance(MIN)
    expect(cafe.lifecycle).toEqual({ phase: 'transition', completedRound: 1, endsAt: null })
    clock.advance(60 * MIN)
    expect(cafe.lifecycle.phase).toBe('transition')
    expect(cafe.apply({ type: 'start' }).ok).toBe(true)
    expect(cafe.lifecycle).toMatchObject({ phase: 'round', round: 2 })
  })

  it('refuses commands that do not fit the phase, with invalid_state', () => {
    const { registry, def } = setup()
    const { cafe } = registry.create(def)
    expect(cafe.apply({ type: 'pause' })).toMatchObject({ ok: false, code: 'invalid_state' })
  })

  it('seats late joiners at the smallest table and tells them their next table if already announced', () => {
    const { clock, seats, registry, def } = setup({ ...twoTableCafe, roundMinutes: 1 })
    const { cafe } = registry.create(def)
    cafe.apply({ type: 'open' })
    joinMany(cafe, 3)
    cafe.apply({ type: 'start' })
    clock.advance(30 * 1000)
    expect(cafe.record.nextSeating).not.toBeNull()
    const [late] = joinMany(cafe, 1, 'Late')
    expect(cafe.record.seating[late!]).toBe('t2') // t1 had 2, t2 had 1
    expect(seats.get(late!)?.round).toBe(2)
    clock.advance(30 * 1000)
    expect(cafe.record.seating[late!]).toBe(cafe.record.nextSeating === null ? seats.get(late!)!.tableId : 'never')
  })

  it('keeps hosts at their table, and only one host per table', () => {
    const { clock, registry, def } = setup({ ...twoTableCafe, roundMinutes: 1 })
    const { cafe } = registry.create(def)
    cafe.apply({ type: 'open' })
    const [a, b] = joinMany(cafe, 4)
    expect(cafe.setHost(a!, 't2').ok).toBe(true)
    expect(cafe.setHost(b!, 't2')).toMatchObject({ ok: false, code: 'conflict' })
    expect(cafe.move(a!, 't1')).toMatchObject({ ok: false, code: 'conflict' })
    cafe.apply({ type: 'start' })
    clock.advance(MIN)
    expect(cafe.record.seating[a!]).toBe('t2')
  })

  it('after a restart the timer resumes where it was and fires on time', () => {
    const store = new MemoryStore()
    const first = setup({ ...twoTableCafe, roundMinutes: 5 }, store)
    const { cafe } = first.registry.create(first.def)
    cafe.apply({ type: 'open' })
    const ids = joinMany(cafe, 4)
    cafe.apply({ type: 'start' })
    first.clock.advance(2 * MIN)
    cafe.dispose() // the process dies
    const clock = new ManualClock(first.clock.now() + 30 * 1000)
    const second = setup({ ...twoTableCafe, roundMinutes: 5 }, store, clock)
    expect(second.registry.resumeOpenCafes()).toBe(1)
    const again = second.registry.get(cafe.id)!
    expect(again.lifecycle).toMatchObject({ phase: 'round', round: 1, timer: { status: 'running', endsAt: first.clock.now() + 3 * MIN } })
    expect(again.participant(ids[0]!)?.displayName).toBe('P0')
    clock.advance(2.5 * MIN - 1)
    expect(again.lifecycle.phase).toBe('round')
    clock.advance(1)
    expect(again.lifecycle.phase).toBe('transition')
  })

  it('lets the round\'s tablemates finish writing for 15 s after the round ends, then no more', () => {
    const { clock, registry, def } = setup({ ...twoTableCafe, roundMinutes: 1, transitionSeconds: 0 })
    const { cafe } = registry.create(def)
    cafe.apply({ type: 'open' })
    const [a] = joinMany(cafe, 4)
    cafe.apply({ type: 'start' })
    const t1 = cafe.record.seating[a!]!
    const q1 = t1 === 't1' ? 'q1' : 'q2'
    expect(cafe.participantMayWrite(a!, t1, q1)).toBe(true)
    clock.advance(MIN)
    expect(cafe.lifecycle).toMatchObject({ phase: 'round', round: 2 })
    const t2 = cafe.record.seating[a!]!
    expect(t2).not.toBe(t1)
    expect(cafe.participantMayWrite(a!, t2, t2 === 't1' ? 'q1' : 'q2')).toBe(true)
    expect(cafe.participantMayWrite(a!, t1, q1)).toBe(true)
    clock.advance(15_000)
    expect(cafe.participantMayWrite(a!, t1, q1)).toBe(true)
    clock.advance(1)
    expect(cafe.participantMayWrite(a!, t1, q1)).toBe(false)
    // The people now at that table write there as usual.
    const newcomer = Object.keys(cafe.record.seating).find((id) => cafe.record.seating[id] === t1)!
    expect(cafe.participantMayWrite(newcomer, t1, q1)).toBe(true)
  })

  it('a participant who leaves is unseated and their token stops working', () => {
    const { registry, def, log } = setup()
    const { cafe } = registry.create(def)
    const r = cafe.join({ displayName: 'Zoé', organisation: 'AMO', sector: 'Jeunesse' })
    if (!r.ok) throw new Error()
    expect(cafe.participantByToken(r.value.token)?.id).toBe(r.value.participant.id)
    cafe.remove(r.value.participant.id)
    expect(cafe.participantByToken(r.value.token)).toBeNull()
    expect(cafe.record.seating[r.value.participant.id]).toBeUndefined()
    expect(log).toContain(`gone ${r.value.participant.id}`)
  })
})

describe('café runtime: seats kept up to date in place', () => {
  /** Present people per table in a seating. */
  const countsOf = (seating: Record<string, string>, tables: string[]) => tables.map((t) => Object.values(seating).filter((s) => s === t).length)

  it('through arrivals, departures, moves, an edit, an announcement and a rotation: each arrival sits at a least-filled table, and the plan shows exactly the seats of now and of the announced round', () => {
    const four = { ...twoTableCafe, roundMinutes: 2, tables: ['A', 'B', 'C', 'D'].map((n) => ({ name: n, capacity: 6 })) }
    const { clock, registry, def, store } = setup(four)
    const { cafe } = registry.create(def)
    const tables = cafe.record.definition.tables.map((t) => t.id)
    cafe.apply({ type: 'open' })
    const people = joinMany(cafe, 7)
    cafe.apply({ type: 'start' })
    const r = cafe.record
    const planRow = (round: number) => cafe.planView().rounds[round - 1]
    const check = () => {
      expect(planRow(1)).toEqual(r.seating)
      if (r.nextSeating) expect(planRow(2)).toEqual(r.nextSeating)
      // What is stored is what is in memory (saved whole, or as the seats an arrival changed).
      expect(store.getCafe(r.id)).toEqual(JSON.parse(JSON.stringify(r)))
    }
    const arrive = (name: string) => {
      const before = countsOf(r.seating, tables)
      const beforeNext = r.nextSeating ? countsOf(r.nextSeating, tables) : null
      const [id] = joinMany(cafe, 1, name)
      const at = tables.indexOf(r.seating[id!]!)
      expect(before[at]).toBe(Math.min(...before))
      if (beforeNext) expect(beforeNext[tables.indexOf(r.nextSeating![id!]!)]).toBe(Math.min(...beforeNext))
      check()
      return id!
    }
    check()
    const late = [arrive('L1'), arrive('L2'), arrive('L3')]
    expect(cafe.remove(people[0]!).ok).toBe(true)
    expect(cafe.remove(late[1]!).ok).toBe(true)
    check()
    expect(r.seating[people[0]!]).toBeUndefined()
    expect(cafe.move(people[1]!, tables[3]!).ok).toBe(true)
    check()
    arrive('L4')
    arrive('L5')
    // The announcement: the next round's seats are planned and shown.
    clock.advance(MIN + 30 * 1000)
    expect(r.nextSeating).not.toBeNull()
    check()
    arrive('L6')
    arrive('L7')
    expect(cafe.editPlan(2, people[2]!, tables.find((t) => t !== r.nextSeating![people[2]!])!, null).ok).toBe(true)
    check()
    expect(cafe.remove(late[2]!).ok).toBe(true)
    expect(r.nextSeating![late[2]!]).toBeUndefined()
    check()
    // The rotation: the announced seats become the seats of now.
    const announced = { ...r.nextSeating! }
    clock.advance(30 * 1000)
    expect(r.history).toHaveLength(1)
    expect(r.seating).toEqual(announced)
    expect(planRow(2)).toEqual(r.seating)
    expect(planRow(1)).toEqual(r.history[0])
    const id = joinMany(cafe, 1, 'L8')[0]!
    expect(planRow(2)![id]).toBe(r.seating[id])
    expect(store.getCafe(r.id)).toEqual(JSON.parse(JSON.stringify(r)))
  })
})

describe('café runtime: an arrival stores its seats, not the whole record', () => {
  /** A registry whose planner never answers (a re-plan stays in progress). */
  function waitingPlanner(store: Store) {
    const clock = new ManualClock()
    const plans: PlanService = { kind: 'inline', plan() {}, close: async () => {} }
    const events: CafeEvents = { changed() {}, warning() {}, nextSeat() {}, message() {}, participantGone() {}, roundClosed() {} }
    const registry = new CafeRegistry({ writer: new DurableWriter(store, clock, silentLogger), clock, plans, log: silentLogger, events })
    const def = parseCafeInput(twoTableCafe)
    if (!def.ok) throw new Error('fixture')
    return { registry, def: def.value }
  }
  const same = (store: Store, cafe: CafeRuntime) => expect(store.getCafe(cafe.id)).toEqual(JSON.parse(JSON.stringify(cafe.record)))

  it('a plan row written by a re-plan request, then an arrival: the arrival\'s save is whole', () => {
    const store = new MemoryStore()
    const { registry, def } = waitingPlanner(store)
    const { cafe } = registry.create(def)
    expect(cafe.replan(false).ok).toBe(true)
    joinMany(cafe, 1)
    same(store, cafe)
  })

  it('a record from before plans, filled in when read, then an arrival: the arrival\'s save is whole', () => {
    const store = new MemoryStore()
    const first = waitingPlanner(store)
    const { cafe: made } = first.registry.create(first.def)
    made.apply({ type: 'open' })
    const old: Partial<typeof made.record> = JSON.parse(JSON.stringify(made.record))
    delete old.plan
    delete old.snapshotRounds
    store.saveCafe(old as typeof made.record)
    const cafe = waitingPlanner(store).registry.get(made.id)!
    joinMany(cafe, 1)
    same(store, cafe)
  })

  /** A store that counts whole saves and seat changes, and can refuse the next seat changes. */
  class CountingStore extends MemoryStore {
    whole = 0
    seats = 0
    refuseSeats = 0
    override saveCafe(c: Parameters<MemoryStore['saveCafe']>[0]) { this.whole++; super.saveCafe(c) }
    override appendCafeSeats(id: string, change: Parameters<MemoryStore['appendCafeSeats']>[1]) {
      if (this.refuseSeats > 0) { this.refuseSeats--; throw new Error('SQLITE_FULL: database or disk is full') }
      this.seats++
      super.appendCafeSeats(id, change)
    }
  }

  it('in a round with the next one announced: 130 arrivals are a few whole saves, and what is stored is the record, through a refused write too', () => {
    const store = new CountingStore()
    const big = { ...twoTableCafe, roundMinutes: 2, tables: Array.from({ length: 20 }, (_, i) => ({ name: `T${i}`, capacity: 20 })) }
    const { clock, registry, def, writer } = setup(big, store)
    const { cafe } = registry.create(def)
    cafe.apply({ type: 'open' })
    joinMany(cafe, 20)
    cafe.apply({ type: 'start' })
    clock.advance(MIN + 30 * 1000)
    const r = cafe.record
    expect(r.nextSeating).not.toBeNull()
    const stored = () => expect(store.getCafe(r.id)).toEqual(JSON.parse(JSON.stringify(r)))
    stored()
    store.whole = 0
    joinMany(cafe, 60, 'A')
    stored()
    // Each arrival has a seat now and in the announced round.
    expect(Object.keys(r.seating)).toHaveLength(80)
    expect(Object.keys(r.nextSeating!)).toHaveLength(80)
    // The disk refuses a seat change: the whole record waits in memory, and nothing is lost once it can write.
    store.refuseSeats = 1
    joinMany(cafe, 1, 'B')
    expect(writer.health.storage).toBe('degraded')
    expect(writer.flush()).toBe(true)
    stored()
    joinMany(cafe, 69, 'C')
    stored()
    // 130 arrivals: at most one whole save in 64 (and the refused one, and the one after it).
    expect(store.seats).toBeGreaterThanOrEqual(125)
    expect(store.whole).toBeLessThanOrEqual(Math.ceil(130 / 64) + 2)
    // A rotation saves the record whole; the next arrival is seats again.
    const before = store.whole
    clock.advance(30 * 1000)
    expect(r.history).toHaveLength(1)
    expect(store.whole).toBeGreaterThan(before)
    const seatsBefore = store.seats
    joinMany(cafe, 1, 'D')
    expect(store.seats).toBe(seatsBefore + 1)
    stored()
  })
})
