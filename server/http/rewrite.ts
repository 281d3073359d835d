/**
 * "Rewrite with the model" (docs/api.md, "Rewrite with the model"), facilitator only, on when
 * LLM_BASE_URL is set:
 *
 *   GET  /api/cafes/:id/rewrite   { enabled, timeoutSeconds }: whether the studio shows the button
 *   POST /api/cafes/:id/rewrite   { themeId }: the theme's contributions rewritten as one paragraph
 *
 * The server gathers the theme's contribution texts itself (merged near-duplicates as variants; never a
 * name, an organisation, a sector or a table) and sends them with instructions in the café's language to
 * `POST <LLM_BASE_URL>/chat/completions`, one request at a time per café, with a time limit and a bounded
 * answer checked with zod. The answer is untrusted text: folded into one paragraph of the synthesis's
 * Markdown subset (which never interprets HTML or links), returned with the items it was made from and
 * those it lost (`shared/coverage.ts`). Nothing is written anywhere: the harvester accepts it or not.
 */
import express from 'express'
import type { NextFunction, Request, Response } from 'express'
import { z } from 'zod'
import { coverage } from '../../shared/coverage'
import type { ChatMessage } from '../../shared/rewrite'
import { MAX_REWRITE_CHARS, MAX_REWRITE_INPUT_CHARS, cleanAnswer, rewriteMessages, themeItems } from '../../shared/rewrite'
import type { CafeRegistry } from '../cafes/CafeRegistry'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import type { LlmConfig } from '../config'
import { collectCafeData, contributionsOf } from '../export/cafeData'
import type { Logger } from '../log'
import type { DurableWriter } from '../store/DurableWriter'
import type { TableclothServer } from '../yjs/TableclothServer'
import { isFacilitator, sendError } from './api'

/** Largest answer read from the model's server; past it the request is dropped. */
export const MAX_MODEL_ANSWER_BYTES = 512 * 1024

export interface RewriteApiDeps {
  registry: CafeRegistry
  tablecloths: TableclothServer
  writer: DurableWriter
  log: Logger
  /** The endpoint, or null: the feature is off. */
  llm: LlmConfig | null
}

const requestSchema = z.strictObject({ themeId: z.string().min(1).max(40).regex(/^[A-Za-z0-9_-]+$/) })

/** What the chat completion must look like; anything else is nonsense. */
const answerSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().max(MAX_MODEL_ANSWER_BYTES) }) })).min(1),
})

/** Why a call to the model failed, in the words of the reasons list. */
class ModelError extends Error {
  constructor(readonly reason: 'model_unreachable' | 'model_timeout' | 'model_refused' | 'model_nonsense', detail: string) { super(detail) }
}

