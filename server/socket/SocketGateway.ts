/**
 * Socket.IO: who is connected to which café, and the requests they may send. Every request is first
 * checked against the sender's rate limits (`socketLimits.ts`), then its payload is parsed by its zod
 * schema and checked against the sender's role, and every request gets an ack.
 */
import type { TurnConfig } from './turnCredentials'
import type { Server as HttpServer } from 'node:http'
import { Server } from 'socket.io'
import type { Socket } from 'socket.io'
import { zodFieldErrors } from '../../shared/cafe'
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../shared/constants'
import type { Ack, AppError } from '../../shared/errors'
import { appError, fail, ok } from '../../shared/errors'
import { zodFieldKinds } from '../../shared/errorReasons'
import type { LifecycleEvent } from '../../shared/lifecycle'
import type { ClientToServerEvents, Profile, RequestName, ServerToClientEvents, SocketData } from '../../shared/protocol'
import { FACILITATOR_REQUESTS, PARTICIPANT_REQUESTS, handshakeSchema, requestSchemas } from '../../shared/protocol'
import type { CafeRegistry } from '../cafes/CafeRegistry'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import type { Result } from '../cafes/result'
import type { Clock } from '../clock'
import type { Logger } from '../log'
import type { StorageHealth } from '../store/DurableWriter'
import { CommandLimiter } from './CommandLimiter'
import { ConnectionLimiter, clientAddress } from './ConnectionLimiter'
import { RecoveryAdapter } from './RecoveryAdapter'
import { requestArgs } from './requestArgs'
import { CallSignaling } from './callSignaling'
import type { IceServer } from '../../shared/calls'
import { pathCafeId } from './cafePath'
import { SOCKET_LIMITS } from './socketLimits'
import type { SocketLimits } from './socketLimits'

type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>

export const cafeRoom = (cafeId: string) => `cafe:${cafeId}`
export const facilitatorRoom = (cafeId: string) => `cafe:${cafeId}:facilitators`
export const participantRoom = (participantId: string) => `participant:${participantId}`

const STATE_BROADCAST_DELAY_MS = 25
/** After a push that took d ms, the next one waits at least this many times d: pushes stay under a fifth of the loop. */
const STATE_PUSH_QUIET_FACTOR = 4

/** A refused connection: the client reads `data` (an `AppError`, reason included) in its `connect_error`. */
class HandshakeError extends Error {
  data: AppError
  constructor(reason: 'one_session' | 'outdated_client' | 'bad_handshake' | 'bad_credential' | 'server_error', message: string) {
    const data = appError(reason, message)
    super(data.code)
    this.data = data
  }
}

export interface GatewayDeps {
  registry: CafeRegistry
  clock: Clock
  log: Logger
  health(): StorageHealth
  /** Null when every write is durable already; else when it will be (a store that writes behind: DurableWriter.whenDurable). */
  whenDurable?(): Promise<void> | null
  /** Take the client's address from X-Forwarded-For (the server's TRUST_PROXY). Default false. */
  trustProxy?: boolean
  /** Default `SOCKET_LIMITS`. */
  limits?: SocketLimits
  /** A monotonic clock in ms for the rate limits (default `performance.now`). */
  monotonicNow?: () => number
  /** STUN/TURN servers for the table calls of online cafés (ICE_SERVERS); default none. */
  iceServers?: IceServer[]
  /** A TURN relay given with credentials of their own to each call member (TURN_URLS, TURN_SECRET); default none. */
  turn?: TurnConfig | null
}

export class SocketGateway {
  readonly io: IoServer
  readonly connections: ConnectionLimiter
  private readonly commands: CommandLimiter
  /** The table calls of online cafés (callSignaling.ts). */
  readonly calls: CallSignaling
  private pendingState = new Map<string, NodeJS.Timeout>()
  /** When a café's last slow push ended and how long it took (fast pushes are not remembered). */
  private slowPushes = new Map<string, { endedAt: number; tookMs: number }>()
  private readonly addresses = new WeakMap<IoSocket, string>()
  /** Engine connections that carry a café socket: one each, so one transport cannot multiply sockets. */
  private readonly carrying = new WeakSet<object>()

