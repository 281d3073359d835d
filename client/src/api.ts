/**
 * The HTTP API, typed. Errors come back as `ApiError` holding the server's `AppError` (code, reason,
 * params, fields): `apiErrorText` in errorText.ts says it in the user's language.
 */
import type { CafeDefinition, CafeInput } from '../../shared/cafe'
import type { Contribution } from '../../shared/contributions'
import type { AppError, ErrorCode } from '../../shared/errors'
import { ERROR_CODES } from '../../shared/errors'

export class ApiError extends Error {
  readonly code: ErrorCode | 'network'
  /** Field errors of a `bad_request` (English messages by dotted path); their kinds are in `error.fieldKinds`. */
  readonly fields: Record<string, string>
  /** What the server answered; null when it could not be reached. */
  readonly error: AppError | null
  constructor(error: AppError | null, readonly status = 0) {
    super(error?.message ?? 'network')
    this.error = error
    this.code = error?.code ?? 'network'
    this.fields = error?.fields ?? {}
  }
}

/** The body of an error answer, whatever it holds (a proxy's HTML page, an older server's error). */
function readError(body: unknown, res: Response): AppError {
  const e = (body as { error?: Partial<AppError> } | null)?.error
  const code = e?.code && (ERROR_CODES as readonly string[]).includes(e.code) ? e.code : 'internal'
  return { ...e, code, message: typeof e?.message === 'string' ? e.message : res.statusText }
}

/**
 * One request to the API. The credential goes in a header, never in the URL (URLs end up in logs and
 * browser history). A server that cannot be reached is an `ApiError` without a server error, an error
 * answer an `ApiError` with it; a request cancelled by its signal stays an `AbortError`.
 */
export async function apiFetch(path: string, init: RequestInit = {}, key?: string): Promise<Response> {
  const headers = new Headers(init.headers)
  if (key) headers.set('authorization', `Bearer ${key}`)
  let res: Response
  try {
    res = await fetch(path, { ...init, headers })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(null)
  }
  if (!res.ok) throw new ApiError(readError(await res.json().catch(() => null), res), res.status)
  return res
}

function send(method: string, path: string, opts: { body?: unknown; key?: string } = {}): Promise<Response> {
  const json = opts.body !== undefined
  return apiFetch(path, { method, headers: json ? { 'content-type': 'application/json' } : {}, body: json ? JSON.stringify(opts.body) : undefined }, opts.key)
}

async function call<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
  const res = await send(method, path, { body, key })
  return (await res.json()) as T
}

/** The file name the server gave in Content-Disposition (RFC 6266 `filename*` first). */
function fileName(res: Response, fallback: string): string {
  const cd = res.headers.get('content-disposition') ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
  if (star) { try { return decodeURIComponent(star[1]!) } catch { /* fall through */ } }
  return /filename="([^"]+)"/i.exec(cd)?.[1] ?? fallback
}

export interface CafeSummary {
  id: string; title: string; date: string | null; place: string; description: string; language: 'fr' | 'en'
  shape: string; tables: Array<{ id: string; name: string; capacity: number }>; questions: Array<{ id: string; text: string }>
  rounds: number; phase: string; participantCount: number
  /** Absent: a room café. */
  venue?: 'online' | 'hybrid'
}
export interface CreatedCafe { id: string; joinCode: string; joinUrl: string; facilitatorKey: string; facilitatorUrl: string; qrCodeUrl: string }

export interface HarvestData {
  definition: CafeDefinition
  people: Array<{ organisation: string | null; sector: string | null }>
  contributions: Contribution[]
}

export type ExportFormat = 'md' | 'docx' | 'pdf' | 'csv' | 'xlsx' | 'json' | 'zip'

export const api = {
  createCafe: (input: CafeInput) => call<CreatedCafe>('POST', '/api/cafes', input),
  cafe: (id: string) => call<CafeSummary>('GET', `/api/cafes/${encodeURIComponent(id)}`),
  lookup: (code: string) => call<CafeSummary>('GET', `/api/join/${encodeURIComponent(code)}`),
  /** Joins café `cafeId` (from `lookup`) with its code; the id in the path lets a proxy route it to the café's node. */
  join: (cafeId: string, body: { code: string; displayName: string; organisation?: string; sector?: string; remote?: boolean }) =>
    call<{ cafeId: string; participantId: string; participantToken: string }>('POST', `/api/cafes/${encodeURIComponent(cafeId)}/join`, body),
  contributions: (id: string, key: string) => call<HarvestData>('GET', `/api/cafes/${encodeURIComponent(id)}/contributions`, undefined, key),
  importCafe: (archive: unknown) => call<CreatedCafe>('POST', '/api/cafes/import', archive),
  exportFile: async (id: string, key: string, format: ExportFormat): Promise<{ blob: Blob; filename: string }> => {
    const res = await send('GET', `/api/cafes/${encodeURIComponent(id)}/export?format=${format}`, { key })
    return { blob: await res.blob(), filename: fileName(res, `nappe.${format}`) }
  },
}
