/**
 * How long the event loop was held: a 5 ms timer's lateness, counted only as far as the main thread was
 * busy meanwhile (its event-loop utilization), so that a machine shared with other jobs descheduling us,
 * or a worker thread of the same process working hard, is not mistaken for the loop being held. The
 * plain lateness is kept too, for the record.
 */
import { performance } from 'node:perf_hooks'

export function loopMonitor(): { stop(): { heldMs: number; lateMs: number } } {
  const tickMs = 5
  let last = performance.now()
  let lastElu = performance.eventLoopUtilization()
  let heldMs = 0
  let lateMs = 0
  const timer = setInterval(() => {
    const now = performance.now()
    const elu = performance.eventLoopUtilization(lastElu)
    const late = Math.max(0, now - last - tickMs)
    heldMs = Math.max(heldMs, Math.min(late, elu.active))
    lateMs = Math.max(lateMs, late)
    last = now
    lastElu = performance.eventLoopUtilization()
  }, tickMs)
  return { stop: () => { clearInterval(timer); return { heldMs, lateMs } } }
}
