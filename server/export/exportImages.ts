/**
 * The pictures an export carries: drawn tablecloths (PNG) and photos of paper tablecloths (JPEG or
 * PNG), each under its path in the zip. The synthesis's image blocks name these paths; the DOCX and
 * the PDF embed the bytes found here, and nothing else.
 */
import type { PhotoType } from '../../shared/photos'
import { sniffImage } from '../../shared/photos'

export interface ExportImage {
  /** Path in the zip, e.g. `nappes/table-1_q1_final.png` or `photos/table-1_q1_tour-2.jpg`. */
  path: string
  caption: string
  type: PhotoType
  width: number
  height: number
  data: Uint8Array
}

/** An image from its bytes (its type and size read from them), or null when they are not a JPEG or PNG. */
export function exportImage(path: string, caption: string, data: Uint8Array): ExportImage | null {
  const info = sniffImage(data)
  return info ? { path, caption, data, ...info } : null
}

/** The size an image takes when fitted into a box, never enlarged beyond `maxScale` of its own size. */
export function fitInto(img: { width: number; height: number }, maxWidth: number, maxHeight: number, maxScale = Infinity): { width: number; height: number } {
  const scale = Math.min(maxWidth / img.width, maxHeight / img.height, maxScale)
  return { width: Math.max(1, Math.round(img.width * scale)), height: Math.max(1, Math.round(img.height * scale)) }
}
