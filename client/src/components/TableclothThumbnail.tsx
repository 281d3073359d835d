import { useItems } from '../hooks'
import type { TableclothSession } from '../transport/TableclothSession'
import { ItemsLayer } from '../tablecloth/ItemsLayer'
import { NOTE_SIZE, SHEET } from '../tablecloth/inks'
import type { TableclothItem } from '../../../shared/tablecloth'

/** A live miniature of a whole tablecloth (facilitator overview, projector gallery). */
export function TableclothThumbnail({ session, round, label }: { session: TableclothSession | null; round: number; label: string }) {
  const { items } = useItems(session)
  const box = contentBox(items)
  return (
    <svg className="thumbnail" viewBox={`${box.x} ${box.y} ${box.width} ${box.height}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
      <rect width={SHEET.width} height={SHEET.height} fill="#fbf8f1" />
      <ItemsLayer items={items} currentRound={round} earlier="show" thumbnail />
    </svg>
  )
}

/** The part of the sheet that has something on it (3:2, at least half the sheet wide), so thumbnails are readable. */
export function contentBox(items: TableclothItem[]): { x: number; y: number; width: number; height: number } {
  if (items.length === 0) return { x: 0, y: 0, width: SHEET.width, height: SHEET.height }
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity
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
  const pad = 60
  let width = Math.max(SHEET.width / 2, maxX - minX + 2 * pad)
  let height = Math.max(SHEET.height / 2, maxY - minY + 2 * pad)
  if (width / height > 1.5) height = width / 1.5
  else width = height * 1.5
  const x = Math.max(0, Math.min(minX - pad, SHEET.width - width))
  const y = Math.max(0, Math.min(minY - pad, SHEET.height - height))
  return { x, y, width, height }
}
