/**
 * Pings every connection once per interval and cuts one that did not answer the previous ping. Not all
 * at once: a thirtieth of them each thirtieth of the interval, so that 1,000 phones cost the loop a couple
 * of milliseconds each second instead of 50 ms every 30 seconds, and their pongs come back spread.
 */
import type { WebSocket } from 'ws'

const SLICES = 30

export interface Beating {
  ws: WebSocket
  /** Answered since the last ping (set by its 'pong'). */
  alive: boolean
  /** Which slice pings it (Heartbeat.slice()). */
  pingSlice: number
}

export class Heartbeat {
  private readonly timer: NodeJS.Timeout
  private tick = 0
  private next = 0

  constructor(intervalMs: number, connections: () => Iterable<Beating>) {
    this.timer = setInterval(() => {
      const slice = this.tick++ % SLICES
      for (const c of connections()) {
        if (c.pingSlice !== slice) continue
        if (!c.alive) { c.ws.terminate(); continue }
        c.alive = false
        c.ws.ping()
      }
    }, intervalMs / SLICES)
    this.timer.unref()
  }

  /** The slice of a new connection: in turn, so that they stay even. */
  slice(): number { return this.next++ % SLICES }

  close(): void { clearInterval(this.timer) }
}
