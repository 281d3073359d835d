/**
 * Photos of paper tablecloths in the browser: resizing on the device, the upload, the studio's list
 * (re-read while the page is visible) and each photo's bytes, always with the credential in a header.
 * The list lives in a small external store so that the photo panels and the synthesis preview share
 * one copy and one poll.
 */
import { useEffect, useMemo, useSyncExternalStore } from 'react'
import type { CafeDefinition } from '../../../shared/cafe'
import type { Contribution } from '../../../shared/contributions'
import type { SynthesisImage } from '../../../shared/synthesis'
import { photoNames, snapshotsOfRounds, synthesisPictures } from '../../../shared/pictureNames'
import { PHOTO_AUTHOR } from '../../../shared/transcriptions'
import type { PhotoMeta } from '../../../shared/photos'
import { MAX_PHOTO_BYTES, PHOTO_RESIZE_PX } from '../../../shared/photos'
import { apiFetch } from '../api'

/** A photo as the studio knows it, with its path in the export zip (what image lines name). */
export interface StudioPhoto extends PhotoMeta { path: string }

const base = (cafeId: string) => `/api/cafes/${encodeURIComponent(cafeId)}/photos`

/**
 * The picture made smaller on the device: at most PHOTO_RESIZE_PX on its long side, as a JPEG, lower
 * quality until it fits MAX_PHOTO_BYTES. Throws 'not_image' when the browser cannot read the file.
 */
export async function resizePhoto(file: Blob): Promise<Blob> {
  let bitmap: ImageBitmap
  try { bitmap = await createImageBitmap(file) } catch { throw new Error('not_image') }
  const scale = Math.min(1, PHOTO_RESIZE_PX / Math.max(bitmap.width, bitmap.height))
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.round(bitmap.width * scale))
  canvas.height = Math.max(1, Math.round(bitmap.height * scale))
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('not_image')
  ctx.fillStyle = '#fff' // a transparent PNG gets white paper, not black
  ctx.fillRect(0, 0, canvas.width, canvas.height)
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
  bitmap.close()
  for (const quality of [0.85, 0.7, 0.55, 0.4]) {
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality))
    if (blob && blob.size <= MAX_PHOTO_BYTES) return blob
  }
  throw new Error('too_big')
}

export const photoApi = {
  upload: async (cafeId: string, secret: string, at: { tableId: string; round: number }, body: Blob): Promise<PhotoMeta> => {
    const query = new URLSearchParams({ tableId: at.tableId, round: String(at.round) })
    const res = await apiFetch(`${base(cafeId)}?${query}`, { method: 'POST', headers: { 'content-type': body.type || 'application/octet-stream' }, body }, secret)
    return (await res.json()) as PhotoMeta
  },
  list: async (cafeId: string, key: string): Promise<{ photos: StudioPhoto[]; snapshotRounds: number }> => {
    const res = await apiFetch(base(cafeId), {}, key)
    return (await res.json()) as { photos: StudioPhoto[]; snapshotRounds: number }
  },
  bytes: async (cafeId: string, key: string, id: string): Promise<Blob> => (await apiFetch(`${base(cafeId)}/${encodeURIComponent(id)}`, {}, key)).blob(),
  remove: async (cafeId: string, key: string, id: string): Promise<void> => { await apiFetch(`${base(cafeId)}/${encodeURIComponent(id)}`, { method: 'DELETE' }, key) },
}

// ---- the studio's list of photos: one poll, shared ----

/** The list is re-read this often while the page is visible (hosts send photos during the café). */
const REFRESH_MS = 5000

interface PhotoFeed { cafeId: string; key: string; photos: StudioPhoto[] | null; snapshotRounds: number; error: unknown; definition: CafeDefinition | null }
let feed: PhotoFeed | null = null
const listeners = new Set<() => void>()
const emit = () => { for (const l of listeners) l() }
const blobs = new Map<string, Promise<Blob>>()

/** Re-reads the list now (after an upload or a delete). */
export function refreshPhotos(): void {
  const f = feed
  if (!f) return
  photoApi.list(f.cafeId, f.key)
    .then(({ photos, snapshotRounds }) => { if (feed === f) { feed = { ...f, photos, snapshotRounds, error: null }; emit() } })
    .catch((error: unknown) => { if (feed === f) { feed = { ...f, error }; emit() } })
}

/** Keeps the studio's photo list fresh while mounted (the harvest studio calls it once). */
export function usePhotoFeed(cafeId: string, key: string | null): void {
  useEffect(() => {
    if (!key) return
    feed = { cafeId, key, photos: null, snapshotRounds: 0, error: null, definition: null }
    emit()
    refreshPhotos()
    const timer = setInterval(() => { if (document.visibilityState === 'visible') refreshPhotos() }, REFRESH_MS)
    return () => { clearInterval(timer); feed = null; blobs.clear(); emit() }
  }, [cafeId, key])
}

const subscribe = (l: () => void) => { listeners.add(l); return () => { listeners.delete(l) } }
const snapshot = () => feed

/** The studio's photos (null while loading or outside the studio), its credentials, and the last error. */
export function usePhotos(): PhotoFeed | null {
  return useSyncExternalStore(subscribe, snapshot)
}

/** A photo's bytes, fetched once per studio visit. */
export function photoBlob(cafeId: string, key: string, id: string): Promise<Blob> {
  let p = blobs.get(id)
  if (!p) {
    p = photoApi.bytes(cafeId, key, id)
    p.catch(() => blobs.delete(id))
    blobs.set(id, p)
  }
  return p
}

/** The café's plan, once the studio has it (which tables had which question in which round). */
export function setFeedDefinition(definition: CafeDefinition | null): void {
  if (feed && definition && feed.definition !== definition) { feed = { ...feed, definition }; emit() }
}

/**
 * The pictures the synthesis may show, named as the exports name them (shared/pictureNames.ts): the
 * end-of-round tablecloths kept, the tablecloths with contributions, the photos. For `buildSynthesis`.
 */
export function useSynthesisImages(contributions: readonly Contribution[]): SynthesisImage[] {
  const f = usePhotos()
  return useMemo(() => {
    const def = f?.definition
    if (!def) return []
    const finals = new Map<string, { tableId: string; questionId: string }>()
    for (const c of contributions) if (c.authorId !== PHOTO_AUTHOR) finals.set(`${c.tableId}.${c.questionId}`, { tableId: c.tableId, questionId: c.questionId })
    return synthesisPictures(def, { snapshots: snapshotsOfRounds(def, f.snapshotRounds), finals: [...finals.values()], photos: photoNames(def, f.photos ?? []) })
  }, [f, contributions])
}

/** Forgets a photo just deleted. */
export function forgetPhoto(id: string): void { blobs.delete(id) }

// ---- contributions typed from a photo: the board re-reads the contributions soon after ----

const typedListeners = new Set<() => void>()
/** A contribution was typed from a photo (it reaches the server with the harvest document). */
export function notifyTyped(): void { for (const l of typedListeners) l() }
export function onTyped(fn: () => void): () => void { typedListeners.add(fn); return () => { typedListeners.delete(fn) } }
