/** Configuration, parsed once from the environment. Every variable is listed in README.md and .env.example. */
import type { TurnConfig } from './socket/turnCredentials'
import { z } from 'zod'
import { createHash } from 'node:crypto'
import { hostname, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { zodFieldErrors } from '../shared/cafe'
import type { LogLevel } from './log'

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v))

/** A CSP source for frame-ancestors: an origin (a host may start with `*.`), or 'self'. Nothing else can slip into the header. */
const FRAME_ANCESTOR = /^(?:'self'|https?:\/\/(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d{1,5})?)$/i

/** One RTCIceServer: stun:, turn: or turns: addresses, with the TURN server's user and password. */
/** Tablecloth connections are pinged every 30 s, as y-websocket's and Hocuspocus's are. */
const YJS_PING_MS = 30_000

const iceUrl = z.string().regex(/^(stun|stuns|turn|turns):[^\s]{1,250}$/, 'a stun:, turn: or turns: address, such as turn:turn.example.org:3478')
const iceServerSchema = z.object({
  urls: z.union([iceUrl, z.array(iceUrl).min(1).max(10)]),
  username: z.string().max(200).optional(),
  credential: z.string().max(200).optional(),
}).strict()
export type IceServerConfig = z.infer<typeof iceServerSchema>

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  BACKLOG_DIR: z.string().min(1).optional(),
  // Where phones open the links: an http(s) address; a trailing slash is dropped. Unset: see http/publicUrl.ts.
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'an http:// or https:// address, such as https://nappe.example.org' }).optional(),
  STORE: z.enum(['sqlite', 'memory']).default('sqlite'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  TRUST_PROXY: bool.default(false),
  DOC_IDLE_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  JOIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  FRAME_ANCESTORS: z.string().transform((v) => v.split(/[\s,]+/).filter(Boolean)).pipe(z.array(
    z.string().regex(FRAME_ANCESTOR, "an origin such as https://intranet.example.org (or https://*.example.org, or 'self')"),
  )).default([]),
  // An OpenAI-compatible endpoint for "Rewrite with the model" (http/rewrite.ts); the feature is off when unset.
  LLM_BASE_URL: z.url({ protocol: /^https?$/, error: 'an http:// or https:// address of an OpenAI-compatible API, such as http://localhost:11434/v1' })
    .refine((v) => !/^[a-z]+:\/\/[^/]*@/i.test(v), 'an address without a user or password in it (put a key in LLM_API_KEY)').optional(),
  LLM_MODEL: z.string().min(1).max(200).optional(),
  LLM_API_KEY: z.string().min(1).max(1000).optional(),
  LLM_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(120),
  // Multi-node (docs/deploy.md): PostgreSQL shared by every node; unset, one node on SQLite.
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'a postgres:// address, such as postgres://nappe:secret@db.example.org:5432/nappe' }).optional(),
  NODE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, dots, dashes or underscores (1 to 40)').optional(),
  NODE_ADDRESS: z.url({ protocol: /^https?$/, error: 'the http:// address where the other nodes reach this one, such as http://10.0.0.5:3000' }).optional(),
  LEASE_SECONDS: z.coerce.number().min(1).max(60).default(5),
  // Online cafés (docs/calls.md): STUN/TURN servers the browsers' table calls may use; unset, none.
  ICE_SERVERS: z.string().max(10_000).transform((v, ctx) => {
    try { return JSON.parse(v) as unknown } catch {
      ctx.addIssue({ code: 'custom', message: 'a JSON array, such as [{"urls":"turn:turn.example.org:3478","username":"nappe","credential":"secret"}]' })
      return z.NEVER
    }
  }).pipe(z.array(iceServerSchema).max(10)).default([]),
  // A TURN relay that takes short-lived credentials (coturn's use-auth-secret): its addresses and secret.
  TURN_URLS: z.string().max(2000).transform((v) => v.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^turns?:[^\s,]{1,250}$/, 'turn: or turns: addresses, separated by commas, such as turn:turn.example.org:3478')).min(1).max(10)).optional(),
  TURN_SECRET: z.string().min(32, 'at least 32 characters (the static-auth-secret of the TURN server)').max(512).optional(),
  TURN_TTL_MINUTES: z.coerce.number().int().min(10).max(24 * 60).default(240),
})

/** The model endpoint of "Rewrite with the model". `apiKey` is a secret: never logged, never sent to a browser. */
export interface LlmConfig {
  /** Without a trailing slash; requests go to `<baseUrl>/chat/completions`. */
  baseUrl: string
  model: string
  apiKey: string | null
  timeoutMs: number
}

