/** Sizes on the sheet: the box each item takes, and the view (pan and zoom) over the sheet. */
import type { TableclothItem } from '../../../shared/tablecloth'
import type { Box, Size } from '../../../shared/notePlacement'
import { NOTE_SIZE, SHEET } from './inks'

export const SHEET_BOX: Box = { x: 0, y: 0, width: SHEET.width, height: SHEET.height }

/** Screen pixels per sheet unit, and where the sheet's origin is on screen. */
export interface View { x: number; y: number; k: number }

export const MIN_K = 0.15
export const MAX_K = 4
/** Note text is 19 sheet units: at this zoom it reads at 15 px, the default on every screen. */
export const READABLE_K = 0.8
export const NOTE_FONT = 19

/** A text block grows with its text, up to a width. */
export const textWidth = (item: { text: string; size: number }): number => Math.max(160, Math.min(640, item.text.length * item.size * 0.55 + 24))

/** The box a new text block is given room for. */
export const NEW_TEXT_SIZE: Size = { width: 240, height: 48 }

export function itemBox(item: TableclothItem): Box {
  if (item.kind === 'note') return { x: item.x, y: item.y, ...NOTE_SIZE }
  if (item.kind === 'text') {
    const width = textWidth(item)
    const lines = Math.max(item.text.split('\n').length, Math.ceil((item.text.length * item.size * 0.55) / (width - 24)))
    return { x: item.x, y: item.y, width, height: Math.min(item.size * 6, Math.max(1, lines) * item.size * 1.25 + 8) }
  }
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity
  for (let i = 0; i + 1 < item.points.length; i += 3) {
    const px = item.points[i]!, py = item.points[i + 1]!
    if (px < minX) minX = px
    if (px > maxX) maxX = px
    if (py < minY) minY = py
    if (py > maxY) maxY = py
  }
  if (minX === Infinity) return { x: item.x, y: item.y, width: 1, height: 1 }
  const pad = item.width
  return { x: item.x + minX - pad, y: item.y + minY - pad, width: maxX - minX + 2 * pad, height: maxY - minY + 2 * pad }
}

/** The part of the sheet's plane on screen, in sheet units. */
export const visibleArea = (view: View, size: Size): Box => ({ x: -view.x / view.k, y: -view.y / view.k, width: size.width / view.k, height: size.height / view.k })

/** A box in sheet units, in pixels of the view. */
export const toScreen = (b: Box, view: View): Box => ({ x: b.x * view.k + view.x, y: b.y * view.k + view.y, width: b.width * view.k, height: b.height * view.k })

export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v))

/** The first view: readable text, the sheet's top-left corner in view (or the sheet centred when it fits). */
export function initialView(size: Size): View {
  const k = clamp(Math.min(size.width / 1200, size.height / 800), READABLE_K, 1)
  const fits = SHEET.width * k <= size.width
  return { k, x: fits ? (size.width - SHEET.width * k) / 2 : 8, y: 8 }
}

/** A view that shows the whole box, with a margin in pixels, never closer than 1:1. */
export function fitView(b: Box, size: Size, margin = 24): View {
  const k = clamp(Math.min((size.width - 2 * margin) / Math.max(1, b.width), (size.height - 2 * margin) / Math.max(1, b.height)), MIN_K, 1)
  // Centred on the items, but showing paper rather than the table around it where the sheet is large enough.
  const axis = (view: number, lo: number, hi: number, centre: number) => {
    const at = view / 2 - centre * k
    return (hi - lo) * k >= view ? clamp(at, view - hi * k, -lo * k) : at
  }
  return {
    k,
    x: axis(size.width, Math.min(0, b.x), Math.max(SHEET.width, b.x + b.width), b.x + b.width / 2),
    y: axis(size.height, Math.min(0, b.y), Math.max(SHEET.height, b.y + b.height), b.y + b.height / 2),
  }
}

/** The least panning that brings a box into view (centred when asked, or when it is larger than the view). */
export function panTo(b: Box, view: View, size: Size, opts: { center?: boolean; margin?: number } = {}): View {
  const m = opts.margin ?? 16
  const s = toScreen(b, view)
  if (opts.center || s.width + 2 * m > size.width || s.height + 2 * m > size.height) {
    const inside = s.x >= m && s.y >= m && s.x + s.width <= size.width - m && s.y + s.height <= size.height - m
    if (inside && !opts.center) return view
    const dx = size.width / 2 - (s.x + s.width / 2)
    const dy = s.height + 2 * m > size.height ? m - s.y : size.height / 2 - (s.y + s.height / 2)
    return { ...view, x: view.x + dx, y: view.y + dy }
  }
  let dx = 0, dy = 0
  if (s.x < m) dx = m - s.x
  else if (s.x + s.width > size.width - m) dx = size.width - m - (s.x + s.width)
  if (s.y < m) dy = m - s.y
  else if (s.y + s.height > size.height - m) dy = size.height - m - (s.y + s.height)
  return dx === 0 && dy === 0 ? view : { ...view, x: view.x + dx, y: view.y + dy }
}
