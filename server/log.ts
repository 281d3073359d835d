/**
 * Structured logging, injected: pino underneath, one JSON object per line (`time` ISO, `level` as a
 * word, `msg`, then the fields), debug and info on stdout, warn and error on stderr, written
 * synchronously so that the last lines before an exit are never lost. Secrets never reach a log line:
 * fields with secret-like names are redacted at any depth (pino's own `redact` takes fixed paths; a
 * name rule also catches a key we did not think of, such as `participantToken`), and errors keep only
 * their name and message.
 */
import { pino } from 'pino'
import type { DestinationStream } from 'pino'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

const SECRET_FIELD = /key|token|secret|auth|password|cookie/i
const MAX_DEPTH = 4

export function redact(fields: LogFields, depth = 0): LogFields {
  const out: LogFields = {}
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_FIELD.test(k) ? '[redacted]' : clean(v, depth)
  return out
}

function clean(v: unknown, depth: number): unknown {
  if (v instanceof Error) return { name: v.name, message: v.message }
  if (depth >= MAX_DEPTH || v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map((e) => clean(e, depth + 1))
  return Object.getPrototypeOf(v) === Object.prototype ? redact(v as LogFields, depth + 1) : v
}

/** The logger of `npm start`; `destination` (all levels) is for tests. */
export function createJsonLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const stream = destination ?? pino.multistream([
    { level: 'debug', stream: pino.destination({ fd: 1, sync: true }) },
    { level: 'warn', stream: pino.destination({ fd: 2, sync: true }) },
  ], { dedupe: true })
  const p = pino({
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }), log: (obj) => redact(obj) },
  }, stream)
  const emit = (lvl: LogLevel) => (msg: string, fields?: LogFields) => { if (fields) p[lvl](fields, msg); else p[lvl](msg) }
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
