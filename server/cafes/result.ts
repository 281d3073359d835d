import type { ErrorCode } from '../../shared/errors'

export type Result<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string }
export const success = <T>(value: T): Result<T> => ({ ok: true, value })
export const failure = (code: ErrorCode, message: string): Result<never> => ({ ok: false, code, message })
