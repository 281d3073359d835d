/** The HTTP API (documented in docs/api.md). Errors are `{ error: { code, message, fields? } }`. */
import express from 'express'
import type { Request, Response, NextFunction } from 'express'
import { parseCafeInput } from '../../shared/cafe'
import { zodFieldErrors } from '../../shared/cafe'
import { MAX_FRAME_BYTES } from '../../shared/constants'
import type { AppError, DetailsArg } from '../../shared/errors'
import { appError } from '../../shared/errors'
import type { ErrorReason } from '../../shared/errorReasons'
import { fieldKindOfMessage, zodFieldKinds } from '../../shared/errorReasons'
import type { LinkBase } from '../../shared/links'
import { HTTP_STATUS } from '../../shared/errors'
import { joinRequestSchema } from '../../shared/protocol'
import type { CafeRegistry } from '../cafes/CafeRegistry'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import { normalizeJoinCode } from '../cafes/secrets'
import type { Logger } from '../log'
import type { DurableWriter } from '../store/DurableWriter'
import { MAX_ARCHIVE_BYTES, writeImport } from '../export/archive'
import { collectCafeData, collectCafeSource, contributionsOf } from '../export/cafeData'
import { EXPORT_FORMATS, isExportFormat } from '../export/exportFormats'
import type { JobPools } from '../export/jobPools'
import { JobError } from '../export/WorkerPool'
import type { TableclothServer } from '../yjs/TableclothServer'
import type { FailureThrottle } from './FailureThrottle'

export interface ApiDeps {
  registry: CafeRegistry
  writer: DurableWriter
  tablecloths: TableclothServer
  throttle: FailureThrottle
  /** Counts every import per address. */
  importThrottle: FailureThrottle
  /** The threads that read archives and draw exports. */
  jobs: JobPools
  log: Logger
  /** Base of the links handed out for this request, and why (the rule is in publicUrl.ts). */
  links(req: Request): LinkBase
  loadedDocs(): number
  eventLoop(): { p50Ms: number; p99Ms: number; maxMs: number }
  /** The same over the last full minute. */
  eventLoopRecent(): { p50Ms: number; p99Ms: number; maxMs: number }
  /**
   * Multi-node: gives a café just created or imported here up, once its answer is sent, so that the
   * node the proxy routes it to serves it (ClusterNode.handOff).
   */
  handOff?(cafeId: string): Promise<void>
  /** Multi-node: this node's id and how many cafés it serves (in /healthz). */
  node?(): { id: string; cafes: number; cutOff: boolean }
}

const IMPORT_PATH = '/api/cafes/import'

export const UNKNOWN_CODE_MESSAGE = 'Unknown or expired code. Check the code on the screen or ask the facilitator.'
export const CAFE_CLOSED_MESSAGE = 'This café is over: nobody can join it any more.'

/** `{ error: { code, reason, message, params?, fields?, fieldKinds? } }`, with the status of the reason's code. */
export function sendError<R extends ErrorReason>(res: Response, reason: R, message: string, ...details: DetailsArg<R>): void {
  const error = appError(reason, message, ...details)
  res.status(HTTP_STATUS[error.code]).json({ error })
}

/** The credential of an `Authorization: Bearer <credential>` header (never a URL), or null. */
export const bearerCredential = (req: Request): string | null => /^Bearer\s+(\S{1,200})$/i.exec(req.get('authorization') ?? '')?.[1] ?? null

/** The answer to a request that carries no credential: `message` says which one to send. */
export function askForCredential(res: Response, message: string): void {
  res.set('WWW-Authenticate', 'Bearer')
  sendError(res, 'key_missing', message)
}

/** Whether the request carries this café's facilitator key; when it does not, the answer is sent. */
export function isFacilitator(cafe: CafeRuntime, req: Request, res: Response): boolean {
  const key = bearerCredential(req)
  if (key === null) { askForCredential(res, 'Send the facilitator key in an "Authorization: Bearer <key>" header.'); return false }
  if (!cafe.isFacilitatorKey(key)) { sendError(res, 'wrong_key', 'This key is not the facilitator key of this café.'); return false }
  return true
}

/** A runtime's refusal (`Result`), sent as is. */
function sendRefusal(res: Response, { ok: _failed, ...error }: { ok: false } & AppError): void {
  res.status(HTTP_STATUS[error.code]).json({ error })
}

/** Field errors known only by their messages (the café definition's and the archive's own checks). */
const withKinds = (fields: Record<string, string> | undefined) =>
  fields && { fields, fieldKinds: Object.fromEntries(Object.entries(fields).map(([path, message]) => [path, fieldKindOfMessage(message)])) }

