/** Time as the server sees it. Injected so timer tests run on a fake clock, checked at exact deadlines. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    // setTimeout's limit is 2^31-1 ms; longer waits re-arm through the scheduler's next deadline check.
    const t = setTimeout(fn, Math.min(Math.max(0, ms), 2 ** 31 - 1))
    t.unref?.()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}

/** A clock that only moves when told to; due timers fire in deadline order during `advance`. */
export class ManualClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>()
  private nextId = 1
  constructor(private t = Date.UTC(2026, 10, 23, 9, 0, 0)) {}
  now(): number { return this.t }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn })
    return id
  }
  clearTimeout(handle: unknown): void { this.timers.delete(handle as number) }
  /** Moves time forward by `ms`, firing every timer that falls due on the way, at its own time. */
  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | null = null
      for (const entry of this.timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry
      if (!due) break
      this.timers.delete(due[0])
      this.t = Math.max(this.t, due[1].at)
      due[1].fn()
    }
    this.t = end
  }
}
