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
  message: string
  /** Field errors for `bad_request`: dotted path to message. */
  fields?: Record<string, string>
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: AppError }

export const ok = <T>(data: T): Ack<T> => ({ ok: true, data })
export const fail = (code: ErrorCode, message: string, fields?: Record<string, string>): Ack<never> => ({
  ok: false,
  error: fields ? { code, message, fields } : { code, message },
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
