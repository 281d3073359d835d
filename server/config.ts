/** Configuration, parsed once from the environment. Every variable is listed in README.md and .env.example. */
import { z } from 'zod'
import { resolve } from 'node:path'
import { zodFieldErrors } from '../shared/cafe'
import type { LogLevel } from './log'

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v))

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_URL: z.url().optional(),
  STORE: z.enum(['sqlite', 'memory']).default('sqlite'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  TRUST_PROXY: bool.default(false),
  DOC_IDLE_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  JOIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
})

export interface Config {
  port: number
  host: string
  dataDir: string
  /** Base of the links we hand out (join link, facilitator link, QR code), without a trailing slash. */
  publicUrl: string | null
  store: 'sqlite' | 'memory'
  logLevel: LogLevel
  trustProxy: boolean
  docIdleMs: number
  joinAttemptsPerMinute: number
  /** Folder of the built web app to serve, or null to serve none. */
  clientDir: string | null
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(blankless)
  if (!parsed.success) {
    const lines = Object.entries(zodFieldErrors(parsed.error)).map(([k, m]) => `  ${k}: ${m}`)
    throw new Error(`invalid configuration in the environment:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  return {
    port: e.PORT, host: e.HOST, dataDir: resolve(e.DATA_DIR), publicUrl: e.PUBLIC_URL ? e.PUBLIC_URL.replace(/\/+$/, '') : null,
    store: e.STORE, logLevel: e.LOG_LEVEL, trustProxy: e.TRUST_PROXY, docIdleMs: e.DOC_IDLE_SECONDS * 1000,
    joinAttemptsPerMinute: e.JOIN_ATTEMPTS_PER_MINUTE, clientDir: resolve('client/dist'),
  }
}
