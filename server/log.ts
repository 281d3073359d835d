/** Structured logging, injected. Secrets never reach a log line: fields with secret-like names are redacted. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const SECRET_FIELD = /key|token|secret|auth|password|cookie/i

export function redact(fields: LogFields): LogFields {
  const out: LogFields = {}
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_FIELD.test(k)) out[k] = '[redacted]'
    else if (v instanceof Error) out[k] = { name: v.name, message: v.message }
    else out[k] = v
  }
  return out
}

/** One JSON object per line on stdout (warn and error on stderr). */
export function createJsonLogger(level: LogLevel, write: (line: string, isError: boolean) => void = defaultWrite): Logger {
  const min = LEVELS[level]
  const emit = (lvl: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (LEVELS[lvl] < min) return
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...redact(fields) }), LEVELS[lvl] >= LEVELS.warn)
  }
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
}

function defaultWrite(line: string, isError: boolean): void {
  ;(isError ? process.stderr : process.stdout).write(line + '\n')
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
