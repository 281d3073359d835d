/**
 * Table calls of online cafés (docs/calls.md): who may be in which call, who may signal to whom, and the
 * payloads of the signaling messages (pure; the server's `server/socket/callSignaling.ts` applies them).
 *
 * A call is one table in one round: `{ tableId, round }`. Media flows browser to browser (a mesh of
 * `RTCPeerConnection`s); the server only relays offers, answers and ICE candidates, and records nothing.
 * - A participant may be in the call of the table they sit at in the round in effect now, and, once the
 *   next seating is announced (30 s before the move), in the call of their next table for the next round:
 *   the browsers connect ahead, without sending sound, so the move only switches the microphone over.
 * - A facilitator may be in any online table's call of the round in effect now (to listen, to help, or
 *   to speak to every table).
 */
import { z } from 'zod'
import type { CafeDefinition } from './cafe'
import { isOnlineTable } from './cafe'
import type { LifecycleState } from './lifecycle'
import { seatingRound } from './lifecycle'
import { MAX_ROUNDS } from './constants'
import type { Seating } from './rotation'

/** An SDP of audio and video for one peer is 3 to 8 kB; anything much larger is not from a browser. */
export const MAX_SDP_CHARS = 24_000
export const MAX_CANDIDATE_CHARS = 1_000
/** The most people a call may hold (the biggest table plus facilitators): a mesh beyond that is not sound. */
export const MAX_CALL_MEMBERS = 24

/**
 * How a member takes part: a participant talks; a facilitator listens in (drop in: `listen`), speaks at
 * the table dropped in on (`talk`: the table is told), or speaks to every table (`announce`).
 */
export const CALL_MODES = ['talk', 'listen', 'announce'] as const
export type CallMode = (typeof CALL_MODES)[number]

export interface CallMember {
  /** The member's connection: the address signals are sent to. */
  peerId: string
  /** The participant's id, or null for a facilitator. */
  participantId: string | null
  name: string
  role: 'participant' | 'facilitator'
  mode: CallMode
}

export interface CallKey { tableId: string; round: number }
export const callId = (k: CallKey): string => `${k.tableId}@${k.round}`

/** What the rules need of a café: its record, as the server keeps it and the client is told it. */
export interface CallState {
  definition: Pick<CafeDefinition, 'venue' | 'tables'>
  lifecycle: LifecycleState
  seating: Seating
  nextSeating: Seating | null
}

export type CallWho = { role: 'facilitator' } | { role: 'participant'; participantId: string }

/** Why a call is refused or ended; `call_replaced`: the same participant joined it from another connection. */
export type CallRefusal = 'call_not_online' | 'call_closed' | 'call_not_seated' | 'call_not_joined' | 'call_peer_absent' | 'call_full' | 'call_replaced'

/** The round whose seats are in effect now, or null when no table talks (the café is over). */
export function callRound(lc: LifecycleState): number | null {
  return lc.phase === 'harvest' || lc.phase === 'closed' ? null : seatingRound(lc)
}

/** Whether this person may be in this call now (null) or why not. */
export function callAccess(s: CallState, who: CallWho, k: CallKey): CallRefusal | null {
  if (!isOnlineTable(s.definition, k.tableId)) return 'call_not_online'
  const now = callRound(s.lifecycle)
  if (now === null) return 'call_closed'
  if (who.role === 'facilitator') return k.round === now ? null : 'call_closed'
  if (k.round === now) return s.seating[who.participantId] === k.tableId ? null : 'call_not_seated'
  if (k.round === now + 1 && s.nextSeating) return s.nextSeating[who.participantId] === k.tableId ? null : 'call_not_seated'
  return 'call_closed'
}

/** Whether the call is the one in effect (sound flows) rather than the next round's (connected ahead, silent). */
export function isCurrentCall(lc: LifecycleState, k: CallKey): boolean {
  return callRound(lc) === k.round
}

/**
 * May `from` send a signal to `to` in this call? Both must be in it, and `from` must still be allowed in
 * it (a rotation that moved them ends their right at once, whatever their browser thinks).
 */
export function maySignal(s: CallState, from: CallWho, k: CallKey, members: ReadonlySet<string>, fromPeer: string, toPeer: string): CallRefusal | null {
  const access = callAccess(s, from, k)
  if (access) return access
  if (!members.has(fromPeer)) return 'call_not_joined'
  if (fromPeer === toPeer || !members.has(toPeer)) return 'call_peer_absent'
  return null
}

/**
 * Perfect negotiation's roles (W3C webrtc-pc §10.7): of two peers, the polite one yields when both offer
 * at once. Decided by participant id (facilitators first, then by connection), the same on both sides.
 */
export function isPolite(me: Pick<CallMember, 'peerId' | 'participantId'>, other: Pick<CallMember, 'peerId' | 'participantId'>): boolean {
  const key = (m: Pick<CallMember, 'peerId' | 'participantId'>) => `${m.participantId ?? ''}\u0000${m.peerId}`
  return key(me) < key(other)
}

/** Whether `member` should receive my microphone: everyone talks to everyone, except that a facilitator
 * speaking to every table hears nobody (twenty tables at once would be noise). */
export function sendsTo(member: Pick<CallMember, 'mode'>): boolean {
  return member.mode !== 'announce'
}

// ---- payloads (the server parses every one) ----

const tableId = z.string().min(1).max(40)
const round = z.number().int().min(1).max(MAX_ROUNDS)
const peerId = z.string().min(1).max(64)

export const descriptionSchema = z.object({
  type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: z.string().max(MAX_SDP_CHARS).optional(),
}).strict()

export const candidateSchema = z.object({
  candidate: z.string().max(MAX_CANDIDATE_CHARS),
  sdpMid: z.string().max(64).nullish(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullish(),
  usernameFragment: z.string().max(256).nullish(),
}).strict()

export const callSchemas = {
  'call:join': z.object({ tableId, round, mode: z.enum(CALL_MODES).default('talk') }).strict(),
  'call:leave': z.object({ tableId, round }).strict(),
  'call:signal': z.object({
    tableId, round, to: peerId,
    description: descriptionSchema.optional(),
    candidate: candidateSchema.nullable().optional(),
  }).strict().refine((v) => (v.description === undefined) !== (v.candidate === undefined), 'a description or a candidate, not both'),
} as const
export type CallRequest = keyof typeof callSchemas
export const CALL_REQUESTS = Object.keys(callSchemas) as CallRequest[]
export type CallPayload<E extends CallRequest> = z.infer<(typeof callSchemas)[E]>

export type SignalDescription = z.infer<typeof descriptionSchema>
export type SignalCandidate = z.infer<typeof candidateSchema>

export interface JoinedCall {
  self: CallMember
  peers: CallMember[]
  /** The ICE servers of this Nappe (ICE_SERVERS); empty: host candidates only (one network). */
  iceServers: IceServer[]
}

/** RTCIceServer, as the server's configuration gives it. */
export interface IceServer { urls: string | string[]; username?: string; credential?: string }

/** What the server pushes to the members of a call. */
export interface CallServerEvents {
  'call:peer-joined': (e: CallKey & { peer: CallMember }) => void
  'call:peer-left': (e: CallKey & { peerId: string }) => void
  'call:signal': (e: CallKey & { from: string; description?: SignalDescription; candidate?: SignalCandidate | null }) => void
  /** The server took you out of a call (a rotation moved you, the café ended). */
  'call:ended': (e: CallKey & { reason: CallRefusal }) => void
}
