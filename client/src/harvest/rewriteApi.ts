/**
 * "Rewrite with the model" in the browser: whether the server has a model (asked once per café), and
 * one rewrite, with the facilitator key in a header. The server gathers the theme's words itself.
 */
import { useEffect, useState } from 'react'
import type { AppError } from '../../../shared/errors'
import type { RewriteItem } from '../../../shared/rewrite'
import { ApiError } from '../api'

export interface RewriteStatus { enabled: boolean; timeoutSeconds: number | null }
export interface RewriteAnswer { themeId: string; text: string; items: RewriteItem[]; missing: string[] }

const url = (cafeId: string) => `/api/cafes/${encodeURIComponent(cafeId)}/rewrite`

async function send(cafeId: string, key: string, init: RequestInit = {}): Promise<Response> {
  let res: Response
  try {
    res = await fetch(url(cafeId), { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${key}` } })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(null)
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: AppError } | null
    throw new ApiError(body?.error ?? { code: 'internal', message: res.statusText }, res.status)
  }
  return res
}

export const rewriteApi = {
  status: async (cafeId: string, key: string): Promise<RewriteStatus> => (await (await send(cafeId, key)).json()) as RewriteStatus,
  rewrite: async (cafeId: string, key: string, themeId: string, signal?: AbortSignal): Promise<RewriteAnswer> =>
    (await (await send(cafeId, key, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ themeId }), signal })).json()) as RewriteAnswer,
}

const OFF: RewriteStatus = { enabled: false, timeoutSeconds: null }
/** One question per café and page load: the setting does not change while the server runs. */
const asked = new Map<string, Promise<RewriteStatus>>()

/** Whether the button shows: off until the server says otherwise (and off when it cannot say). */
export function useRewriteStatus(cafeId: string, key: string): RewriteStatus {
  const [status, setStatus] = useState<RewriteStatus>(OFF)
  useEffect(() => {
    let live = true
    let p = asked.get(cafeId)
    if (!p) {
      p = rewriteApi.status(cafeId, key).catch(() => { asked.delete(cafeId); return OFF })
      asked.set(cafeId, p)
    }
    void p.then((s) => { if (live) setStatus(s) })
    return () => { live = false }
  }, [cafeId, key])
  return status
}
