/**
 * The Socket.IO contract between browsers and the server: event maps, payload schemas and the views
 * the server pushes. Requests are `entity:verb`; every request carries an ack `Ack<T>`.
 */
import { z } from 'zod'
import type { Ack, AppError } from './errors'
import type { CafeDefinition } from './cafe'
import { ADVANCE_MODES } from './cafe'
import type { LifecycleState } from './lifecycle'
import type { Seating } from './rotation'
import type { PlanView } from './seatingPlan'
import { MAX_ADD_TIME_MS, MAX_BROADCAST_CHARS, MAX_NAME_CHARS, MAX_ROUNDS } from './constants'

/** People the facilitator may enter in one request. */
export const MAX_ADDED_PEOPLE = 500

export const handshakeSchema = z.object({
  protocol: z.number().int(),
  cafeId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  facilitatorKey: z.string().min(16).max(200).optional(),
  participantToken: z.string().min(16).max(200).optional(),
})
export type Handshake = z.infer<typeof handshakeSchema>

const optionalText = z.string().trim().max(MAX_NAME_CHARS).nullish().transform((v) => (v ? v : null))
export const profileSchema = z.object({
  displayName: z.string().trim().min(1, 'required').max(MAX_NAME_CHARS),
  organisation: optionalText,
  sector: optionalText,
  /** Hybrid cafés: takes part online (true) or in the room (false); required at the join of a hybrid café, ignored elsewhere. */
  remote: z.boolean().optional(),
}).strict()
export type Profile = z.infer<typeof profileSchema>

export const joinRequestSchema = profileSchema.extend({
  code: z.string().trim().toUpperCase().min(1).max(32),
}).strict()

const empty = z.object({}).strict().optional()
const participantId = z.string().min(1).max(40)
const tableId = z.string().min(1).max(40)
const round = z.number().int().min(1).max(MAX_ROUNDS)

/** Every request a client may send, with the schema its payload must pass. */
export const requestSchemas = {
  'clock:sync': z.object({ sentAt: z.number().finite() }).strict(),
  'cafe:open': empty,
  'cafe:end': empty,
  'cafe:close': empty,
  'cafe:setAdvance': z.object({ advance: z.enum(ADVANCE_MODES) }).strict(),
  'round:start': empty,
  'round:pause': empty,
  'round:resume': empty,
  'round:skip': empty,
  'round:addTime': z.object({ ms: z.number().int().min(-MAX_ADD_TIME_MS).max(MAX_ADD_TIME_MS).refine((n) => n !== 0, 'must not be 0') }).strict(),
  'participant:move': z.object({ participantId, tableId }).strict(),
  'participant:setHost': z.object({ participantId, tableId: tableId.nullable() }).strict(),
  'participant:remove': z.object({ participantId }).strict(),
  /** People registered beforehand, entered by the facilitator (no credential: they sit at real tables). */
  'participant:add': z.object({ people: z.array(profileSchema).min(1).max(MAX_ADDED_PEOPLE) }).strict(),
  /** Absent (a no-show: not seated, planned out) or present again. */
  'participant:setPresent': z.object({ participantId, present: z.boolean() }).strict(),
  /** Hybrid cafés: where this person takes part (online: seated at online tables only). */
  'participant:setRemote': z.object({ participantId, remote: z.boolean() }).strict(),
  'participant:leave': empty,
  'participant:update': profileSchema,
  'tablecloth:lock': z.object({ tableId, questionId: z.string().min(1).max(40), locked: z.boolean() }).strict(),
  /** A banner for everyone; an empty text takes it down. */
  'cafe:broadcast': z.object({ text: z.string().trim().max(MAX_BROADCAST_CHARS) }).strict(),
  /** Moves someone to a table in one round of the plan, or swaps them with `swapWith` (someone at that table). */
  'plan:move': z.object({ round, participantId, tableId, swapWith: participantId.nullish() }).strict(),
  'plan:unpin': z.object({ round, participantId }).strict(),
  /** Plans the open rounds again now; `fresh` ignores the current plan. */
  'plan:replan': z.object({ fresh: z.boolean() }).strict(),
} as const
export type RequestName = keyof typeof requestSchemas
export type RequestPayload<E extends RequestName> = z.infer<(typeof requestSchemas)[E]>

/** Requests only a facilitator may send. */
export const FACILITATOR_REQUESTS: ReadonlySet<RequestName> = new Set<RequestName>([
  'cafe:open', 'cafe:end', 'cafe:close', 'cafe:setAdvance', 'round:start', 'round:pause', 'round:resume',
  'round:skip', 'round:addTime', 'participant:move', 'participant:setHost', 'participant:remove', 'participant:add', 'participant:setPresent', 'participant:setRemote', 'tablecloth:lock',
  'cafe:broadcast', 'plan:move', 'plan:unpin', 'plan:replan',
])
/** Requests only a participant may send. */
export const PARTICIPANT_REQUESTS: ReadonlySet<RequestName> = new Set<RequestName>(['participant:leave', 'participant:update'])

