/**
 * The browser's live link to one café over Socket.IO: the café state, the session, the clock offset to
 * the server, warnings and messages. A plain class (no React): views subscribe through `useCafe`.
 */
import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import { bestOffset, offsetFromPush } from '../../../shared/clock'
import type { ClockSample } from '../../../shared/clock'
import { PROTOCOL_VERSION } from '../../../shared/constants'
import type { Ack, AppError } from '../../../shared/errors'
import { fail } from '../../../shared/errors'
import type { BroadcastMessage, CafeView, ClientToServerEvents, HealthInfo, NextSeat, RequestName, ServerToClientEvents, SessionInfo } from '../../../shared/protocol'

export type Credential = { facilitatorKey: string } | { participantToken: string }
export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'refused' | 'outdated'

export interface CafeSnapshot {
  status: ConnectionStatus
  /** Why the server refused us (unauthorized, protocol_mismatch), for the screen to explain. */
  refusal: AppError | null
  view: CafeView | null
  session: SessionInfo | null
  /** serverTime - localTime, in ms. */
  offsetMs: number
  health: HealthInfo | null
  nextSeat: NextSeat | null
  warning: { round: number; msLeft: number; receivedAt: number } | null
  message: BroadcastMessage | null
}

/** Socket.IO's path for one café; the server also still answers on the plain `/socket.io/`. */
export const cafeSocketPath = (cafeId: string): string => `/c/${encodeURIComponent(cafeId)}/socket.io/`

const initial: CafeSnapshot = { status: 'connecting', refusal: null, view: null, session: null, offsetMs: 0, health: null, nextSeat: null, warning: null, message: null }

export class CafeConnection {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>
  private snapshot: CafeSnapshot = initial
  private listeners = new Set<() => void>()
  private samples: ClockSample[] = []

  constructor(readonly cafeId: string, credential: Credential, url = '') {
    this.socket = io(url || undefined, {
      // The café's own path: a proxy routes every connection of a café to its node by it (server/socket/cafePath.ts).
      path: cafeSocketPath(cafeId),
      auth: { protocol: PROTOCOL_VERSION, cafeId, ...credential },
      transports: ['websocket', 'polling'],
      reconnectionDelayMax: 4000,
    })
    const s = this.socket
    s.on('connect', () => { this.set({ status: 'online', refusal: null }); void this.syncClock() })
    s.on('disconnect', () => this.set({ status: 'offline' }))
    s.on('connect_error', (err: Error & { data?: AppError }) => {
      const code = err.data?.code
      if (code === 'protocol_mismatch') { this.set({ status: 'outdated', refusal: err.data! }); s.disconnect() }
      else if (code === 'unauthorized' || code === 'bad_request') { this.set({ status: 'refused', refusal: err.data! }); s.disconnect() }
      else this.set({ status: 'offline' })
    })
    s.on('session:ready', (session) => this.set({ session }))
    s.on('cafe:state', (view) => {
      const offsetMs = this.samples.length ? this.snapshot.offsetMs : offsetFromPush(view.serverNow, Date.now())
      // A new round clears the previous round's notice and warning.
      const lc = view.lifecycle
      const round = lc.phase === 'round' ? lc.round : null
      const nextSeat = this.snapshot.nextSeat && round !== null && this.snapshot.nextSeat.round <= round ? null : this.snapshot.nextSeat
      const warning = this.snapshot.warning && this.snapshot.warning.round !== round ? null : this.snapshot.warning
      this.set({ view, offsetMs, nextSeat, warning, message: view.message ?? null })
    })
    s.on('seat:next', (nextSeat) => this.set({ nextSeat }))
    s.on('timer:warning', (w) => this.set({ warning: { round: w.round, msLeft: w.msLeft, receivedAt: Date.now() } }))
    s.on('server:health', (health) => this.set({ health }))
    s.on('cafe:message', (message) => this.set({ message }))
    if (typeof window !== 'undefined') window.addEventListener('offline', this.onOffline)
  }

  /** The system says the network is gone: the socket is dead, so drop it now (Socket.IO reconnects by itself). */
  private onOffline = (): void => {
    if (this.socket.connected) this.socket.io.engine?.close()
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  getSnapshot = (): CafeSnapshot => this.snapshot

  /** Sends a request and resolves with its ack (an error ack if the server does not answer in time). */
  async request<T = unknown>(event: RequestName, payload: unknown = {}): Promise<Ack<T>> {
    try {
      const emitter = this.socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<T>> }
      return await emitter.emitWithAck(event, payload)
    } catch {
      return fail('no_answer', 'No answer from the server.')
    }
  }

  close(): void {
    if (typeof window !== 'undefined') window.removeEventListener('offline', this.onOffline)
    this.socket.close()
    this.listeners.clear()
  }

  /** Three round trips; the fastest one gives the offset. */
  private async syncClock(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const sentAt = Date.now()
      const ack = await this.request<{ serverNow: number }>('clock:sync', { sentAt })
      if (!ack.ok) return
      this.samples.push({ sentAt, serverNow: ack.data.serverNow, receivedAt: Date.now() })
    }
    this.samples = this.samples.slice(-6)
    const offsetMs = bestOffset(this.samples)
    if (offsetMs !== null) this.set({ offsetMs })
  }

  private set(patch: Partial<CafeSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch }
    for (const fn of this.listeners) fn()
  }
}