  constructor(httpServer: HttpServer, private deps: GatewayDeps) {
    const limits = deps.limits ?? SOCKET_LIMITS
    const now = deps.monotonicNow ?? (() => performance.now())
    const trustProxy = deps.trustProxy ?? false
    this.connections = new ConnectionLimiter(limits.connections, now)
    this.commands = new CommandLimiter(limits, now)
    this.calls = new CallSignaling({ registry: deps.registry, log: deps.log, iceServers: deps.iceServers ?? [], turn: deps.turn ?? null, wallNow: () => deps.clock.now(), now })
    this.io = new Server(httpServer, {
      serveClient: false,
      maxHttpBufferSize: MAX_FRAME_BYTES,
      destroyUpgrade: false,
      // After a blip the same socket resumes; middlewares still run, so the role is checked again.
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
      // Keeps only the notices worth replaying, boundedly (the stock adapter keeps every state push).
      adapter: RecoveryAdapter,
      // Before the handshake does any work: a refused client's transport fails and it retries later.
      allowRequest: (req, callback) => {
        const admitted = this.connections.admit(clientAddress(req, trustProxy))
        callback(admitted ? null : 'Too many connections from this address.', admitted)
      },
    })
    this.io.engine.on('connection', (conn: { request: Parameters<typeof clientAddress>[0]; once(e: 'close', fn: () => void): void }) => {
      const address = clientAddress(conn.request, trustProxy)
      this.connections.opened(address)
      conn.once('close', () => this.connections.closed(address))
    })
    this.io.use((socket, next) => {
      try {
        if (this.carrying.has(socket.conn)) throw new HandshakeError('one_session', 'This connection already carries a café session.')
        socket.data = this.authenticate(socket.handshake.auth, pathCafeId(socket.request))
        this.carrying.add(socket.conn)
        this.addresses.set(socket, clientAddress(socket.request, trustProxy))
        next()
      } catch (err) {
        next(err instanceof HandshakeError ? err : new HandshakeError('server_error', 'Could not authenticate.'))
      }
    })
    this.io.on('connection', (socket) => this.onConnection(socket))
  }

  /** `pathCafe`: the café of the `/c/<cafeId>/socket.io/` path it came in on (null on `/socket.io/`). */
  private authenticate(auth: unknown, pathCafe: string | null): SocketData {
    const protocol = (auth as { protocol?: unknown } | null)?.protocol
    if (protocol !== PROTOCOL_VERSION) {
      throw new HandshakeError('outdated_client', 'Nappe was updated. Please reload the page.')
    }
    const parsed = handshakeSchema.safeParse(auth)
    if (!parsed.success) throw new HandshakeError('bad_handshake', 'Invalid connection request.')
    const { cafeId, facilitatorKey, participantToken } = parsed.data
    // The proxy routed this connection by its path: a session for another café would land on the wrong node.
    if (pathCafe !== null && pathCafe !== cafeId) throw new HandshakeError('bad_handshake', 'This connection names another café in its path (/c/<cafeId>/socket.io/) than in its request.')
    const cafe = this.deps.registry.get(cafeId)
    if (cafe && facilitatorKey && cafe.isFacilitatorKey(facilitatorKey)) return { cafeId, role: 'facilitator', participantId: null }
    const p = cafe && participantToken ? cafe.participantByToken(participantToken) : null
    if (cafe && p) return { cafeId, role: 'participant', participantId: p.id }
    throw new HandshakeError('bad_credential', 'This link or session is not valid for this café.')
  }

