import type { AppError, DetailsArg } from '../../shared/errors'
import { appError } from '../../shared/errors'
import type { ErrorReason } from '../../shared/errorReasons'

/** A runtime's answer: a value, or an error with its reason (what the gateway acks as is). */
export type Result<T> = { ok: true; value: T } | ({ ok: false } & AppError)
export const success = <T>(value: T): Result<T> => ({ ok: true, value })
export const failure = <R extends ErrorReason>(reason: R, message: string, ...details: DetailsArg<R>): Result<never> =>
  ({ ok: false, ...appError(reason, message, ...details) })