/** The job threads' queue is full: come back later. */
function sendBusy(res: Response, retryAfterMs: number, what: 'imports' | 'exports'): void {
  res.set('Retry-After', String(Math.ceil(retryAfterMs / 1000)))
  sendError(res, 'server_busy', `The server is busy with other ${what}; try again in ${Math.ceil(retryAfterMs / 1000)} s.`, { params: { seconds: Math.ceil(retryAfterMs / 1000) } })
}

/** An import or export that did not finish on its thread: a clear answer, never a stack trace. */
function sendJobError(res: Response, err: unknown, what: 'import' | 'export', format?: string): void {
  if (!(err instanceof JobError)) throw err
  switch (err.reason) {
    case 'busy': return sendBusy(res, err.retryAfterMs, what === 'import' ? 'imports' : 'exports')
    case 'timeout':
    case 'memory':
      if (what === 'import') {
        const why = err.reason === 'timeout' ? 'Reading the archive took too long' : 'Reading the archive needed too much memory'
        return sendError(res, 'archive_too_big', `${why}: it is larger or more complex than a café; nothing was imported.`)
      }
      return sendError(res, 'export_failed', `The ${format} export ${err.reason === 'timeout' ? 'took too long' : 'needed too much memory'} and was stopped; try again later, or a lighter format (md, csv, json).`, { params: { format: format ?? '' } })
    case 'closed': return sendError(res, 'server_stopping', 'The server is stopping; try again in a moment.')
    case 'crashed':
    case 'failed':
      throw err
    default: {
      const never: never = err.reason
      throw new Error(`unknown job failure ${String(never)}`)
    }
  }
}

export function joinUrl(base: string, code: string): string { return `${base}/join/${code}` }
export function facilitatorUrl(base: string, cafeId: string, key: string): string { return `${base}/facilitate/${cafeId}#key=${key}` }

