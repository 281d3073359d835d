/**
 * How late the server's event loop runs (the first thing to look at when edits feel slow), for
 * /healthz: since the start, and over the last full minute (a spike an hour ago does not hide how the
 * server is doing now, and a spike now is not averaged away by hours of calm).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { IntervalHistogram } from 'node:perf_hooks'

const RESOLUTION_MS = 10
export const LOOP_WINDOW_MS = 60_000

export interface LoopFigures { p50Ms: number; p99Ms: number; maxMs: number }

export class LoopDelay {
  private readonly sinceStart = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  private readonly current = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  private lastWindow: LoopFigures | null = null
  private readonly timer: NodeJS.Timeout

  constructor(windowMs = LOOP_WINDOW_MS) {
    this.sinceStart.enable()
    this.current.enable()
    this.timer = setInterval(() => { this.lastWindow = figures(this.current); this.current.reset() }, windowMs)
    this.timer.unref()
  }

  /** Since the server started. */
  total(): LoopFigures { return figures(this.sinceStart) }

  /** Over the last full window, a minute (during the first one, since the start). */
  recent(): LoopFigures { return this.lastWindow ?? figures(this.current) }

  stop(): void {
    clearInterval(this.timer)
    this.sinceStart.disable()
    this.current.disable()
  }
}

// The histogram holds whole intervals; what the loop added is the part beyond the resolution.
const late = (ns: number) => Math.round(Math.max(0, ns / 1e6 - RESOLUTION_MS) * 10) / 10
const figures = (h: IntervalHistogram): LoopFigures => (h.count === 0
  ? { p50Ms: 0, p99Ms: 0, maxMs: 0 }
  : { p50Ms: late(h.percentile(50)), p99Ms: late(h.percentile(99)), maxMs: late(h.max) })
