/**
 * The words for a refused request, in the user's language: the translation of its reason with its
 * params, else of its code, and what is wrong with each field. Never the server's English `message`
 * (it stays for API users and logs).
 */
import type { TFunction } from 'i18next'
import type { AppError, ErrorCode } from '../../shared/errors'
import { ERROR_CODES } from '../../shared/errors'
import type { FieldKind } from '../../shared/errorReasons'
import { FIELD_KINDS, fieldKindOfMessage, isErrorReason } from '../../shared/errorReasons'
import { ApiError } from './api'
import { en } from './locales/en'

/** Params whose value is itself a key: translated too (`phase: 'lobby'` → "Arrival"). */
const TRANSLATED_PARAMS: Record<string, string> = { phase: 'phase', format: 'exports' }
/** At most this many field lines after the message; the form shows the rest next to its fields. */
const MAX_FIELD_LINES = 3

export interface ErrorTextOptions {
  /** Fields the screen already explains next to their inputs: not repeated in the text. */
  inlineFields?: readonly string[]
}

export function ackErrorText(error: AppError, t: TFunction, opts: ErrorTextOptions = {}): string {
  const main = isErrorReason(error.reason)
    ? t(`errors.reason.${error.reason}`, paramsFor(error.params, t))
    : codeText(error.code, t)
  const lines = Object.keys(error.fields ?? {})
    .filter((path) => !opts.inlineFields?.includes(path))
    .slice(0, MAX_FIELD_LINES)
    .map((path) => fieldErrorText(error, path, t))
  return [main, ...lines].join(' ')
}

/** For what an `api` call threw: the server's error, the network, or anything else. */
export function apiErrorText(err: unknown, t: TFunction, opts: ErrorTextOptions = {}): string {
  if (err instanceof ApiError) return err.error ? ackErrorText(err.error, t, opts) : t('errors.network')
  return t('errors.generic')
}

/** "Name: required." for one field of a `bad_request` (its kind from the server, else from its message). */
export function fieldErrorText(error: Pick<AppError, 'fields' | 'fieldKinds'>, path: string, t: TFunction): string {
  return t('errors.fieldLine', { field: fieldLabel(path, t), problem: t(`errors.fieldKind.${fieldKind(error, path)}`) })
}

export function fieldKind(error: Pick<AppError, 'fields' | 'fieldKinds'>, path: string): FieldKind {
  const kind = error.fieldKinds?.[path]
  if (kind && (FIELD_KINDS as readonly string[]).includes(kind)) return kind
  return fieldKindOfMessage(error.fields?.[path] ?? '')
}

function codeText(code: ErrorCode | undefined, t: TFunction): string {
  return code && (ERROR_CODES as readonly string[]).includes(code) ? t(`errors.code.${code}`) : t('errors.generic')
}

function paramsFor(params: AppError['params'], t: TFunction): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const [name, value] of Object.entries(params ?? {})) {
    const section = TRANSLATED_PARAMS[name]
    out[name] = section ? t(`${section}.${value}`, { defaultValue: String(value) }) : value
  }
  return out
}

const FIELDS = new Set(Object.keys(en.errors.field))
const ITEMS = new Set(Object.keys(en.errors.item))

/** `tables.1.capacity` → "Table 2 — People per table"; a path it does not know → "A value". */
export function fieldLabel(path: string, t: TFunction): string {
  const parts = path.split('.')
  const words: string[] = []
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    const next = parts[i + 1]
    if (ITEMS.has(part) && next !== undefined && /^\d+$/.test(next)) {
      words.push(t(`errors.item.${part}`, { n: Number(next) + 1 }))
      i++
    } else if (FIELDS.has(part) && part !== 'other') {
      words.push(t(`errors.field.${part}`))
    } else {
      break
    }
  }
  return words.length > 0 ? words.join(' — ') : t('errors.field.other')
}
