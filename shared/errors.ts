import type { ErrorReason, FieldKind, ReasonParams } from './errorReasons'
import { ERROR_REASONS } from './errorReasons'

/** The one fixed list of error codes a client can receive, on Socket.IO acks and on the HTTP API. */
export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'invalid_state',
  'conflict',
  'rate_limited',
  'protocol_mismatch',
  'unknown_event',
  'storage_degraded',
  'internal',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface AppError {
  code: ErrorCode
  /** Why, finer than the code, from the one list in `errorReasons.ts`: what the client translates. */
  reason?: ErrorReason
  /** The reason's parameters (`{ table: 'Table B' }`). */
  params?: Record<string, string | number>
  /** In English, for API users and logs; a client shows the reason's translation instead. */
  message: string
  /** Field errors for `bad_request`: dotted path to message. */
  fields?: Record<string, string>
  /** What is wrong with each field of `fields`, under the same paths, for the client to say it. */
  fieldKinds?: Record<string, FieldKind>
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: AppError }

type FieldDetails = { fields?: Record<string, string>; fieldKinds?: Record<string, FieldKind> }
/** What goes with a reason: its params when it has some (then they are required), field errors. */
export type ErrorDetails<R extends ErrorReason> = FieldDetails & (ReasonParams<R> extends undefined ? { params?: undefined } : { params: ReasonParams<R> })
export type DetailsArg<R extends ErrorReason> = ReasonParams<R> extends undefined ? [details?: ErrorDetails<R>] : [details: ErrorDetails<R>]

/** An error with its reason; the code is the reason's own. */
export function appError<R extends ErrorReason>(reason: R, message: string, ...[details]: DetailsArg<R>): AppError {
  const d = details as (FieldDetails & { params?: Record<string, string | number> }) | undefined
  const error: AppError = { code: ERROR_REASONS[reason].code, reason, message }
  if (d?.params) error.params = d.params
  if (d?.fields) error.fields = d.fields
  if (d?.fieldKinds) error.fieldKinds = d.fieldKinds
  return error
}

export const ok = <T>(data: T): Ack<T> => ({ ok: true, data })
export const fail = <R extends ErrorReason>(reason: R, message: string, ...details: DetailsArg<R>): Ack<never> => ({
  ok: false,
  error: appError(reason, message, ...details),
})

/** HTTP status for each error code, used by the REST API. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_state: 409,
  conflict: 409,
  rate_limited: 429,
  protocol_mismatch: 426,
  unknown_event: 400,
  storage_degraded: 503,
  internal: 500,
}