export interface ParticipantView {
  id: string
  displayName: string
  organisation: string | null
  sector: string | null
  /** The table this person hosts (stays at), or null for a traveller. */
  hostOf: string | null
  /** Where this person sits now, or null (left, or not seated yet). */
  tableId: string | null
  online: boolean
  left: boolean
  /** Marked absent by the facilitator: not seated, not planned. */
  absent: boolean
  /** Hybrid cafés: takes part online (absent: in the room). */
  remote?: true
}

export interface CafeView {
  id: string
  joinCode: string
  definition: CafeDefinition
  lifecycle: LifecycleState
  /**
   * For a facilitator, everyone in the café. For a participant, the people at their own table (themself
   * included): a view per person keeps each push small in a café of hundreds.
   */
  participants: ParticipantView[]
  /** Everyone in the café (who has not left). */
  participantCount: number
  /** Seating announced for the next round (sent `NEXT_TABLE_NOTICE_MS` before the move), or null.
   * A participant sees only their own entry. */
  nextSeating: Seating | null
  /** Tablecloths closed to writing by the facilitator, as doc names. */
  lockedDocs: string[]
  /** The facilitator's banner, or null. */
  message: BroadcastMessage | null
  /** The seating plan of every round (facilitators only; null for a participant). */
  plan: PlanView | null
  serverNow: number
}

export interface BroadcastMessage { text: string; at: number }

export type Role = 'facilitator' | 'participant'

export interface SessionInfo {
  role: Role
  participantId: string | null
  protocol: number
}

export interface NextSeat {
  round: number
  tableId: string
  questionId: string
  docName: string
}

export interface HealthInfo {
  storage: 'ok' | 'degraded'
  pendingWrites: number
  /**
   * Set in the last push before the server stops with writes the database refused: they are retried for
   * a few seconds more, then saved to a fallback file that the next start replays.
   */
  savingToFallback?: boolean
}

type Handler<E extends RequestName, R> = (payload: RequestPayload<E>, ack: (result: Ack<R>) => void) => void
type LifecycleAck = { lifecycle: LifecycleState }

export interface ClientToServerEvents {
  'clock:sync': Handler<'clock:sync', { serverNow: number }>
  'cafe:open': Handler<'cafe:open', LifecycleAck>
  'cafe:end': Handler<'cafe:end', LifecycleAck>
  'cafe:close': Handler<'cafe:close', LifecycleAck>
  'cafe:setAdvance': Handler<'cafe:setAdvance', LifecycleAck>
  'round:start': Handler<'round:start', LifecycleAck>
  'round:pause': Handler<'round:pause', LifecycleAck>
  'round:resume': Handler<'round:resume', LifecycleAck>
  'round:skip': Handler<'round:skip', LifecycleAck>
  'round:addTime': Handler<'round:addTime', LifecycleAck>
  'participant:move': Handler<'participant:move', { participant: ParticipantView }>
  'participant:setHost': Handler<'participant:setHost', { participant: ParticipantView }>
  'participant:remove': Handler<'participant:remove', { participantId: string }>
  'participant:add': Handler<'participant:add', { participants: ParticipantView[] }>
  'participant:setPresent': Handler<'participant:setPresent', { participant: ParticipantView }>
  'participant:setRemote': Handler<'participant:setRemote', { participant: ParticipantView }>
  'participant:leave': Handler<'participant:leave', { participantId: string }>
  'participant:update': Handler<'participant:update', { participant: ParticipantView }>
  'tablecloth:lock': Handler<'tablecloth:lock', { lockedDocs: string[] }>
  'cafe:broadcast': Handler<'cafe:broadcast', { message: BroadcastMessage | null }>
  'plan:move': Handler<'plan:move', { plan: PlanView }>
  'plan:unpin': Handler<'plan:unpin', { plan: PlanView }>
  'plan:replan': Handler<'plan:replan', { plan: PlanView }>
}

export interface ServerToClientEvents {
  'session:ready': (info: SessionInfo) => void
  'cafe:state': (view: CafeView) => void
  'timer:warning': (w: { round: number; msLeft: number; endsAt: number; serverNow: number }) => void
  'seat:next': (seat: NextSeat) => void
  'server:health': (health: HealthInfo) => void
  'cafe:message': (message: BroadcastMessage | null) => void
  'server:error': (e: AppError) => void
}

export interface SocketData {
  cafeId: string
  role: Role
  participantId: string | null
}
