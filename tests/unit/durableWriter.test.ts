import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../server/clock'
import { silentLogger } from '../../server/log'
import { DurableWriter } from '../../server/store/DurableWriter'
import { MemoryStore } from '../../server/store/MemoryStore'
import type { CafeRecord, ParticipantRecord } from '../../server/store/Store'
import { parseCafeInput } from '../../shared/cafe'
import { twoTableCafe } from '../helpers/server'
import { FlakyStore } from '../helpers/FlakyStore'

const definition = (() => { const r = parseCafeInput(twoTableCafe); if (!r.ok) throw new Error('fixture'); return r.value })()
const cafeRecord = (): CafeRecord => ({
  id: 'c1', joinCode: 'AAAA2222', facilitatorKeyHash: 'ab'.repeat(32), definition, lifecycle: { phase: 'lobby' },
  seating: { p1: 't1' }, history: [], nextSeating: null, lockedDocs: [], roundEndedAt: null, message: null, snapshotRounds: 0, seed: 1, createdAt: 1, updatedAt: 1,
})
const participant = (name: string): ParticipantRecord => ({ id: 'p1', cafeId: 'c1', tokenHash: 'h', displayName: name, organisation: null, sector: null, hostOf: null, joinedAt: 1, leftAt: null })

describe('DurableWriter when the disk fails', () => {
  it('keeps writes in memory, reports degraded, retries and loses nothing', () => {
    const clock = new ManualClock()
    const store = new FlakyStore(new MemoryStore())
    const writer = new DurableWriter(store, clock, silentLogger, 1000)
    const health: string[] = []
    writer.onHealthChange((h) => health.push(`${h.storage}:${h.pendingWrites}`))

    expect(writer.appendUpdate('d', new Uint8Array([1]))).toBe(1)
    store.failing = true
    expect(writer.appendUpdate('d', new Uint8Array([2]))).toBeNull()
    writer.saveParticipant(participant('Avant'))
    writer.saveParticipant(participant('Après')) // replaces the queued one: last write wins
    expect(writer.health).toMatchObject({ storage: 'degraded', pendingWrites: 2, lastError: expect.stringContaining('disk is full') })
    expect(health).toEqual(['degraded:1'])
    // A reader (a document being reloaded) sees the queued updates too.
    expect(writer.loadDoc('d').updates.map((u) => [...u])).toEqual([[1], [2]])
    expect(writer.compactDoc('d', new Uint8Array([9]), 1)).toBe(false)

    clock.advance(5000) // retries keep failing
    expect(writer.health.pendingWrites).toBe(2)
    store.failing = false
    clock.advance(1000)
    expect(writer.health).toEqual({ storage: 'ok', pendingWrites: 0, lastError: null })
    expect(health.at(-1)).toBe('ok:0')
    expect(store.loadDoc('d').updates.map((u) => [...u])).toEqual([[1], [2]])
    expect(store.listParticipants('c1')[0]?.displayName).toBe('Après')
  })
})

describe('DurableWriter at shutdown', () => {
  const settled = () => new Promise((r) => setImmediate(r))

  it('drain retries until the budget runs out, once more at the very end, and says whether anything is left', async () => {
    const clock = new ManualClock()
    const store = new FlakyStore(new MemoryStore())
    const writer = new DurableWriter(store, clock, silentLogger, 1000)
    store.failing = true
    writer.appendUpdate('d', new Uint8Array([1]))
    writer.saveParticipant(participant('Amélie'))

    let result: boolean | null = null
    void writer.drain(2500).then((r) => { result = r })
    for (const step of [1000, 1000, 499]) { clock.advance(step); await settled() }
    expect(result).toBeNull() // 2,499 ms: still trying
    clock.advance(1)
    await settled()
    expect(result).toBe(false) // 2,500 ms: gives up
    expect(writer.backlog.map((w) => w.kind)).toEqual(['update', 'participant'])
    writer.stop()
  })

  it('drain resolves as soon as the store takes the backlog, even on the last attempt', async () => {
    const clock = new ManualClock()
    const store = new FlakyStore(new MemoryStore())
    const writer = new DurableWriter(store, clock, silentLogger, 1000)
    store.failing = true
    writer.appendUpdate('d', new Uint8Array([1]))
    let result: boolean | null = null
    void writer.drain(2500).then((r) => { result = r })
    clock.advance(2499)
    await settled()
    store.failing = false
    expect(result).toBeNull()
    clock.advance(1)
    await settled()
    expect(result).toBe(true)
    expect(writer.backlog).toEqual([])
    expect(store.loadDoc('d').updates.map((u) => [...u])).toEqual([[1]])
    expect(await writer.drain(2500)).toBe(true) // nothing held: at once
  })

  it('a café record waiting in memory is a copy: changes made to it afterwards are not what is saved', () => {
    const inner = new MemoryStore()
    const store = new FlakyStore(inner)
    const writer = new DurableWriter(store, new ManualClock(), silentLogger, 1000)
    const record = cafeRecord()
    writer.saveCafe(record)
    store.failing = true
    record.seating = { ...record.seating, p9: 't2' }
    writer.saveCafe(record)
    record.seating.p9 = 'changed afterwards'
    store.failing = false
    expect(writer.flush()).toBe(true)
    expect(inner.getCafe(record.id)!.seating.p9).toBe('t2')
    writer.stop()
  })

  it('backlog holds copies: what is saved is what was written then', () => {
    const store = new FlakyStore(new MemoryStore())
    const writer = new DurableWriter(store, new ManualClock(), silentLogger, 1000)
    store.failing = true
    const p = participant('Amélie')
    writer.saveParticipant(p)
    p.displayName = 'changed afterwards'
    expect(writer.backlog).toEqual([{ kind: 'participant', key: 'participant:p1', participant: participant('Amélie') }])
    writer.stop()
  })
})
