/**
 * Counts failed attempts (unknown or expired join codes) per address in a sliding minute. Successful
 * joins are not counted: a whole conference may come from one NAT address.
 */
import type { Clock } from '../clock'

const WINDOW_MS = 60_000

export class FailureThrottle {
  private failures = new Map<string, number[]>()

  constructor(private clock: Clock, private maxPerMinute: number) {}

  /** Milliseconds until this address may try again, or 0 if it may now. */
  retryAfterMs(address: string): number {
    const now = this.clock.now()
    const times = this.recent(address, now)
    if (times.length < this.maxPerMinute) return 0
    return times[0]! + WINDOW_MS - now
  }

  fail(address: string): void {
    const now = this.clock.now()
    const times = this.recent(address, now)
    times.push(now)
    this.failures.set(address, times)
    if (this.failures.size > 10_000) this.prune(now)
  }

  private recent(address: string, now: number): number[] {
    return (this.failures.get(address) ?? []).filter((t) => t > now - WINDOW_MS)
  }

  private prune(now: number): void {
    for (const [a, times] of this.failures) if (!times.some((t) => t > now - WINDOW_MS)) this.failures.delete(a)
  }
}
