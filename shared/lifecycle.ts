/**
 * The café lifecycle as a pure state machine: `step(config)(state, event, now) => state`.
 * An event that does not apply to the current phase returns the very same state object, so callers can
 * tell "refused" (same reference) from "changed" without exceptions.
 */
import type { AdvanceMode } from './cafe'
import { MAX_ADD_TIME_MS } from './constants'

export type TimerState =
  | { status: 'running'; endsAt: number; durationMs: number }
  | { status: 'paused'; remainingMs: number; durationMs: number }

export type LifecycleState =
  | { phase: 'draft' }
  | { phase: 'lobby' }
  | { phase: 'round'; round: number; timer: TimerState }
  /** Between rounds: people move. `endsAt` is when the next round starts by itself (null: by hand). */
  | { phase: 'transition'; completedRound: number; endsAt: number | null }
  | { phase: 'harvest'; completedRounds: number }
  | { phase: 'closed'; completedRounds: number }

export type Phase = LifecycleState['phase']

export type LifecycleEvent =
  | { type: 'open' }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'addTime'; ms: number }
  | { type: 'skip' }
  | { type: 'tick' }
  | { type: 'end' }
  | { type: 'close' }

export interface LifecycleConfig {
  roundDurationsMs: readonly number[]
  transitionMs: number
  advance: AdvanceMode
}

export const initialLifecycle: LifecycleState = { phase: 'draft' }

export function createLifecycle(config: LifecycleConfig) {
  const rounds = config.roundDurationsMs.length

  const startRound = (round: number, now: number): LifecycleState => {
    const durationMs = config.roundDurationsMs[round - 1] ?? 0
    return { phase: 'round', round, timer: { status: 'running', endsAt: now + durationMs, durationMs } }
  }
  const endRound = (round: number, endedAt: number): LifecycleState =>
    round >= rounds
      ? { phase: 'harvest', completedRounds: round }
      : { phase: 'transition', completedRound: round, endsAt: config.advance === 'auto' ? endedAt + config.transitionMs : null }

  return function step(state: LifecycleState, event: LifecycleEvent, now: number): LifecycleState {
    switch (state.phase) {
      case 'draft':
        return event.type === 'open' ? { phase: 'lobby' } : state
      case 'lobby':
        if (event.type === 'start') return startRound(1, now)
        if (event.type === 'end') return { phase: 'harvest', completedRounds: 0 }
        return state
      case 'round': {
        const { timer, round } = state
        switch (event.type) {
          case 'pause':
            return timer.status === 'running'
              ? { ...state, timer: { status: 'paused', remainingMs: Math.max(0, timer.endsAt - now), durationMs: timer.durationMs } }
              : state
          case 'resume':
            return timer.status === 'paused'
              ? { ...state, timer: { status: 'running', endsAt: now + timer.remainingMs, durationMs: timer.durationMs } }
              : state
          case 'addTime': {
            if (!Number.isFinite(event.ms) || event.ms === 0 || Math.abs(event.ms) > MAX_ADD_TIME_MS) return state
            if (timer.status === 'running') {
              const endsAt = Math.max(now, timer.endsAt + event.ms)
              return { ...state, timer: { ...timer, endsAt, durationMs: Math.max(0, timer.durationMs + (endsAt - timer.endsAt)) } }
            }
            const remainingMs = Math.max(0, timer.remainingMs + event.ms)
            return { ...state, timer: { ...timer, remainingMs, durationMs: Math.max(0, timer.durationMs + (remainingMs - timer.remainingMs)) } }
          }
          case 'tick':
            return timer.status === 'running' && now >= timer.endsAt ? endRound(round, timer.endsAt) : state
          case 'skip':
            return endRound(round, now)
          case 'end':
            return { phase: 'harvest', completedRounds: round }
          case 'open': case 'start': case 'close':
            return state
          default:
            return assertNever(event)
        }
      }
      case 'transition':
        if (event.type === 'start' || event.type === 'skip') return startRound(state.completedRound + 1, now)
        if (event.type === 'tick' && state.endsAt !== null && now >= state.endsAt) return startRound(state.completedRound + 1, now)
        if (event.type === 'end') return { phase: 'harvest', completedRounds: state.completedRound }
        if (event.type === 'addTime' && state.endsAt !== null && Number.isFinite(event.ms) && Math.abs(event.ms) <= MAX_ADD_TIME_MS) {
          return { ...state, endsAt: Math.max(now, state.endsAt + event.ms) }
        }
        return state
      case 'harvest':
        return event.type === 'close' ? { phase: 'closed', completedRounds: state.completedRounds } : state
      case 'closed':
        return state
      default:
        return assertNever(state)
    }
  }
}

/** When the machine next needs a `tick`, or null if nothing is scheduled. */
export function nextDeadline(state: LifecycleState): number | null {
  switch (state.phase) {
    case 'round':
      return state.timer.status === 'running' ? state.timer.endsAt : null
    case 'transition':
      return state.endsAt
    case 'draft': case 'lobby': case 'harvest': case 'closed':
      return null
    default:
      return assertNever(state)
  }
}

/** The round people are seated for: the current one, or the next one during a transition. */
export function seatingRound(state: LifecycleState): number {
  switch (state.phase) {
    case 'round': return state.round
    case 'transition': return state.completedRound + 1
    case 'draft': case 'lobby': return 1
    case 'harvest': case 'closed': return state.completedRounds
    default: return assertNever(state)
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`)
}
