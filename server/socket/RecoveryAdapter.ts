/**
 * Socket.IO's connection-state recovery, bounded. The stock in-memory adapter keeps every packet sent to
 * anyone for the whole recovery window (each participant's `cafe:state` on every push: gigabytes in a busy
 * café) and scans all of them on each reconnection. This one keeps only the notices a blip would really
 * miss (`REPLAYED_EVENTS`; the state is sent again on every connection anyway), at most
 * `MAX_REPLAY_PACKETS` of them, and finds a client's offset in one look-up.
 */
import { randomBytes } from 'node:crypto'
import { Adapter } from 'socket.io-adapter'
import type { BroadcastOptions, Room, Session } from 'socket.io-adapter'

/** Replayed after a blip. `session:ready` is kept too: it gives every connection an offset to resume from. */
export const REPLAYED_EVENTS: ReadonlySet<string> = new Set(['session:ready', 'seat:next', 'timer:warning', 'cafe:message'])
export const MAX_REPLAY_PACKETS = 20_000
export const MAX_RECOVERY_SESSIONS = 50_000

type SessionToPersist = Omit<Session, 'missedPackets'>
interface Stored { seq: number; rooms: Set<Room>; except: Set<Room>; data: unknown[]; emittedAt: number }
const EVENT_PACKET = 2

export class RecoveryAdapter extends Adapter {
  private readonly windowMs: number
  private readonly prefix = randomBytes(6).toString('base64url')
  private readonly sessions = new Map<string, SessionToPersist & { disconnectedAt: number }>()
  /** Oldest first; `packets[i]` has seq `firstSeq + i`. */
  private packets: Stored[] = []
  private firstSeq = 0

  constructor(nsp: ConstructorParameters<typeof Adapter>[0]) {
    super(nsp)
    this.windowMs = (nsp as { server: { opts: { connectionStateRecovery?: { maxDisconnectionDuration?: number } } } })
      .server.opts.connectionStateRecovery?.maxDisconnectionDuration ?? 2 * 60_000
  }

  /** Packets held for replay. */
  get replayBacklog(): number {
    return this.packets.length
  }

  override persistSession(session: SessionToPersist): void {
    const now = Date.now()
    this.sessions.delete(session.pid)
    this.sessions.set(session.pid, { ...session, disconnectedAt: now })
    // Insertion order is disconnection order: the expired and the surplus are at the front.
    for (const [pid, s] of this.sessions) {
      if (s.disconnectedAt >= now - this.windowMs && this.sessions.size <= MAX_RECOVERY_SESSIONS) break
      this.sessions.delete(pid)
    }
  }

  override restoreSession(pid: string, offset: string): Promise<Session> {
    const session = this.sessions.get(pid)
    this.sessions.delete(pid)
    const seq = this.seqOf(offset)
    if (!session || session.disconnectedAt < Date.now() - this.windowMs || seq === null || seq < this.firstSeq) {
      return Promise.resolve(null as unknown as Session)
    }
    const { disconnectedAt: _, ...kept } = session
    const missedPackets: unknown[][] = []
    for (let i = seq + 1 - this.firstSeq; i < this.packets.length; i++) {
      const p = this.packets[i]!
      if ((p.rooms.size === 0 || kept.rooms.some((r) => p.rooms.has(r))) && kept.rooms.every((r) => !p.except.has(r))) missedPackets.push(p.data)
    }
    return Promise.resolve({ ...kept, missedPackets })
  }

  override broadcast(packet: { type: number; id?: number; data?: unknown[] }, opts: BroadcastOptions): void {
    const event = packet.type === EVENT_PACKET && packet.id === undefined && !opts.flags?.volatile ? packet.data?.[0] : undefined
    if (typeof event === 'string' && REPLAYED_EVENTS.has(event)) this.store(packet.data!, opts)
    super.broadcast(packet, opts)
  }

  private store(data: unknown[], opts: BroadcastOptions): void {
    const now = Date.now()
    const seq = this.firstSeq + this.packets.length
    // The offset travels as the packet's last argument (socket.io-client reads it from there).
    data.push(`${this.prefix}.${seq.toString(36)}`)
    this.packets.push({ seq, rooms: new Set(opts.rooms), except: new Set(opts.except ?? []), data, emittedAt: now })
    let drop = 0
    while (drop < this.packets.length && (this.packets[drop]!.emittedAt < now - this.windowMs || this.packets.length - drop > MAX_REPLAY_PACKETS)) drop++
    // Dropped in batches, so that trimming stays linear overall.
    if (drop > 0 && (drop >= 1024 || drop * 4 >= this.packets.length)) {
      this.packets = this.packets.slice(drop)
      this.firstSeq += drop
    }
  }

  private seqOf(offset: string): number | null {
    const [prefix, n] = offset.split('.')
    if (prefix !== this.prefix || !n || !/^[0-9a-z]{1,11}$/.test(n)) return null
    const seq = parseInt(n, 36)
    return seq < this.firstSeq + this.packets.length ? seq : null
  }
}
