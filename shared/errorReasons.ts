/**
 * Why a request failed, finer than its code: the one fixed list of reasons a client can receive, each
 * with its code and the names of its parameters. The client translates the reason with its params
 * (`client/src/errorText.ts`); the English `message` beside it stays for API users and logs.
 */
import type { z } from 'zod'
import type { ErrorCode } from './errors'

export const ERROR_REASONS = {
  // The request itself
  bad_data: { code: 'bad_request' },
  bad_json: { code: 'bad_request' },
  body_too_large: { code: 'bad_request', params: ['bytes'] },
  bad_cafe: { code: 'bad_request' },
  bad_archive: { code: 'bad_request' },
  archive_too_big: { code: 'bad_request' },
  bad_format: { code: 'bad_request', params: ['formats'] },
  bad_handshake: { code: 'bad_request' },
  no_endpoint: { code: 'not_found' },
  unknown_event: { code: 'unknown_event', params: ['event'] },
  outdated_client: { code: 'protocol_mismatch' },
  // Who may do what
  key_missing: { code: 'unauthorized' },
  wrong_key: { code: 'forbidden' },
  bad_credential: { code: 'unauthorized' },
  not_in_cafe: { code: 'unauthorized' },
  facilitator_only: { code: 'forbidden' },
  participant_only: { code: 'forbidden' },
  // Joining
  unknown_code: { code: 'not_found' },
  cafe_closed: { code: 'not_found' },
  too_many_codes: { code: 'rate_limited' },
  cafe_full: { code: 'conflict', params: ['max'] },
  // The café and its rounds
  no_cafe: { code: 'not_found' },
  cafe_over: { code: 'invalid_state' },
  wrong_phase: { code: 'invalid_state', params: ['phase'] },
  // People and tables
  no_participant: { code: 'not_found' },
  no_table: { code: 'not_found' },
  no_tablecloth: { code: 'not_found' },
  host_stays: { code: 'conflict' },
  person_absent: { code: 'conflict' },
  table_has_host: { code: 'conflict', params: ['name'] },
  // The seating plan
  table_full: { code: 'conflict', params: ['table'] },
  swap_moved: { code: 'conflict' },
  no_seat_yet: { code: 'conflict' },
  not_pinned: { code: 'not_found' },
  round_played: { code: 'invalid_state', params: ['round'] },
  no_round: { code: 'not_found', params: ['round'] },
  round_planning: { code: 'invalid_state' },
  next_round_planning: { code: 'conflict' },
  all_rounds_played: { code: 'invalid_state' },
  // Table calls of online cafés (shared/calls.ts)
  call_not_online: { code: 'invalid_state' },
  call_closed: { code: 'invalid_state' },
  call_not_seated: { code: 'forbidden' },
  call_not_joined: { code: 'forbidden' },
  call_peer_absent: { code: 'not_found' },
  call_full: { code: 'conflict' },
  call_replaced: { code: 'conflict' },
  // Hybrid cafés: people in the room sit at room tables, people online at online tables (shared/hybridSeats.ts)
  seat_online: { code: 'conflict', params: ['table'] },
  seat_room: { code: 'conflict', params: ['table'] },
  venue_host: { code: 'conflict', params: ['table'] },
  venue_required: { code: 'bad_request' },
  // Limits and the server
  too_many_requests: { code: 'rate_limited' },
  flooding: { code: 'rate_limited' },
  one_session: { code: 'rate_limited' },
  too_many_imports: { code: 'rate_limited' },
  server_busy: { code: 'rate_limited', params: ['seconds'] },
  export_failed: { code: 'internal', params: ['format'] },
  server_stopping: { code: 'internal' },
  /** Multi-node: the café's node stopped and another takes it over once its lease runs out. */
  cafe_moving: { code: 'storage_degraded', params: ['seconds'] },
  /** Multi-node: what the request wrote was not committed in time (PostgreSQL away); it may still land. */
  not_saved_yet: { code: 'storage_degraded' },
  server_error: { code: 'internal' },
  /** Said by the client itself: the server did not answer in time. */
  no_answer: { code: 'internal' },
  // Rewrite with the model (server/http/rewrite.ts)
  rewrite_off: { code: 'not_found' },
  no_theme: { code: 'not_found' },
  theme_empty: { code: 'invalid_state' },
  theme_too_long: { code: 'bad_request', params: ['max'] },
  rewrite_busy: { code: 'rate_limited' },
  model_unreachable: { code: 'internal' },
  model_timeout: { code: 'internal', params: ['seconds'] },
  model_refused: { code: 'internal' },
  model_nonsense: { code: 'internal' },
} as const satisfies Record<string, { code: ErrorCode; params?: readonly string[] }>

export type ErrorReason = keyof typeof ERROR_REASONS
export const ERROR_REASON_NAMES = Object.keys(ERROR_REASONS) as ErrorReason[]

type ParamNames<R extends ErrorReason> = (typeof ERROR_REASONS)[R] extends { params: readonly (infer P extends string)[] } ? P : never
/** The params a reason carries (`{ table: 'Table B' }` for `table_full`), `undefined` for a reason without. */
export type ReasonParams<R extends ErrorReason> = [ParamNames<R>] extends [never] ? undefined : Record<ParamNames<R>, string | number>

export const isErrorReason = (x: unknown): x is ErrorReason => typeof x === 'string' && Object.hasOwn(ERROR_REASONS, x)
export const paramsOf = (reason: ErrorReason): readonly string[] => (ERROR_REASONS[reason] as { params?: readonly string[] }).params ?? []

/** What is wrong with one field of a `bad_request`, so the client can say it in the user's language. */
export const FIELD_KINDS = ['required', 'too_long', 'too_short', 'too_many', 'too_few', 'out_of_range', 'not_allowed', 'duplicate', 'invalid'] as const
export type FieldKind = (typeof FIELD_KINDS)[number]

/** The kind of each field error of a zod failure, under the same dotted paths as `zodFieldErrors`. */
export function zodFieldKinds(error: z.ZodError): Record<string, FieldKind> {
  const kinds: Record<string, FieldKind> = {}
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '(root)'
    kinds[key] ??= issueKind(issue)
  }
  return kinds
}

function issueKind(issue: z.ZodError['issues'][number]): FieldKind {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'required' : 'too_short'
      if (issue.origin === 'array' || issue.origin === 'set') return Number(issue.minimum) <= 1 ? 'required' : 'too_few'
      return 'out_of_range'
    case 'too_big':
      if (issue.origin === 'string') return 'too_long'
      if (issue.origin === 'array' || issue.origin === 'set') return 'too_many'
      return 'out_of_range'
    case 'invalid_type':
      // zod 4 does not keep the input in the issue; its message says what it got.
      return /received undefined$/.test(issue.message) ? 'required' : 'invalid'
    case 'unrecognized_keys': return 'not_allowed'
    default: return 'invalid'
  }
}

/**
 * The kind of a field error known only by its English message (the café definition's own checks in
 * `parseCafeInput`, the archive's): required, too long, a duplicate, or else invalid.
 */
export function fieldKindOfMessage(message: string): FieldKind {
  if (message === 'required' || /received undefined$/.test(message)) return 'required'
  if (/^at least one\b/.test(message)) return 'required'
  if (/^duplicate\b/.test(message)) return 'duplicate'
  if (/^at most \d+ characters$/.test(message)) return 'too_long'
  if (/^Too big: expected string/.test(message)) return 'too_long'
  if (/^Too (small|big): expected number/.test(message)) return 'out_of_range'
  if (/^Unrecognized key/.test(message)) return 'not_allowed'
  return 'invalid'
}
