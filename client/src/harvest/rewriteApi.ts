/**
 * "Rewrite with the model" in the browser: whether the server has a model (asked once per café), and
 * one rewrite, with the facilitator key in a header. The server gathers the theme's words itself.
 */
import { useEffect, useState } from 'react'
import type { RewriteItem } from '../../../shared/rewrite'
import { apiFetch } from '../api'

export interface RewriteStatus { enabled: boolean; timeoutSeconds: number | null }
export interface RewriteAnswer { themeId: string; text: string; items: RewriteItem[]; missing: string[] }

const url = (cafeId: string) => `/api/cafes/${encodeURIComponent(cafeId)}/rewrite`

export const rewriteApi = {
  status: async (cafeId: string, key: string): Promise<RewriteStatus> => (await (await apiFetch(url(cafeId), {}, key)).json()) as RewriteStatus,
  rewrite: async (cafeId: string, key: string, themeId: string, signal?: AbortSignal): Promise<RewriteAnswer> =>
    (await (await apiFetch(url(cafeId), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ themeId }), signal }, key)).json()) as RewriteAnswer,
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
