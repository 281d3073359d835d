import { useItems } from '../hooks'
import { useElementSize } from '../useElementSize'
import type { TableclothSession } from '../transport/TableclothSession'
import { ItemsLayer } from '../tablecloth/ItemsLayer'
import { NOTE_SIZE, SHEET } from '../tablecloth/inks'
import type { TableclothItem } from '../../../shared/tablecloth'

/** How close a filling thumbnail may zoom: three notes across (as an area), so one note is not blown up to the whole box. */
export const FILL_MIN_SPAN = { width: 600, height: 400 } as const

/**
 * A live miniature of a whole tablecloth (facilitator overview, projector gallery).
 * `fill`: the thumbnail takes the size its box gives it (CSS) and zooms on what is written to fill it,
 * so the text grows with the thumbnail (the projector). Without it: a 3:2 box, at least half the sheet.
 */
export function TableclothThumbnail({ session, round, label, fill = false }: { session: TableclothSession | null; round: number; label: string; fill?: boolean }) {
  const { items } = useItems(session)
  const [ref, measured] = useElementSize<SVGSVGElement>()
  const size = measured.width > 0 && measured.height > 0 ? measured : SHEET
  const box = fill ? contentBox(items, { aspect: size.width / size.height, minWidth: FILL_MIN_SPAN.width, minHeight: FILL_MIN_SPAN.height, centred: true }) : contentBox(items)
  // How many screen px a sheet unit takes: "far" below 2/3, where the stylesheet may write larger.
  const zoom = size.width / box.width
  return (
    <svg ref={fill ? ref : undefined} className={fill ? 'thumbnail thumbnail-fill' : 'thumbnail'} data-zoom={fill ? (zoom < 2 / 3 ? 'far' : 'near') : undefined} viewBox={`${box.x} ${box.y} ${box.width} ${box.height}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
      <rect width={SHEET.width} height={SHEET.height} fill="#fbf8f1" />
      <ItemsLayer items={items} currentRound={round} earlier="show" thumbnail />
    </svg>
  )
}

export interface ContentBoxOptions {
  /** Width / height of the box (default 3:2, the sheet's). */
  aspect?: number
  /** Smallest part of the sheet shown, in sheet units, as the area of this width × height (default: half the sheet each way). */
  minWidth?: number
  minHeight?: number
  /** Centre the box on what is written even past the sheet's edge (the paper goes on, in the box's background). */
  centred?: boolean
}

/**
 * The part of the sheet that has something on it, in the given aspect, centred on it and no smaller than
 * the minimum area, so thumbnails are readable; kept on the sheet where it fits.
 */
export function contentBox(items: TableclothItem[], opts: ContentBoxOptions = {}): { x: number; y: number; width: number; height: number } {
  const aspect = opts.aspect ?? SHEET.width / SHEET.height
  let minX = 0, minY = 0, maxX: number = SHEET.width, maxY: number = SHEET.height, pad = 0
  let minArea: number = SHEET.width * SHEET.height
  if (items.length > 0) {
    minX = Infinity; minY = Infinity; maxX = -Infinity; maxY = -Infinity; pad = 60
    minArea = (opts.minWidth ?? SHEET.width / 2) * (opts.minHeight ?? SHEET.height / 2)
    for (const i of items) {
      let w: number = NOTE_SIZE.width, h: number = NOTE_SIZE.height
      if (i.kind === 'stroke') {
        w = 0; h = 0
        for (let k = 0; k + 1 < i.points.length; k += 3) { w = Math.max(w, i.points[k]!); h = Math.max(h, i.points[k + 1]!) }
      } else if (i.kind === 'text') {
        w = Math.min(640, i.text.length * i.size * 0.55 + 24); h = i.size * 2
      }
      minX = Math.min(minX, i.x); minY = Math.min(minY, i.y); maxX = Math.max(maxX, i.x + w); maxY = Math.max(maxY, i.y + h)
    }
  }
  let width = maxX - minX + 2 * pad
  let height = maxY - minY + 2 * pad
  if (width / height > aspect) height = width / aspect
  else width = height * aspect
  if (width * height < minArea) {
    const grow = Math.sqrt(minArea / (width * height))
    width *= grow; height *= grow
  }
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2
  if (opts.centred && items.length > 0) return { x: cx - width / 2, y: cy - height / 2, width, height }
  return { x: place(cx, width, SHEET.width), y: place(cy, height, SHEET.height), width, height }
}

/** Where a box of `size` centred on `centre` starts, kept on the sheet; centred on the sheet when bigger than it. */
function place(centre: number, size: number, sheet: number): number {
  return size >= sheet ? (sheet - size) / 2 : Math.max(0, Math.min(centre - size / 2, sheet - size))
}
