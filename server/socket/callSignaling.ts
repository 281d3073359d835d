/**
 * Signaling of the table calls of online cafés (docs/calls.md), over the café's Socket.IO connection.
 * The server only relays offers, answers and ICE candidates between the members of one call; the sound
 * goes browser to browser and is never seen, recorded or stored here.
 *
 * Every message is rate-limited (its own buckets: ICE candidates come in bursts; counted per participant,
 * all their connections together, and per facilitator connection, like the command limiter), parsed
 * by its zod schema (`shared/calls.ts`, with size caps), and checked against the rules of `shared/calls.ts`
 * from the café's record as it is now: only someone seated at that online table in that round (or a
 * facilitator) may be in its call, and a signal goes only to another member of the same call. When the
 * seats change (a rotation, a move by the facilitator), members who lost their right are taken out and
 * their peers told, so the browsers close those connections. A participant is in a call once: joining
 * it from a second connection (their phone beside their laptop) takes the older one out (`call_replaced`).
 */
import type { TurnConfig } from './turnCredentials'
import { turnCredentials } from './turnCredentials'
import type { Socket } from 'socket.io'
import { zodFieldErrors } from '../../shared/cafe'
import type { CallKey, CallMember, CallPayload, CallRefusal, CallRequest, CallServerEvents, CallWho, IceServer, JoinedCall } from '../../shared/calls'
import { CALL_REQUESTS, MAX_CALL_MEMBERS, callAccess, callId, callSchemas, maySignal } from '../../shared/calls'
import type { Ack } from '../../shared/errors'
import { appError, fail, ok } from '../../shared/errors'
import { zodFieldKinds } from '../../shared/errorReasons'
import type { SocketData } from '../../shared/protocol'
import type { CafeRegistry } from '../cafes/CafeRegistry'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import type { Logger } from '../log'
import type { BucketRate } from './TokenBuckets'
import { TokenBuckets } from './TokenBuckets'
import { requestArgs } from './requestArgs'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySocket = Socket<any, any, any, SocketData>

export interface CallLimits {
  /** Messages per participant (all their connections): a call set-up is 2 descriptions and 5 to 20 candidates per peer. */
  participant: BucketRate
  /** Per facilitator connection: speaking to every table connects to everyone at once. */
  facilitator: BucketRate
  /** A connection this many times over its rate is disconnected. */
  floodFactor: number
  /** Characters of descriptions and candidates relayed per participant (all their connections) and per facilitator connection. */
  signalChars: { participant: BucketRate; facilitator: BucketRate }
}

/**
 * A table of 8 connecting at once (7 peers × ~25 messages, twice with the next table's call) fits in a
 * participant's burst; a facilitator speaking to 30 tables of 8 in theirs.
 */
export const CALL_LIMITS: CallLimits = {
  participant: { burst: 400, perSecond: 40 },
  facilitator: { burst: 6000, perSecond: 300 },
  floodFactor: 5,
  // A description is 2,000-6,000 characters, a candidate about 200: a table of 8 set up twice (this table's
  // call and the next one's) is some 200,000; a facilitator speaking to 30 tables of 8, 2.5 million.
  // Without it, a burst of messages could carry 400 descriptions of 24,000 characters (9.6 MB) to a tablemate.
  signalChars: { participant: { burst: 512 * 1024, perSecond: 32 * 1024 }, facilitator: { burst: 4 * 1024 * 1024, perSecond: 256 * 1024 } },
}

export interface CallSignalingDeps {
  registry: CafeRegistry
  log: Logger
  iceServers: IceServer[]
  /** A TURN relay: each member gets credentials of their own with each join (turnCredentials.ts). */
  turn?: TurnConfig | null
  /** Wall-clock time in ms (the TURN credentials' expiry). Default Date.now. */
  wallNow?: () => number
  limits?: CallLimits
  now?: () => number
}

interface Member extends CallMember { socket: AnySocket; key: CallKey }

const refusals: Record<CallRefusal, string> = {
  call_not_online: 'This table has no online call.',
  call_closed: 'This call is not open now.',
  call_not_seated: 'You are not seated at this table in this round.',
  call_not_joined: 'Join the call first.',
  call_peer_absent: 'This person is not in the call.',
  call_full: 'This call is full.',
  call_replaced: 'You joined this call from another device or tab: it goes on there.',
}
const refuse = (reason: CallRefusal): Ack<never> => fail(reason, refusals[reason])

export class CallSignaling {
  /** cafeId → callId → peerId → member. */
  private readonly calls = new Map<string, Map<string, Map<string, Member>>>()
  /** [own rate, every attempt at floodFactor times the rate], for participants and for facilitators. */
  private readonly buckets: Record<'participant' | 'facilitator', [TokenBuckets, TokenBuckets]>
  /** Characters of signals relayed, for participants and for facilitators. */
  private readonly signalChars: Record<'participant' | 'facilitator', TokenBuckets>

