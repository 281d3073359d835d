import { describe, expect, it } from 'vitest'
import type { LifecycleEvent, LifecycleState } from '../../shared/lifecycle'
import { createLifecycle, nextDeadline, seatingRound } from '../../shared/lifecycle'

const MIN = 60_000
const auto = createLifecycle({ roundDurationsMs: [20 * MIN, 15 * MIN], transitionMs: MIN, advance: 'auto' })
const manual = createLifecycle({ roundDurationsMs: [20 * MIN, 15 * MIN], transitionMs: MIN, advance: 'manual' })
const T0 = 1_000_000

const running = (round: number, endsAt: number, durationMs: number): LifecycleState => ({ phase: 'round', round, timer: { status: 'running', endsAt, durationMs } })

describe('café lifecycle', () => {
  it('draft opens into the lobby and ignores everything else', () => {
    const draft: LifecycleState = { phase: 'draft' }
    expect(auto(draft, { type: 'open' }, T0)).toEqual({ phase: 'lobby' })
    for (const type of ['start', 'pause', 'resume', 'skip', 'tick', 'end', 'close'] as const) {
      expect(auto(draft, { type } as LifecycleEvent, T0)).toBe(draft)
    }
  })

  it('lobby starts round 1 with its own duration, or goes straight to the harvest', () => {
    const lobby: LifecycleState = { phase: 'lobby' }
    expect(auto(lobby, { type: 'start' }, T0)).toEqual(running(1, T0 + 20 * MIN, 20 * MIN))
    expect(auto(lobby, { type: 'end' }, T0)).toEqual({ phase: 'harvest', completedRounds: 0 })
    expect(auto(lobby, { type: 'pause' }, T0)).toBe(lobby)
  })

  it('pauses, resumes with the time that was left, and adds time while running or paused', () => {
    const r = running(1, T0 + 20 * MIN, 20 * MIN)
    const paused = auto(r, { type: 'pause' }, T0 + 5 * MIN)
    expect(paused).toEqual({ phase: 'round', round: 1, timer: { status: 'paused', remainingMs: 15 * MIN, durationMs: 20 * MIN } })
    expect(auto(paused, { type: 'pause' }, T0 + 6 * MIN)).toBe(paused)
    expect(auto(paused, { type: 'tick' }, T0 + 60 * MIN)).toBe(paused)
    const more = auto(paused, { type: 'addTime', ms: 2 * MIN }, T0 + 6 * MIN)
    expect(more).toMatchObject({ timer: { status: 'paused', remainingMs: 17 * MIN, durationMs: 22 * MIN } })
    const resumed = auto(more, { type: 'resume' }, T0 + 10 * MIN)
    expect(resumed).toEqual(running(1, T0 + 27 * MIN, 22 * MIN))
    expect(auto(resumed, { type: 'resume' }, T0)).toBe(resumed)
    expect(auto(resumed, { type: 'addTime', ms: MIN }, T0 + 11 * MIN)).toEqual(running(1, T0 + 28 * MIN, 23 * MIN))
    // Taking time away never puts the end in the past.
    expect(auto(resumed, { type: 'addTime', ms: -30 * MIN }, T0 + 11 * MIN)).toMatchObject({ timer: { endsAt: T0 + 11 * MIN } })
    expect(auto(resumed, { type: 'addTime', ms: 0 }, T0)).toBe(resumed)
  })

  it('ends a round exactly at its deadline, not a millisecond before', () => {
    const r = running(1, T0 + 20 * MIN, 20 * MIN)
    expect(auto(r, { type: 'tick' }, T0 + 20 * MIN - 1)).toBe(r)
    expect(auto(r, { type: 'tick' }, T0 + 20 * MIN)).toEqual({ phase: 'transition', completedRound: 1, endsAt: T0 + 21 * MIN })
  })

  it('in manual mode the transition waits for the facilitator', () => {
    const r = running(1, T0 + 20 * MIN, 20 * MIN)
    const t = manual(r, { type: 'tick' }, T0 + 20 * MIN)
    expect(t).toEqual({ phase: 'transition', completedRound: 1, endsAt: null })
    expect(manual(t, { type: 'tick' }, T0 + 99 * MIN)).toBe(t)
    expect(manual(t, { type: 'start' }, T0 + 30 * MIN)).toEqual(running(2, T0 + 45 * MIN, 15 * MIN))
  })

  it('a transition starts the next round by itself, can be skipped, extended or ended', () => {
    const t: LifecycleState = { phase: 'transition', completedRound: 1, endsAt: T0 + MIN }
    expect(auto(t, { type: 'tick' }, T0 + MIN - 1)).toBe(t)
    expect(auto(t, { type: 'tick' }, T0 + MIN)).toEqual(running(2, T0 + MIN + 15 * MIN, 15 * MIN))
    expect(auto(t, { type: 'skip' }, T0)).toEqual(running(2, T0 + 15 * MIN, 15 * MIN))
    expect(auto(t, { type: 'addTime', ms: MIN }, T0)).toEqual({ ...t, endsAt: T0 + 2 * MIN })
    expect(auto(t, { type: 'end' }, T0)).toEqual({ phase: 'harvest', completedRounds: 1 })
    expect(auto(t, { type: 'pause' }, T0)).toBe(t)
  })

  it('skipping ends the round now; the last round leads to the harvest', () => {
    expect(auto(running(1, T0 + 20 * MIN, 20 * MIN), { type: 'skip' }, T0 + MIN)).toEqual({ phase: 'transition', completedRound: 1, endsAt: T0 + 2 * MIN })
    expect(auto(running(2, T0 + 15 * MIN, 15 * MIN), { type: 'tick' }, T0 + 15 * MIN)).toEqual({ phase: 'harvest', completedRounds: 2 })
    expect(auto(running(1, T0 + 20 * MIN, 20 * MIN), { type: 'end' }, T0)).toEqual({ phase: 'harvest', completedRounds: 1 })
  })

  it('harvest closes; closed is final', () => {
    const h: LifecycleState = { phase: 'harvest', completedRounds: 2 }
    expect(auto(h, { type: 'start' }, T0)).toBe(h)
    const closed = auto(h, { type: 'close' }, T0)
    expect(closed).toEqual({ phase: 'closed', completedRounds: 2 })
    for (const type of ['open', 'start', 'end', 'close', 'tick'] as const) expect(auto(closed, { type } as LifecycleEvent, T0)).toBe(closed)
  })

  it('knows its next deadline and which round people are seated for', () => {
    expect(nextDeadline(running(1, 5, 5))).toBe(5)
    expect(nextDeadline({ phase: 'round', round: 1, timer: { status: 'paused', remainingMs: 5, durationMs: 5 } })).toBeNull()
    expect(nextDeadline({ phase: 'transition', completedRound: 1, endsAt: 9 })).toBe(9)
    expect(nextDeadline({ phase: 'lobby' })).toBeNull()
    expect(seatingRound({ phase: 'transition', completedRound: 1, endsAt: null })).toBe(2)
    expect(seatingRound({ phase: 'lobby' })).toBe(1)
  })
})