export interface Config {
  port: number
  host: string
  dataDir: string
  /**
   * Second folder for the fallback file of writes the database refused at shutdown, when the data folder
   * cannot take it either (`<dataDir>/backlog` first). Default: a folder in the system's temporary
   * folder named after the data folder, so two servers never replay each other's.
   */
  backlogDir: string
  /**
   * Base of the links we hand out (join link, facilitator link, QR code), without a trailing slash; null:
   * the machine's LAN address or the request's host, by the rule of http/publicUrl.ts.
   */
  publicUrl: string | null
  store: 'sqlite' | 'memory'
  logLevel: LogLevel
  trustProxy: boolean
  docIdleMs: number
  /** How often each tablecloth connection is pinged; one that did not answer the previous ping is closed (tests shorten it). */
  yjsPingMs: number
  joinAttemptsPerMinute: number
  /** Origins that may show the projector view in a frame (FRAME_ANCESTORS); every other page may not be framed. */
  frameAncestors: string[]
  /** Folder of the built web app to serve, or null to serve none. */
  clientDir: string | null
  /** The model endpoint (LLM_BASE_URL…), or null: the rewrite is off. */
  llm: LlmConfig | null
  /** Multi-node on PostgreSQL (DATABASE_URL…), or null: one node on `store`. */
  cluster: ClusterConfig | null
  /**
   * STUN/TURN servers for the table calls of online cafés (ICE_SERVERS), sent to their participants and
   * facilitators; empty by default (host candidates only: one network, nothing sent to a third party).
   */
  iceServers: IceServerConfig[]
  /** A TURN relay given to each call member with credentials of their own (TURN_URLS, TURN_SECRET), or null. `secret`: never logged. */
  turn: TurnConfig | null
}

/** One node of several sharing a PostgreSQL. `databaseUrl` holds a password: never logged. */
export interface ClusterConfig {
  databaseUrl: string
  /** A readable name (default: the host name); each process adds a random suffix to it (its node id). */
  nodeName: string
  /** Where the other nodes reach this one, without a trailing slash. */
  address: string
  leaseMs: number
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(blankless)
  if (!parsed.success) {
    const lines = Object.entries(zodFieldErrors(parsed.error)).map(([k, m]) => `  ${k}: ${m}`)
    throw new Error(`invalid configuration in the environment:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  if ((e.TURN_URLS === undefined) !== (e.TURN_SECRET === undefined)) {
    throw new Error(`invalid configuration in the environment:\n  ${e.TURN_URLS ? 'TURN_SECRET' : 'TURN_URLS'}: required with ${e.TURN_URLS ? 'TURN_URLS' : 'TURN_SECRET'} (the TURN server's addresses and its static-auth-secret go together)`)
  }
  if (e.LLM_BASE_URL && !e.LLM_MODEL) throw new Error('invalid configuration in the environment:\n  LLM_MODEL: required when LLM_BASE_URL is set (the name the endpoint knows the model by, such as llama3.1:8b)')
  const dataDir = resolve(e.DATA_DIR)
  const backlogDir = e.BACKLOG_DIR ? resolve(e.BACKLOG_DIR) : join(tmpdir(), `nappe-backlog-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`)
  return {
    port: e.PORT, host: e.HOST, dataDir, backlogDir, publicUrl: e.PUBLIC_URL ? e.PUBLIC_URL.replace(/\/+$/, '') : null,
    store: e.STORE, logLevel: e.LOG_LEVEL, trustProxy: e.TRUST_PROXY, docIdleMs: e.DOC_IDLE_SECONDS * 1000, yjsPingMs: YJS_PING_MS,
    joinAttemptsPerMinute: e.JOIN_ATTEMPTS_PER_MINUTE, frameAncestors: e.FRAME_ANCESTORS, clientDir: resolve('client/dist'),
    iceServers: e.ICE_SERVERS,
    turn: e.TURN_URLS && e.TURN_SECRET ? { urls: e.TURN_URLS, secret: e.TURN_SECRET, ttlMs: e.TURN_TTL_MINUTES * 60_000 } : null,
    cluster: e.DATABASE_URL
      ? {
        databaseUrl: e.DATABASE_URL, nodeName: e.NODE_NAME ?? hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40),
        address: (e.NODE_ADDRESS ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, ''), leaseMs: e.LEASE_SECONDS * 1000,
      }
      : null,
    llm: e.LLM_BASE_URL && e.LLM_MODEL
      ? { baseUrl: e.LLM_BASE_URL.replace(/\/+$/, ''), model: e.LLM_MODEL, apiKey: e.LLM_API_KEY ?? null, timeoutMs: e.LLM_TIMEOUT_SECONDS * 1000 }
      : null,
  }
}
