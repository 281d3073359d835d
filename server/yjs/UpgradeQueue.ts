/**
 * WebSocket upgrades waiting for their turn. Each costs the tablecloth server about 0.3 ms (the
 * handshake, the credential, the tablecloth, the first messages) and a rotation brings hundreds in the
 * same second. They wait in arrival order and are handled in slices of `sliceMs`, one slice per turn of
 * the event loop, so that between two slices the notes of those already at their table are read and sent
 * on, instead of waiting behind everybody's arrival (a 2 ms slice measured best: docs/performance.md).
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

export const UPGRADE_SLICE_MS = 2

type Handle = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

export class UpgradeQueue {
  private readonly waiting: Array<{ req: IncomingMessage; socket: Duplex; head: Buffer }> = []

  constructor(private readonly handle: Handle, private readonly sliceMs = UPGRADE_SLICE_MS) {}

  /** Upgrades not handled yet. */
  get length(): number { return this.waiting.length }

  push(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node leaves an upgraded socket without an error listener; until it is handled, a reset must not throw.
    socket.on('error', destroyOnError)
    this.waiting.push({ req, socket, head })
    if (this.waiting.length === 1) setImmediate(() => this.drain())
  }

  /** Shutdown: the waiting connections are dropped (their clients retry). */
  close(): void {
    for (const { socket } of this.waiting.splice(0)) socket.destroy()
  }

  private drain(): void {
    const until = performance.now() + this.sliceMs
    let done = 0
    while (done < this.waiting.length) {
      const { req, socket, head } = this.waiting[done++]!
      socket.off('error', destroyOnError)
      if (!socket.destroyed) this.handle(req, socket, head)
      if (performance.now() >= until) break
    }
    this.waiting.splice(0, done)
    if (this.waiting.length > 0) setImmediate(() => this.drain())
  }
}

function destroyOnError(this: Duplex): void {
  this.destroy()
}