  private onConnection(socket: IoSocket): void {
    const { cafeId, role, participantId } = socket.data
    const cafe = this.deps.registry.get(cafeId)
    socket.on('disconnect', () => this.carrying.delete(socket.conn))
    if (!cafe) return void socket.disconnect(true)
    void socket.join(cafeRoom(cafeId))
    if (role === 'facilitator') void socket.join(facilitatorRoom(cafeId))
    if (participantId) {
      void socket.join(participantRoom(participantId))
      cafe.connected(participantId)
      socket.on('disconnect', () => cafe.disconnected(participantId))
    }
    this.afterDurable(cafeId, () => {
      if (!socket.connected) return
      socket.emit('session:ready', { role, participantId, protocol: PROTOCOL_VERSION })
      socket.emit('cafe:state', participantId ? cafe.participantViews()(participantId) : cafe.view())
      if (role === 'facilitator') socket.emit('server:health', pick(this.deps.health()))
    })

    const known = new Set([...Object.keys(requestSchemas), ...CallSignaling.events])
    socket.onAny((event: string) => {
      if (known.has(event)) return
      const name = String(event).slice(0, 60)
      const error: AppError = appError('unknown_event', `Unknown event "${name}".`, { params: { event: name } })
      socket.emit('server:error', error)
      socket.disconnect(true)
    })
    for (const name of Object.keys(requestSchemas) as RequestName[]) {
      socket.on(name, (...args: unknown[]) => this.handle(socket, name, args))
    }
    this.calls.register(socket)
  }

  private handle(socket: IoSocket, name: RequestName, args: unknown[]): void {
    if (!socket.connected) return
    const { payload, ack, answer } = requestArgs(socket, args)
    // "Done" is said once what the request wrote is durable (at once on SQLite; after the commit on
    // PostgreSQL), and only by the node still serving the café (one that lost it dropped the writes).
    const reply = (result: Ack<unknown>) => {
      if (!this.deps.whenDurable?.()) return answer(result)
      this.afterDurable(socket.data.cafeId, () => answer(result), () => answer(fail('cafe_moving', 'This café is moving to another server: try again in 2 s.', { params: { seconds: 2 } })))
    }
    // Before anything else, the payload's parsing included: a refused request costs next to nothing.
    const verdict = this.commands.check({ participantId: socket.data.participantId, socketId: socket.id, address: this.addresses.get(socket) ?? 'unknown' }, name)
    if (verdict === 'limited') return reply(fail('too_many_requests', 'Too many requests. Wait a moment and try again.'))
    if (verdict === 'flooding') {
      this.deps.log.warn('socket flooding: disconnected', { event: name, cafeId: socket.data.cafeId, role: socket.data.role })
      const flooding = appError('flooding', 'Far too many requests: this connection is closed.')
      if (ack) ack({ ok: false, error: flooding })
      socket.emit('server:error', flooding)
      return void socket.disconnect(true)
    }
    try {
      reply(this.dispatch(socket, name, payload))
    } catch (err) {
      this.deps.log.error('request failed', { event: name, err })
      reply(fail('server_error', 'Something went wrong on the server.'))
    }
  }

