/**
 * Photos of paper tablecloths: a host or the facilitator photographs a table's real paper at the end
 * of a round; the photo belongs to that table, question and round. The rules both sides share: what
 * an image is (by its first bytes, never by the type a browser claims), the limits, which round a photo
 * is of, and the shape of what the API gives back.
 */
import { z } from 'zod'
import type { LifecycleState } from './lifecycle'

export const PHOTO_TYPES = ['image/jpeg', 'image/png'] as const
export type PhotoType = (typeof PHOTO_TYPES)[number]

/** Largest photo the server keeps, after the phone resized it (a 2,000 px JPEG weighs 0.3-1 MB). */
export const MAX_PHOTO_BYTES = 4 * 1024 * 1024
/** Longest side the browser resizes a photo to before sending it. */
export const PHOTO_RESIZE_PX = 2000
/** Longest side the server accepts (a PNG is decoded whole to go into a PDF). */
export const MAX_PHOTO_SIDE_PX = 4096
/** Photos per café: a café of 40 tables and 4 rounds takes 160. */
export const MAX_PHOTOS_PER_CAFE = 200
/** Bytes of photos per café, all together. */
export const MAX_PHOTO_BYTES_PER_CAFE = 300 * 1024 * 1024

export interface ImageInfo { type: PhotoType; width: number; height: number }

/** Who added a photo: the facilitator's team, or a table's host (named). */
export type PhotoBy = { kind: 'facilitator' } | { kind: 'host'; participantId: string; name: string }

/** What the API says of a photo (its bytes are fetched on their own). */
export interface PhotoMeta {
  id: string
  tableId: string
  questionId: string
  round: number
  type: PhotoType
  width: number
  height: number
  bytes: number
  by: PhotoBy
  createdAt: number
}

export const photoIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,40}$/)

/** The query of `POST /api/cafes/:id/photos` (the body is the image itself). */
export const photoUploadSchema = z.strictObject({
  tableId: z.string().min(1).max(64),
  round: z.coerce.number().int().min(1).max(1000),
})
export type PhotoUpload = z.infer<typeof photoUploadSchema>

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!

/** PNG: the signature, then IHDR with the size. */
function png(b: Uint8Array): ImageInfo | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (b.length < 33 || !sig.every((v, i) => b[i] === v)) return null
  if (String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') return null
  return { type: 'image/png', width: u32be(b, 16), height: u32be(b, 20) }
}

/** JPEG: SOI, then segments up to a start-of-frame marker, which holds the size. */
function jpeg(b: Uint8Array): ImageInfo | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8 || b[2] !== 0xff) return null
  let i = 2
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null
    const marker = b[i + 1]!
    if (marker === 0xff) { i++; continue } // fill byte
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue }
    const length = u16be(b, i + 2)
    if (length < 2) return null
    // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { type: 'image/jpeg', height: u16be(b, i + 5), width: u16be(b, i + 7) }
    }
    if (marker === 0xda || marker === 0xd9) return null // scan data before any frame header
    i += 2 + length
  }
  return null
}

/** The type and size of a JPEG or PNG from its bytes; null for anything else (or a size of 0). */
export function sniffImage(bytes: Uint8Array): ImageInfo | null {
  const info = png(bytes) ?? jpeg(bytes)
  return info && info.width > 0 && info.height > 0 ? info : null
}

/** What some bytes are as a photo of Nappe: the image, or why they cannot be one. */
export function readPhoto(bytes: Uint8Array): { info: ImageInfo; problem: null } | { info: null; problem: 'empty' | 'too_big' | 'not_image' | 'too_large' } {
  if (bytes.byteLength === 0) return { info: null, problem: 'empty' }
  if (bytes.byteLength > MAX_PHOTO_BYTES) return { info: null, problem: 'too_big' }
  const info = sniffImage(bytes)
  if (!info) return { info: null, problem: 'not_image' }
  if (info.width > MAX_PHOTO_SIDE_PX || info.height > MAX_PHOTO_SIDE_PX) return { info: null, problem: 'too_large' }
  return { info, problem: null }
}

/** Why some bytes cannot be a photo of Nappe, or null when they can. */
export const photoProblem = (bytes: Uint8Array) => readPhoto(bytes).problem

/**
 * The round a photo taken now is of: the round being played, else the one that just ended (people
 * photograph the paper as they stand up). Null before the first round.
 */
export function photoRound(lc: LifecycleState): number | null {
  switch (lc.phase) {
    case 'round': return lc.round
    case 'transition': return lc.completedRound
    case 'harvest': case 'closed': return lc.completedRounds > 0 ? lc.completedRounds : null
    case 'draft': case 'lobby': return null
    default: { const never: never = lc; throw new Error(`unknown phase ${String(never)}`) }
  }
}

/** The rounds a photo may be of now: every round begun (played, or being played). */
export function roundsBegun(lc: LifecycleState): number {
  return photoRound(lc) ?? 0
}

/** Photos by question order, table order, round, then time (as contributions are sorted). */
export function sortPhotos<T extends Pick<PhotoMeta, 'tableId' | 'questionId' | 'round' | 'createdAt' | 'id'>>(
  photos: readonly T[], questionIds: readonly string[], tableIds: readonly string[],
): T[] {
  const qi = new Map(questionIds.map((id, i) => [id, i]))
  const ti = new Map(tableIds.map((id, i) => [id, i]))
  const at = (m: Map<string, number>, id: string) => m.get(id) ?? Number.MAX_SAFE_INTEGER
  return [...photos].sort((a, b) => at(qi, a.questionId) - at(qi, b.questionId) || at(ti, a.tableId) - at(ti, b.tableId)
    || a.round - b.round || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** The file extension of a photo type. */
export const photoExtension = (type: PhotoType): 'jpg' | 'png' => (type === 'image/png' ? 'png' : 'jpg')
