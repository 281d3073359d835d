/**
 * Where a new note goes on a tablecloth: the free spot nearest to where the person asked for it, inside
 * the part of the sheet they can see, so that at a crowded table a new note never lands on an earlier one.
 *
 * Pure and deterministic: the same boxes give the same spot. Spots are tried on a grid of `step` sheet
 * units around the preferred corner; the first one whose box (with `gap` around it) touches no occupied
 * box wins. The visible area is searched first, then the whole sheet; when the sheet is full, the note
 * goes where it was asked for, clamped to the area, and the answer says it is not free.
 */
export interface Point { x: number; y: number }
export interface Size { width: number; height: number }
export interface Box extends Point, Size {}

/** Sheet units kept free around every box. */
export const PLACEMENT_GAP = 12
/** Sheet units between two tried spots. */
export const PLACEMENT_STEP = 16

export interface PlacementInput {
  /** Top-left corner the note would have if nothing were in the way. */
  preferred: Point
  size: Size
  occupied: readonly Box[]
  /** What the person sees of the sheet, in sheet units: searched first. */
  visible: Box
  /** The whole sheet: searched when the visible part is full. */
  bounds: Box
  gap?: number
  step?: number
  /** `nearest`: closest to the preferred corner first. `rows`: reading order from that corner (a row to the right, then the next row). */
  order?: 'nearest' | 'rows'
}

export interface Placement extends Point {
  /** False when no free spot exists anywhere on the sheet (the note then overlaps). */
  free: boolean
  /** Whether the spot lies inside the visible area. */
  inView: boolean
}

export function placeNote(input: PlacementInput): Placement {
  const gap = input.gap ?? PLACEMENT_GAP
  const step = Math.max(1, input.step ?? PLACEMENT_STEP)
  const order = input.order ?? 'nearest'
  const view = intersect(input.visible, input.bounds)
  const areas = view && fits(input.size, view) ? [view, input.bounds] : [input.bounds]
  for (const area of areas) {
    const spot = searchArea(area, input, gap, step, order)
    if (spot) return { ...spot, free: true, inView: view !== null && contains(view, { ...spot, ...input.size }) }
  }
  const fallback = clampInto(input.preferred, input.size, view && fits(input.size, view) ? view : input.bounds)
  return { ...fallback, free: false, inView: view !== null && contains(view, { ...fallback, ...input.size }) }
}

/** Whether two boxes come closer than `gap` to each other. */
export function overlaps(a: Box, b: Box, gap = 0): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap
}

export function intersect(a: Box, b: Box): Box | null {
  const x = Math.max(a.x, b.x), y = Math.max(a.y, b.y)
  const right = Math.min(a.x + a.width, b.x + b.width), bottom = Math.min(a.y + a.height, b.y + b.height)
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null
}

export function contains(outer: Box, inner: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height
}

/** The smallest box around all the given ones, or null for none. */
export function union(boxes: readonly Box[]): Box | null {
  if (boxes.length === 0) return null
  let x = Infinity, y = Infinity, right = -Infinity, bottom = -Infinity
  for (const b of boxes) {
    x = Math.min(x, b.x); y = Math.min(y, b.y)
    right = Math.max(right, b.x + b.width); bottom = Math.max(bottom, b.y + b.height)
  }
  return { x, y, width: right - x, height: bottom - y }
}

const fits = (size: Size, area: Box) => size.width <= area.width && size.height <= area.height

function clampInto(p: Point, size: Size, area: Box): Point {
  return {
    x: Math.round(Math.max(area.x, Math.min(p.x, area.x + area.width - size.width))),
    y: Math.round(Math.max(area.y, Math.min(p.y, area.y + area.height - size.height))),
  }
}

function searchArea(area: Box, input: PlacementInput, gap: number, step: number, order: 'nearest' | 'rows'): Point | null {
  const { size } = input
  if (!fits(size, area)) return null
  const start = clampInto(input.preferred, size, area)
  // Only the boxes that reach into this area can be in the way.
  const inArea = { x: area.x - gap, y: area.y - gap, width: area.width + 2 * gap, height: area.height + 2 * gap }
  const near = input.occupied.filter((b) => overlaps(b, inArea))
  const iMin = -Math.floor((start.x - area.x) / step), iMax = Math.floor((area.x + area.width - size.width - start.x) / step)
  const jMin = -Math.floor((start.y - area.y) / step), jMax = Math.floor((area.y + area.height - size.height - start.y) / step)
  const offsets: Array<[number, number]> = []
  for (let j = jMin; j <= jMax; j++) for (let i = iMin; i <= iMax; i++) offsets.push([i, j])
  const distance = (a: [number, number], b: [number, number]) => a[0] * a[0] + a[1] * a[1] - (b[0] * b[0] + b[1] * b[1]) || a[1] - b[1] || a[0] - b[0]
  // `rows`: reading order from the preferred corner (right, then the next row down), then the nearest of the rest.
  const behind = (o: [number, number]) => (o[0] < 0 || o[1] < 0 ? 1 : 0)
  offsets.sort(order === 'nearest' ? distance : (a, b) => behind(a) - behind(b) || (behind(a) ? distance(a, b) : a[1] - b[1] || a[0] - b[0]))
  for (const [i, j] of offsets) {
    const box = { x: start.x + i * step, y: start.y + j * step, width: size.width, height: size.height }
    if (!near.some((b) => overlaps(box, b, gap))) return { x: box.x, y: box.y }
  }
  return null
}
