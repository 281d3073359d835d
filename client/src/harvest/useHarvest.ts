/** The harvest in the browser: the shared harvest document (live over Yjs) and the tables' contributions. */
import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { HarvestState, SynthesisPartState } from '../../../shared/harvest'
import { emptyHarvest, readHarvest, readSynthesisParts } from '../../../shared/harvest'
import { api } from '../api'
import type { HarvestData } from '../api'
import { apiErrorText } from '../errorText'
import type { TableclothSession } from '../transport/TableclothSession'
import { useSessionDoc } from '../hooks'

/** Contributions are re-read this often while the page is visible (the tables may still be writing). */
const REFRESH_MS = 5000

export interface HarvestSnapshot { harvest: HarvestState; parts: SynthesisPartState[] }

/** A plain copy of the harvest document, re-read (at most once a frame) after every change. */
export function useHarvestState(session: TableclothSession | null): HarvestSnapshot {
  const [state, setState] = useState<HarvestSnapshot>({ harvest: emptyHarvest(), parts: [] })
  const doc = useSessionDoc(session)
  useEffect(() => {
    if (!doc) return
    let frame = 0
    const read = () => { frame = 0; setState({ harvest: readHarvest(doc), parts: readSynthesisParts(doc) }) }
    const schedule = () => { if (!frame) frame = requestAnimationFrame(read) }
    read()
    doc.on('update', schedule)
    return () => { doc.off('update', schedule); if (frame) cancelAnimationFrame(frame) }
  }, [doc])
  return state
}

/** The contributions, re-read while the page is visible; `error` is already in the user's language. */
export function useHarvestData(cafeId: string, key: string | null): { data: HarvestData | null; error: string | null; refresh: () => void } {
  const { t } = useTranslation()
  const [data, setData] = useState<HarvestData | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  const refresh = useCallback(() => setTick((n) => n + 1), [])
  useEffect(() => {
    if (!key) return
    let cancelled = false
    // A hidden tab does not poll (beyond its first load).
    if (tick === 0 || document.visibilityState === 'visible') {
      api.contributions(cafeId, key)
        .then((r) => { if (!cancelled) { setData(r); setError(null) } })
        .catch((e: unknown) => { if (!cancelled) setError(e ?? new Error('contributions failed')) })
    }
    const timer = setTimeout(refresh, REFRESH_MS)
    return () => { cancelled = true; clearTimeout(timer) }
  }, [cafeId, key, tick, refresh])
  return { data, error: error === null ? null : apiErrorText(error, t), refresh }
}