/** One chat completion: the text of its first choice. Throws a ModelError. */
async function complete(llm: LlmConfig, messages: ChatMessage[], signal: AbortSignal): Promise<string> {
  let res: globalThis.Response
  try {
    res = await fetch(`${llm.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : {}) },
      body: JSON.stringify({ model: llm.model, messages, temperature: 0.2, stream: false }),
      signal,
      redirect: 'error',
    })
  } catch (err) {
    if (signal.aborted) throw new ModelError('model_timeout', 'no answer in time')
    throw new ModelError('model_unreachable', (err as Error & { cause?: { code?: string } }).cause?.code ?? 'connection failed')
  }
  let body: string
  try {
    body = await readBounded(res)
  } catch (err) {
    if (signal.aborted) throw new ModelError('model_timeout', 'the answer did not end in time')
    throw err instanceof ModelError ? err : new ModelError('model_unreachable', 'the answer was cut off')
  }
  if (!res.ok) throw new ModelError('model_refused', `HTTP ${res.status}`)
  let json: unknown
  try { json = JSON.parse(body) } catch { throw new ModelError('model_nonsense', 'not JSON') }
  const parsed = answerSchema.safeParse(json)
  if (!parsed.success) throw new ModelError('model_nonsense', 'not a chat completion')
  return parsed.data.choices[0]!.message.content
}

/** The body as text, at most MAX_MODEL_ANSWER_BYTES. */
async function readBounded(res: globalThis.Response): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0)
  if (declared > MAX_MODEL_ANSWER_BYTES) { await res.body?.cancel(); throw new ModelError('model_nonsense', `answer of ${declared} bytes`) }
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_MODEL_ANSWER_BYTES) { await reader.cancel(); throw new ModelError('model_nonsense', `answer over ${MAX_MODEL_ANSWER_BYTES} bytes`) }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const MODEL_MESSAGES: Record<ModelError['reason'], string> = {
  model_unreachable: 'The model\'s server cannot be reached: check that it runs and that LLM_BASE_URL points at it.',
  model_timeout: 'The model did not answer in time.',
  model_refused: 'The model\'s server refused the request: check LLM_BASE_URL, LLM_MODEL and LLM_API_KEY.',
  model_nonsense: 'The model\'s server gave an answer that is not a usable chat completion.',
}

export function createRewriteApi(deps: RewriteApiDeps): express.Router {
  const router = express.Router()
  const { llm, log } = deps
  /** Cafés with a request to the model under way. */
  const busy = new Set<string>()

  const asFacilitator = (handler: (cafe: CafeRuntime, req: Request, res: Response) => void | Promise<void>) => async (req: Request, res: Response) => {
    const cafe = deps.registry.get(String(req.params.id))
    if (!cafe) return sendError(res, 'no_cafe', 'No café with this id.')
    if (isFacilitator(cafe, req, res)) await handler(cafe, req, res)
  }

  router.get('/api/cafes/:id/rewrite', asFacilitator((_cafe, _req, res) => {
    res.set('Cache-Control', 'no-store').json({ enabled: llm !== null, timeoutSeconds: llm ? Math.round(llm.timeoutMs / 1000) : null })
  }))

  router.post('/api/cafes/:id/rewrite', express.json({ limit: 4096 }), asFacilitator(async (cafe, req, res) => {
    if (!llm) return sendError(res, 'rewrite_off', 'No model is configured on this server (LLM_BASE_URL is not set).')
    const parsed = requestSchema.safeParse(req.body)
    if (!parsed.success) return sendError(res, 'bad_data', 'Send { "themeId": "<the theme\'s id>" }.')
    const data = collectCafeData(cafe, deps.tablecloths, deps.writer, { snapshots: false })
    const found = themeItems(data.harvest, contributionsOf(data), parsed.data.themeId, data.definition.questions.map((q) => q.id))
    if (!found.ok) return sendError(res, 'no_theme', 'No theme with this id in the harvest.')
    if (found.items.length === 0) return sendError(res, 'theme_empty', 'This theme holds no written contribution to rewrite.')
    if (found.chars > MAX_REWRITE_INPUT_CHARS) return sendError(res, 'theme_too_long', `This theme holds more than ${MAX_REWRITE_INPUT_CHARS} characters: split it into smaller themes.`, { params: { max: MAX_REWRITE_INPUT_CHARS } })
    if (busy.has(cafe.id)) return sendError(res, 'rewrite_busy', 'The model is already rewriting a theme of this café: wait for it.')

    busy.add(cafe.id)
    const gone = new AbortController()
    res.on('close', () => { if (!res.writableFinished) gone.abort() })
    // Not AbortSignal.timeout(): inside AbortSignal.any() Node 20 may garbage-collect it before it fires
    // (nodejs/node#57736), and the request then waits for the model for ever. This timer is held, and cleared.
    const late = new AbortController()
    const timer = setTimeout(() => late.abort(), llm.timeoutMs)
    const started = performance.now()
    try {
      const raw = await complete(llm, rewriteMessages(found.items, data.definition.language), AbortSignal.any([late.signal, gone.signal]))
      const text = cleanAnswer(raw)
      if (!text || text.length > MAX_REWRITE_CHARS) throw new ModelError('model_nonsense', text ? 'answer too long' : 'empty answer')
      const { missing } = coverage(text, found.items)
      log.info('theme rewritten', { cafeId: cafe.id, items: found.items.length, missing: missing.length, ms: Math.round(performance.now() - started) })
      res.set('Cache-Control', 'no-store').json({
        themeId: parsed.data.themeId,
        text,
        items: found.items.map(({ key, keys, text: t, variants, mentions, keyPoint }) => ({ key, keys, text: t, variants, mentions, keyPoint })),
        missing: missing.map((m) => m.key),
      })
    } catch (err) {
      if (!(err instanceof ModelError)) throw err
      if (gone.signal.aborted) return
      log.warn('model rewrite failed', { cafeId: cafe.id, reason: err.reason, detail: err.message, ms: Math.round(performance.now() - started) })
      if (err.reason === 'model_timeout') {
        const seconds = Math.round(llm.timeoutMs / 1000)
        return sendError(res, 'model_timeout', `The model did not answer within ${seconds} s.`, { params: { seconds } })
      }
      sendError(res, err.reason, `${MODEL_MESSAGES[err.reason]} (${err.message})`)
    } finally {
      clearTimeout(timer)
      busy.delete(cafe.id)
    }
  }))

  // Malformed or oversized JSON on these routes: a clear JSON error (the main API's handler is not on this router).
  router.use('/api/cafes/:id/rewrite', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    const e = err as { type?: string }
    if (e.type === 'entity.parse.failed') return sendError(res, 'bad_json', 'The request body is not valid JSON.')
    if (e.type === 'entity.too.large') return sendError(res, 'body_too_large', 'The request body is larger than 4096 bytes.', { params: { bytes: 4096 } })
    log.error('rewrite failed', { err })
    sendError(res, 'server_error', 'Something went wrong on the server.')
  })
  return router
}