  constructor(private readonly deps: CallSignalingDeps) {
    const limits = deps.limits ?? CALL_LIMITS
    const now = deps.now ?? (() => performance.now())
    const pair = (r: BucketRate): [TokenBuckets, TokenBuckets] => [
      new TokenBuckets(r, now), new TokenBuckets({ burst: r.burst * limits.floodFactor, perSecond: r.perSecond * limits.floodFactor }, now),
    ]
    this.buckets = { participant: pair(limits.participant), facilitator: pair(limits.facilitator) }
    this.signalChars = { participant: new TokenBuckets(limits.signalChars.participant, now), facilitator: new TokenBuckets(limits.signalChars.facilitator, now) }
  }

  static readonly events: readonly string[] = CALL_REQUESTS

  /** Registers the call requests on a café connection. */
  register(socket: AnySocket): void {
    for (const name of CALL_REQUESTS) socket.on(name, (...args: unknown[]) => this.handle(socket, name, args))
    socket.on('disconnect', () => this.leaveAll(socket))
  }

  private handle(socket: AnySocket, name: CallRequest, args: unknown[]): void {
    if (!socket.connected) return
    const { payload, answer } = requestArgs(socket, args)
    const facilitator = socket.data.role === 'facilitator'
    const [own, attempts] = this.buckets[facilitator ? 'facilitator' : 'participant']
    const sender = allowanceKey(socket)
    if (!attempts.take(sender, 1)) {
      this.deps.log.warn('call signaling flooding: disconnected', { event: name, cafeId: socket.data.cafeId })
      const flooding = appError('flooding', 'Far too many requests: this connection is closed.')
      answer({ ok: false, error: flooding })
      return void socket.disconnect(true)
    }
    if (!own.take(sender, 1)) return answer(fail('too_many_requests', 'Too many requests. Wait a moment and try again.'))
    try {
      answer(this.dispatch(socket, name, payload))
    } catch (err) {
      this.deps.log.error('call request failed', { event: name, err })
      answer(fail('server_error', 'Something went wrong on the server.'))
    }
  }

  private dispatch(socket: AnySocket, name: CallRequest, payload: unknown): Ack<unknown> {
    const parsed = callSchemas[name].safeParse(payload)
    if (!parsed.success) return fail('bad_data', `Invalid data for "${name}".`, { fields: zodFieldErrors(parsed.error), fieldKinds: zodFieldKinds(parsed.error) })
    const cafe = this.deps.registry.get(socket.data.cafeId)
    if (!cafe) return fail('no_cafe', 'This café no longer exists.')
    const who = whoOf(socket.data)
    if (!who) return fail('bad_credential', 'This session is not valid for this café.')
    if (who.role === 'participant' && !cafe.participant(who.participantId)) return fail('not_in_cafe', 'You are no longer in this café.')
    switch (name) {
      case 'call:join': return this.join(socket, cafe, who, parsed.data as CallPayload<'call:join'>)
      case 'call:leave': {
        const d = parsed.data as CallPayload<'call:leave'>
        this.remove(cafe.id, d, socket.id)
        return ok({})
      }
      case 'call:signal': return this.signal(socket, cafe, who, parsed.data as CallPayload<'call:signal'>)
    }
  }

  private join(socket: AnySocket, cafe: CafeRuntime, who: CallWho, d: CallPayload<'call:join'>): Ack<JoinedCall> {
    const key = { tableId: d.tableId, round: d.round }
    const refusal = callAccess(cafe.record, who, key)
    if (refusal) return refuse(refusal)
    // A participant talks; a facilitator listens in, speaks at this table (the table is told), or speaks to every table.
    const mode = who.role === 'participant' ? 'talk' : d.mode
    const call = this.call(cafe.id, key, true)!
    const existing = call.get(socket.id)
    // One membership per participant: their newer connection replaces the older (no self-echo, no filling the call).
    const older = who.role === 'participant' ? [...call.values()].filter((m) => m.participantId === who.participantId && m.peerId !== socket.id) : []
    if (!existing && call.size - older.length >= MAX_CALL_MEMBERS) return refuse('call_full')
    for (const m of older) this.remove(cafe.id, key, m.peerId, 'call_replaced')
    const name = who.role === 'participant' ? cafe.participant(who.participantId)?.displayName ?? '' : ''
    const self: Member = { peerId: socket.id, participantId: who.role === 'participant' ? who.participantId : null, name, role: who.role, mode, socket, key }
    call.set(socket.id, self)
    const peers = [...call.values()].filter((m) => m.peerId !== socket.id)
    if (!existing || existing.mode !== mode) for (const m of peers) m.socket.emit('call:peer-joined', { ...key, peer: publicMember(self) })
    const turn = this.deps.turn
    const iceServers = turn ? [...this.deps.iceServers, turnCredentials(turn, self.participantId ?? 'facilitator', (this.deps.wallNow ?? Date.now)())] : this.deps.iceServers
    return ok({ self: publicMember(self), peers: peers.map(publicMember), iceServers })
  }

