/**
 * Client-side correction for a wrong device clock. The server sends `{ endsAt, serverNow }`; the client
 * keeps an offset `serverNow - localNow` and reads the time left against its own corrected clock.
 */
import type { TimerState } from './lifecycle'

export interface ClockSample {
  /** Local time when the request left. */
  sentAt: number
  /** Server time in the answer. */
  serverNow: number
  /** Local time when the answer arrived. */
  receivedAt: number
}

/** Offset (server minus local) from one round trip, assuming the answer was stamped half-way. */
export function offsetFromSample(s: ClockSample): { offsetMs: number; rttMs: number } {
  const rttMs = Math.max(0, s.receivedAt - s.sentAt)
  return { offsetMs: s.serverNow - (s.sentAt + rttMs / 2), rttMs }
}

/** The sample with the shortest round trip is the most trustworthy. */
export function bestOffset(samples: readonly ClockSample[]): number | null {
  let best: { offsetMs: number; rttMs: number } | null = null
  for (const s of samples) {
    const o = offsetFromSample(s)
    if (!best || o.rttMs < best.rttMs) best = o
  }
  return best ? best.offsetMs : null
}

/** Offset from a pushed message (no round trip known): good to within the one-way latency. */
export function offsetFromPush(serverNow: number, receivedAt: number): number {
  return serverNow - receivedAt
}

/** Milliseconds left on a round timer, read with the local clock corrected by `offsetMs`. */
export function timeLeftMs(timer: TimerState, localNow: number, offsetMs: number): number {
  return timer.status === 'paused' ? timer.remainingMs : Math.max(0, timer.endsAt - (localNow + offsetMs))
}

/** "12:05" style display of a duration, rounded up to the second so 0:00 means "over". */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const m = Math.floor(total / 60)
  const s = total % 60
  return `${m}:${String(s).padStart(2, '0')}`
}
