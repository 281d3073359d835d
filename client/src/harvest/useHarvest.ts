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
import type { SynthesisImage } from '../../../shared/synthesis'
import type { Contribution } from '../../../shared/contributions'
import { onTyped, setFeedDefinition, usePhotoFeed, useSynthesisImages } from './photoApi'

const NO_CONTRIBUTIONS: Contribution[] = []

/** Contributions are re-read this often while the page is visible (the tables may still be writing). */
const REFRESH_MS = 5000
/** After a contribution is typed from a photo, the contributions are re-read this soon (it travels with the harvest document first). */
const TYPED_REFRESH_MS = 700

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

/**
 * The contributions, re-read while the page is visible; `error` is already in the user's language;
 * `images`, the pictures the synthesis may show (tablecloths and photos, named as the exports name them).
 */
export function useHarvestData(cafeId: string, key: string | null): { data: HarvestData | null; error: string | null; refresh: () => void; images: SynthesisImage[] } {
  const { t } = useTranslation()
  const [data, setData] = useState<HarvestData | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  const refresh = useCallback(() => setTick((n) => n + 1), [])
  // The photos of paper tablecloths are read beside the contributions, for the photo panels and the preview.
  usePhotoFeed(cafeId, key)
  useEffect(() => { setFeedDefinition(data?.definition ?? null) }, [data])
  // A contribution typed from a photo shows on the board once the server has it: re-read shortly after.
  useEffect(() => onTyped(() => { setTimeout(refresh, TYPED_REFRESH_MS) }), [refresh])
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
  const images = useSynthesisImages(data?.contributions ?? NO_CONTRIBUTIONS)
  return { data, error: error === null ? null : apiErrorText(error, t), refresh, images }
}