  private signal(socket: AnySocket, cafe: CafeRuntime, who: CallWho, d: CallPayload<'call:signal'>): Ack<unknown> {
    const key = { tableId: d.tableId, round: d.round }
    const call = this.call(cafe.id, key, false)
    const refusal = maySignal(cafe.record, who, key, new Set(call?.keys() ?? []), socket.id, d.to)
    if (refusal) {
      // Moved by a rotation: out of the call for everyone, not only for this message.
      if (refusal !== 'call_peer_absent' && refusal !== 'call_not_joined') this.remove(cafe.id, key, socket.id, refusal)
      return refuse(refusal)
    }
    // What it makes the server send on is bounded too, not only how many messages: counted before relaying.
    const chars = (d.description?.sdp?.length ?? 0) + (d.candidate?.candidate.length ?? 0) + (d.candidate?.usernameFragment?.length ?? 0)
    if (!this.signalChars[who.role].take(allowanceKey(socket), chars)) {
      return fail('too_many_requests', 'Too many requests. Wait a moment and try again.')
    }
    const target = call!.get(d.to)!
    const event: Parameters<CallServerEvents['call:signal']>[0] = { ...key, from: socket.id }
    if (d.description) event.description = d.description
    if (d.candidate !== undefined) event.candidate = d.candidate
    target.socket.emit('call:signal', event)
    return ok({})
  }

  /** The seats changed: everyone who may no longer be in a call of this café is taken out of it. */
  seatsChanged(cafe: CafeRuntime): void {
    const calls = this.calls.get(cafe.id)
    if (!calls) return
    for (const call of [...calls.values()]) {
      for (const m of [...call.values()]) {
        const who: CallWho = m.participantId === null ? { role: 'facilitator' } : { role: 'participant', participantId: m.participantId }
        const gone = who.role === 'participant' && !cafe.participant(who.participantId)
        const refusal = gone ? 'call_not_seated' : callAccess(cafe.record, who, m.key)
        if (refusal) this.remove(cafe.id, m.key, m.peerId, refusal)
      }
    }
  }

  /** Members of a call now (tests, the console). */
  members(cafeId: string, key: CallKey): CallMember[] {
    return [...(this.call(cafeId, key, false)?.values() ?? [])].map(publicMember)
  }

  private call(cafeId: string, key: CallKey, create: boolean): Map<string, Member> | undefined {
    let calls = this.calls.get(cafeId)
    if (!calls && create) this.calls.set(cafeId, (calls = new Map()))
    const id = callId(key)
    let call = calls?.get(id)
    if (!call && create && calls) calls.set(id, (call = new Map()))
    return call
  }

  private remove(cafeId: string, key: CallKey, peerId: string, reason?: CallRefusal): void {
    const calls = this.calls.get(cafeId)
    const id = callId(key)
    const call = calls?.get(id)
    const member = call?.get(peerId)
    if (!call || !member) return
    call.delete(peerId)
    if (reason) member.socket.emit('call:ended', { ...key, reason })
    for (const m of call.values()) m.socket.emit('call:peer-left', { ...key, peerId })
    if (call.size === 0) calls!.delete(id)
    if (calls!.size === 0) this.calls.delete(cafeId)
  }

  private leaveAll(socket: AnySocket): void {
    const calls = this.calls.get(socket.data.cafeId)
    if (!calls) return
    for (const call of [...calls.values()]) {
      const m = call.get(socket.id)
      if (m) this.remove(socket.data.cafeId, m.key, socket.id)
    }
  }
}

function whoOf(d: SocketData): CallWho | null {
  if (d.role === 'facilitator') return { role: 'facilitator' }
  return d.participantId ? { role: 'participant', participantId: d.participantId } : null
}

function publicMember(m: Member): CallMember {
  return { peerId: m.peerId, participantId: m.participantId, name: m.name, role: m.role, mode: m.mode }
}

/** Whose allowance a message draws on: a participant's connections share one (as the command limiter counts them), a facilitator's each its own. */
function allowanceKey(socket: AnySocket): string {
  return socket.data.role === 'facilitator' || !socket.data.participantId ? socket.id : `p:${socket.data.participantId}`
}