  private dispatch(socket: IoSocket, name: RequestName, payload: unknown): Ack<unknown> {
    const parsed = requestSchemas[name].safeParse(payload)
    if (!parsed.success) return fail('bad_data', `Invalid data for "${name}".`, { fields: zodFieldErrors(parsed.error), fieldKinds: zodFieldKinds(parsed.error) })
    const { cafeId, role, participantId } = socket.data
    const cafe = this.deps.registry.get(cafeId)
    if (!cafe) return fail('no_cafe', 'This café no longer exists.')
    if (FACILITATOR_REQUESTS.has(name) && role !== 'facilitator') return fail('facilitator_only', 'Only a facilitator can do this.')
    if (PARTICIPANT_REQUESTS.has(name) && role !== 'participant') return fail('participant_only', 'Only a participant can do this.')
    if (participantId && !cafe.participant(participantId)) {
      socket.disconnect(true)
      return fail('not_in_cafe', 'You are no longer in this café.')
    }
    const data = parsed.data as never
    switch (name) {
      case 'clock:sync': return ok({ serverNow: this.deps.clock.now() })
      case 'cafe:open': return lifecycle(cafe, { type: 'open' })
      case 'cafe:end': return lifecycle(cafe, { type: 'end' })
      case 'cafe:close': return lifecycle(cafe, { type: 'close' })
      case 'round:start': return lifecycle(cafe, { type: 'start' })
      case 'round:pause': return lifecycle(cafe, { type: 'pause' })
      case 'round:resume': return lifecycle(cafe, { type: 'resume' })
      case 'round:skip': return lifecycle(cafe, { type: 'skip' })
      case 'round:addTime': return lifecycle(cafe, { type: 'addTime', ms: (data as { ms: number }).ms })
      case 'cafe:setAdvance': return toAck(cafe.setAdvance((data as { advance: 'auto' | 'manual' }).advance), (lc) => ({ lifecycle: lc }))
      case 'participant:move': {
        const d = data as { participantId: string; tableId: string }
        return toAck(cafe.move(d.participantId, d.tableId), (p) => ({ participant: cafe.participantView(p) }))
      }
      case 'participant:setHost': {
        const d = data as { participantId: string; tableId: string | null }
        return toAck(cafe.setHost(d.participantId, d.tableId), (p) => ({ participant: cafe.participantView(p) }))
      }
      case 'participant:add': return toAck(cafe.addPeople((data as { people: Profile[] }).people), (list) => ({ participants: list.map((p) => cafe.participantView(p)) }))
      case 'participant:setPresent': {
        const d = data as { participantId: string; present: boolean }
        return toAck(cafe.setPresent(d.participantId, d.present), (p) => ({ participant: cafe.participantView(p) }))
      }
      case 'participant:setRemote': {
        const d = data as { participantId: string; remote: boolean }
        return toAck(cafe.setRemote(d.participantId, d.remote), (p) => ({ participant: cafe.participantView(p) }))
      }
      case 'participant:remove': return toAck(cafe.remove((data as { participantId: string }).participantId), (v) => v)
      case 'participant:leave': return toAck(cafe.remove(participantId!), (v) => v)
      case 'participant:update': return toAck(cafe.updateProfile(participantId!, data), (p) => ({ participant: cafe.participantView(p) }))
      case 'cafe:broadcast': return toAck(cafe.broadcast((data as { text: string }).text), (message) => ({ message }))
      case 'plan:move': {
        const d = data as { round: number; participantId: string; tableId: string; swapWith?: string | null }
        return toAck(cafe.editPlan(d.round, d.participantId, d.tableId, d.swapWith ?? null), (plan) => ({ plan }))
      }
      case 'plan:unpin': {
        const d = data as { round: number; participantId: string }
        return toAck(cafe.unpin(d.round, d.participantId), (plan) => ({ plan }))
      }
      case 'plan:replan': return toAck(cafe.replan((data as { fresh: boolean }).fresh), (plan) => ({ plan }))
      case 'tablecloth:lock': {
        const d = data as { tableId: string; questionId: string; locked: boolean }
        return toAck(cafe.setLocked(d.tableId, d.questionId, d.locked), (lockedDocs) => ({ lockedDocs }))
      }
    }
  }

  // ---- pushes from the cafés ----

  stateChanged(cafe: CafeRuntime): void {
    this.calls.seatsChanged(cafe)
    if (this.pendingState.has(cafe.id)) return
    // Changes within the delay go out in one push; a café whose pushes are slow (hundreds of people) is
    // pushed to less often, so that a stream of changes cannot keep the loop busy with pushes.
    const slow = this.slowPushes.get(cafe.id)
    const quietUntil = slow ? slow.endedAt + slow.tookMs * STATE_PUSH_QUIET_FACTOR : 0
    const delay = Math.max(STATE_BROADCAST_DELAY_MS, quietUntil - performance.now())
    const t = setTimeout(() => {
      this.pendingState.delete(cafe.id)
      this.afterDurable(cafe.id, () => {
        const started = performance.now()
        this.pushState(cafe)
        const endedAt = performance.now()
        const tookMs = endedAt - started
        if (tookMs * STATE_PUSH_QUIET_FACTOR > STATE_BROADCAST_DELAY_MS) this.slowPushes.set(cafe.id, { endedAt, tookMs })
        else this.slowPushes.delete(cafe.id)
      })
    }, delay)
    this.pendingState.set(cafe.id, t)
  }

