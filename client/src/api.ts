/** The HTTP API, typed. Errors come back as `ApiError` with the server's code and field messages. */
import type { CafeInput } from '../../shared/cafe'
import type { ErrorCode } from '../../shared/errors'

export class ApiError extends Error {
  constructor(readonly code: ErrorCode | 'network', message: string, readonly fields: Record<string, string> = {}, readonly status = 0) {
    super(message)
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch {
    throw new ApiError('network', 'network')
  }
  const data = (await res.json().catch(() => null)) as { error?: { code: ErrorCode; message: string; fields?: Record<string, string> } } | null
  if (!res.ok) throw new ApiError(data?.error?.code ?? 'internal', data?.error?.message ?? res.statusText, data?.error?.fields ?? {}, res.status)
  return data as T
}

export interface CafeSummary {
  id: string; title: string; date: string | null; place: string; description: string; language: 'fr' | 'en'
  shape: string; tables: Array<{ id: string; name: string; capacity: number }>; questions: Array<{ id: string; text: string }>
  rounds: number; phase: string; participantCount: number
}
export interface CreatedCafe { id: string; joinCode: string; joinUrl: string; facilitatorKey: string; facilitatorUrl: string; qrCodeUrl: string }

export const api = {
  createCafe: (input: CafeInput) => call<CreatedCafe>('POST', '/api/cafes', input),
  cafe: (id: string) => call<CafeSummary>('GET', `/api/cafes/${encodeURIComponent(id)}`),
  lookup: (code: string) => call<CafeSummary>('GET', `/api/join/${encodeURIComponent(code)}`),
  join: (body: { code: string; displayName: string; organisation?: string; sector?: string }) =>
    call<{ cafeId: string; participantId: string; participantToken: string }>('POST', '/api/join', body),
}