export function createApi(deps: ApiDeps): express.Router {
  const api = express.Router()
  const smallJson = express.json({ limit: MAX_FRAME_BYTES })
  // Archives are the one large body; every other request stays under a Yjs frame's size.
  api.use((req, res, next) => (req.path === IMPORT_PATH ? next() : smallJson(req, res, next)))

  api.get('/healthz', (_req, res) => {
    const health = deps.writer.health
    const node = deps.node?.() ?? null
    // 503: alive, keeping writes in memory until the database takes them; 500 (several nodes): cut off
    // from PostgreSQL for a whole lease time, no use to any café (the proxy takes the node out).
    res.status(node?.cutOff ? 500 : health.storage === 'ok' ? 200 : 503).json({
      status: node?.cutOff ? 'cut_off' : health.storage === 'ok' ? 'ok' : 'degraded', storage: health.storage, pendingWrites: health.pendingWrites,
      store: deps.writer.store.kind, loadedDocs: deps.loadedDocs(), cafes: deps.registry.all().length,
      eventLoopDelay: deps.eventLoop(), eventLoopDelayLastMinute: deps.eventLoopRecent(), memoryMb: Math.round(process.memoryUsage().rss / 1048576),
      node,
    })
  })

  /** The answer to a café creation or import: its links, and the facilitator key (given this once). */
  const created = (req: Request, res: Response, cafe: CafeRuntime, facilitatorKey: string) => {
    const base = deps.links(req).base
    res.locals.cafeId = cafe.id // the café this answer tells of (cluster/durableAnswers.ts)
    res.status(201).json({
      id: cafe.id,
      joinCode: cafe.record.joinCode,
      joinUrl: joinUrl(base, cafe.record.joinCode),
      facilitatorKey,
      facilitatorUrl: facilitatorUrl(base, cafe.id, facilitatorKey),
      qrCodeUrl: `${base}/api/cafes/${cafe.id}/qr.svg`,
    })
    const handOff = deps.handOff
    if (handOff) res.once('finish', () => { handOff(cafe.id).catch((err: unknown) => deps.log.warn('cluster: could not hand a new café off', { cafeId: cafe.id, err })) })
  }

  /** Where the links point and why, for the console and the projector to say so: `{ base, source }`. No secret. */
  api.get('/api/links', (req, res) => {
    const { base, source } = deps.links(req)
    res.set('Cache-Control', 'no-store').json({ base, source })
  })

  api.post('/api/cafes', (req, res) => {
    const parsed = parseCafeInput(req.body)
    if (!parsed.ok) return sendError(res, 'bad_cafe', 'The café definition is not valid.', withKinds(parsed.fields))
    const { cafe, facilitatorKey } = deps.registry.create(parsed.value)
    deps.log.info('café created', { cafeId: cafe.id, tables: parsed.value.tables.length })
    created(req, res, cafe, facilitatorKey)
  })

  const withCafe = (handler: (cafe: CafeRuntime, req: Request, res: Response) => void | Promise<void>) =>
    async (req: Request, res: Response) => {
      const cafe = deps.registry.get(String(req.params.id))
      if (!cafe) return sendError(res, 'no_cafe', 'No café with this id.')
      await handler(cafe, req, res)
    }

  api.get('/api/cafes/:id', withCafe((cafe, _req, res) => { res.json(cafe.summary()) }))

  /** Facilitator-only routes: the key travels in `Authorization: Bearer <key>`, never in the URL. */
  const asFacilitator = (handler: (cafe: CafeRuntime, req: Request, res: Response) => void | Promise<void>) =>
    withCafe(async (cafe, req, res) => {
      if (isFacilitator(cafe, req, res)) await handler(cafe, req, res)
    })

  api.get('/api/cafes/:id/export', asFacilitator(async (cafe, req, res) => {
    const format = req.query.format ?? 'md'
    if (!isExportFormat(format)) return sendError(res, 'bad_format', `Unknown format; use one of ${EXPORT_FORMATS.join(', ')}.`, { params: { formats: EXPORT_FORMATS.join(', ') } })
    const pool = deps.jobs.exports
    if (pool.full) return sendBusy(res, pool.retryAfterMs(), 'exports')
    const started = performance.now()
    let file, readMs = 0
    try {
      // Read here (cheap: the stored updates), decoded and drawn on the export thread.
      const { source, transfer } = await collectCafeSource(cafe, deps.writer)
      readMs = performance.now() - started
      file = await pool.run({ kind: 'export', format, source }, transfer)
    } catch (err) {
      return sendJobError(res, err, 'export', format)
    }
    deps.log.info('café exported', { cafeId: cafe.id, format, bytes: file.body.byteLength, readMs: Math.round(readMs), ms: Math.round(performance.now() - started) })
    // end(), not send(): send() would hash the whole file for an ETag, on this thread.
    res
      .type(file.contentType)
      .set('Content-Disposition', `attachment; filename="${file.filename}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .set('Cache-Control', 'no-store')
      .set('Content-Length', String(file.body.byteLength))
      .end(file.body)
  }))

  /**
   * What the harvest studio works from: the definition, who took part (organisations and sectors only)
   * and every contribution with its provenance. The studio computes its suggestions itself.
   */
  api.get('/api/cafes/:id/contributions', asFacilitator((cafe, _req, res) => {
    const data = collectCafeData(cafe, deps.tablecloths, deps.writer, { snapshots: false })
    res.set('Cache-Control', 'no-store').json({
      definition: data.definition,
      people: data.participants.map((p) => ({ organisation: p.organisation, sector: p.sector })),
      contributions: contributionsOf(data),
    })
  }))

  api.post(IMPORT_PATH, (req, res, next) => {
    // Imports are rare and heavy: a few per minute per address.
    const wait = deps.importThrottle.retryAfterMs(req.ip ?? 'unknown')
    // A refusal before the body is read closes the connection: otherwise the server would read (and
    // throw away) every byte of the archive the client is still sending, tens of MB per attempt.
    if (wait > 0 || deps.jobs.imports.full) res.set('Connection', 'close')
    if (wait > 0) {
      res.set('Retry-After', String(Math.ceil(wait / 1000)))
      return sendError(res, 'too_many_imports', 'Too many imports from this address; wait a minute and try again.')
    }
    deps.importThrottle.fail(req.ip ?? 'unknown')
    // Before reading 50 MB that could not be worked on anyway.
    if (deps.jobs.imports.full) return sendBusy(res, deps.jobs.imports.retryAfterMs(), 'imports')
    next()
    // The raw bytes: parsing the JSON of a big archive is itself seconds of work, done on the import thread.
  }, express.raw({ type: () => true, limit: MAX_ARCHIVE_BYTES }), async (req, res) => {
    const body: Uint8Array = Buffer.isBuffer(req.body) ? req.body : new Uint8Array(0)
    const started = performance.now()
    let outcome
    try {
      // A body of its own can be handed to the thread without a copy.
      const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer
      outcome = await deps.jobs.imports.run({ kind: 'import', body }, own ? [body.buffer as ArrayBuffer] : [])
    } catch (err) {
      return sendJobError(res, err, 'import')
    }
    if (!outcome.ok) return sendError(res, 'bad_archive', outcome.message, withKinds(outcome.fields))
    const { cafe, facilitatorKey } = await writeImport(deps.registry, deps.writer, outcome.prepared)
    deps.log.info('café imported', { cafeId: cafe.id, participants: outcome.prepared.participants.length, items: outcome.prepared.itemCount, ms: Math.round(performance.now() - started) })
    created(req, res, cafe, facilitatorKey)
  })

  api.get('/api/cafes/:id/qr.svg', withCafe(async (cafe, req, res) => {
    const { default: QRCode } = await import('qrcode')
    const svg = await QRCode.toString(joinUrl(deps.links(req).base, cafe.record.joinCode), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
    res.type('image/svg+xml').set('Cache-Control', 'no-store').send(svg)
  }))

  /**
   * Looks up a join code. A valid code of a café one can join is always accepted: a whole conference
   * may share one address with a prankster. Unknown codes are counted per address; past the limit they
   * get 429 instead of 404 until the minute has passed. The code of a café that is over is told apart
   * (`cafe_closed`, so its page can say so) and not counted (a room reloading the link of a café that
   * just ended must not lock out the next typo); past the limit it gets the very same 429 as any other.
   */
  const findByCode = (req: Request, res: Response, rawCode: unknown): CafeRuntime | null => {
    const code = typeof rawCode === 'string' ? normalizeJoinCode(rawCode) : ''
    const cafe = code.length > 0 && code.length <= 32 ? deps.registry.byJoinCode(code) : null
    if (cafe?.isJoinable) return cafe
    const address = req.ip ?? 'unknown'
    const wait = deps.throttle.retryAfterMs(address)
    if (wait > 0) {
      res.set('Retry-After', String(Math.ceil(wait / 1000)))
      sendError(res, 'too_many_codes', 'Unknown or expired code, and too many wrong codes from this address: check the code on the screen (a right code still works), or wait a minute.')
      return null
    }
    if (cafe) {
      sendError(res, 'cafe_closed', CAFE_CLOSED_MESSAGE)
      return null
    }
    deps.throttle.fail(address)
    sendError(res, 'unknown_code', UNKNOWN_CODE_MESSAGE)
    return null
  }

  api.get('/api/join/:code', (req, res) => {
    const cafe = findByCode(req, res, req.params.code)
    if (cafe) res.json(cafe.summary())
  })

  /**
   * Joins with a code. `cafeId`: the café the path names (`POST /api/cafes/:id/join`, which a proxy routes
   * to the café's node); the code must be that café's, and another café's code counts as a wrong one.
   * `POST /api/join` (no café in the path) stays for older clients.
   */
  const join = (req: Request, res: Response, cafeId: string | null) => {
    const parsed = joinRequestSchema.safeParse(req.body)
    if (!parsed.success) return sendError(res, 'bad_data', 'Please check the form.', { fields: zodFieldErrors(parsed.error), fieldKinds: zodFieldKinds(parsed.error) })
    const cafe = findByCode(req, res, parsed.data.code)
    if (!cafe) return
    if (cafeId !== null && cafe.id !== cafeId) {
      deps.throttle.fail(req.ip ?? 'unknown')
      return sendError(res, 'unknown_code', 'This code is not the code of this café: check the code on the screen, or open the join link again.')
    }
    const { code: _code, ...profile } = parsed.data
    const joined = cafe.join(profile)
    if (!joined.ok) return sendRefusal(res, joined)
    res.locals.cafeId = cafe.id // the café this answer tells of (cluster/durableAnswers.ts)
    res.status(201).json({ cafeId: cafe.id, participantId: joined.value.participant.id, participantToken: joined.value.token })
  }
  api.post('/api/join', (req, res) => join(req, res, null))
  api.post('/api/cafes/:id/join', (req, res) => join(req, res, String(req.params.id)))

  api.use('/api', (_req, res) => sendError(res, 'no_endpoint', 'No such API endpoint.'))

  // Malformed JSON, oversized bodies and anything thrown: a clear JSON error, never a stack trace.
  api.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    const e = err as { type?: string; status?: number }
    if (e.type === 'entity.parse.failed') return sendError(res, 'bad_json', 'The request body is not valid JSON.')
    if (e.type === 'entity.too.large') {
      const bytes = req.path === IMPORT_PATH ? MAX_ARCHIVE_BYTES : MAX_FRAME_BYTES
      return sendError(res, 'body_too_large', `The request body is larger than ${bytes} bytes.`, { params: { bytes } })
    }
    if (e.status && e.status >= 400 && e.status < 500) return sendError(res, 'bad_data', 'Bad request.')
    deps.log.error('request failed', { err })
    sendError(res, 'server_error', 'Something went wrong on the server.')
  })
  return api
}