  private pushState(cafe: CafeRuntime): void {
    // Nobody connected (an import, a café between sessions): nothing to build. Who connects gets the state then.
    if (!this.io.sockets.adapter.rooms.get(cafeRoom(cafe.id))?.size) return
    const full = cafe.view()
    this.io.to(facilitatorRoom(cafe.id)).emit('cafe:state', full)
    const viewFor = cafe.participantViews(full)
    const sockets = this.io.sockets.adapter.rooms.get(cafeRoom(cafe.id))
    for (const id of sockets ?? []) {
      const socket = this.io.sockets.sockets.get(id)
      const pid = socket?.data.participantId
      if (socket && pid) socket.emit('cafe:state', viewFor(pid))
    }
  }

  warning(cafe: CafeRuntime, w: { round: number; msLeft: number; endsAt: number }): void {
    this.afterDurable(cafe.id, () => this.io.to(cafeRoom(cafe.id)).emit('timer:warning', { ...w, serverNow: this.deps.clock.now() }))
  }

  message(cafe: CafeRuntime, message: { text: string; at: number } | null): void {
    this.afterDurable(cafe.id, () => this.io.to(cafeRoom(cafe.id)).emit('cafe:message', message))
  }

  nextSeat(cafe: CafeRuntime, participantId: string, seat: Parameters<ServerToClientEvents['seat:next']>[0]): void {
    this.afterDurable(cafe.id, () => this.io.to(participantRoom(participantId)).emit('seat:next', seat))
  }

  /**
   * Runs `fn` once every write made so far is durable (at once on SQLite; after this turn's commit on
   * PostgreSQL), if this node still serves the café then (else `lost`): what the clients are told of a
   * café must be what its next node will load.
   */
  private afterDurable(cafeId: string, fn: () => void, lost: () => void = () => {}): void {
    const run = () => {
      try {
        if (this.deps.registry.has(cafeId)) fn()
        else lost()
      } catch (err) {
        this.deps.log.error('a push to a café\'s clients failed', { cafeId, err })
      }
    }
    const durable = this.deps.whenDurable?.()
    if (!durable) return run()
    durable.then(run, (err: unknown) => this.deps.log.error('a push was held back: not durable', { cafeId, err }))
  }

  participantGone(participantId: string): void {
    // After the current request's ack has gone out.
    setImmediate(() => this.io.in(participantRoom(participantId)).disconnectSockets(true))
  }

  /** Whether anyone is connected to the café. */
  hasClients(cafeId: string): boolean {
    return (this.io.sockets.adapter.rooms.get(cafeRoom(cafeId))?.size ?? 0) > 0
  }

  /**
   * Another node took the café: its connections close as a lost network would (not as a server
   * disconnect, after which a Socket.IO client would not come back), so every client reconnects by
   * itself and reaches the café's new node.
   */
  disconnectCafe(cafeId: string): void {
    const room = this.io.sockets.adapter.rooms.get(cafeRoom(cafeId))
    for (const id of [...(room ?? [])]) this.io.sockets.sockets.get(id)?.conn.close()
    const t = this.pendingState.get(cafeId)
    if (t) clearTimeout(t)
    this.pendingState.delete(cafeId)
  }

  healthChanged(health: StorageHealth): void {
    for (const cafe of this.deps.registry.all()) this.io.to(facilitatorRoom(cafe.id)).emit('server:health', pick(health))
  }

  async close(): Promise<void> {
    for (const t of this.pendingState.values()) clearTimeout(t)
    this.pendingState.clear()
    this.slowPushes.clear()
    await this.io.close()
  }
}

function lifecycle(cafe: CafeRuntime, event: LifecycleEvent) {
  return toAck(cafe.apply(event), (lc) => ({ lifecycle: lc }))
}

function toAck<T, R>(result: Result<T>, map: (v: T) => R): Ack<R> {
  if (result.ok) return ok(map(result.value))
  const { ok: _failed, ...error } = result
  return { ok: false, error }
}

function pick(h: StorageHealth) {
  return { storage: h.storage, pendingWrites: h.pendingWrites }
}
