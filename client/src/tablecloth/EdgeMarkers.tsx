/**
 * Markers at the edges of the view for the items outside it, pointing at them: activating one brings its
 * item into view (the nearest, when several items are grouped in one marker).
 */
import { useTranslation } from 'react-i18next'
import type { Box, Size } from '../../../shared/notePlacement'
import type { View } from './geometry'
import { clamp, toScreen } from './geometry'

export type Where = 'above' | 'below' | 'left' | 'right'
export interface EdgeMarker { x: number; y: number; angle: number; where: Where; ids: string[] }

/** Pixels between a marker's centre and the edge; markers closer than `MERGE_PX` to each other are one. */
const INSET_PX = 22
const MERGE_PX = 48

export function edgeMarkers(entries: ReadonlyArray<{ id: string; box: Box }>, view: View, size: Size): EdgeMarker[] {
  if (size.width < 2 * INSET_PX || size.height < 2 * INSET_PX) return []
  const out: EdgeMarker[] = []
  const outside = entries.map(({ id, box }) => {
    const s = toScreen(box, view)
    const off = s.x + s.width <= 0 || s.y + s.height <= 0 || s.x >= size.width || s.y >= size.height
    const cx = s.x + s.width / 2, cy = s.y + s.height / 2
    const dx = cx < 0 ? -cx : cx > size.width ? cx - size.width : 0
    const dy = cy < 0 ? -cy : cy > size.height ? cy - size.height : 0
    return { id, off, cx, cy, dx, dy, dist: Math.hypot(dx, dy) }
  }).filter((e) => e.off).sort((a, b) => a.dist - b.dist || (a.id < b.id ? -1 : 1))
  for (const e of outside) {
    const x = clamp(e.cx, INSET_PX, size.width - INSET_PX), y = clamp(e.cy, INSET_PX, size.height - INSET_PX)
    const where: Where = e.dy >= e.dx ? (e.cy > size.height / 2 ? 'below' : 'above') : (e.cx > size.width / 2 ? 'right' : 'left')
    const near = out.find((m) => m.where === where && Math.hypot(m.x - x, m.y - y) < MERGE_PX)
    if (near) { near.ids.push(e.id); continue }
    out.push({ x, y, where, angle: (Math.atan2(e.cy - y, e.cx - x) * 180) / Math.PI, ids: [e.id] })
  }
  return out
}

export function EdgeMarkers({ markers, describe, onShow }: { markers: EdgeMarker[]; describe(id: string): string; onShow(id: string): void }) {
  const { t } = useTranslation()
  if (markers.length === 0) return null
  return (
    <div className="edge-markers" role="group" aria-label={t('board.markers')}>
      {markers.map((m) => {
        const where = t(`board.where.${m.where}`)
        const label = t('board.marker', { count: m.ids.length, what: describe(m.ids[0]!), where })
        return (
          <button key={m.ids[0]} type="button" className={`edge-marker edge-${m.where}`} style={{ left: m.x, top: m.y }} aria-label={label} title={label} onClick={() => onShow(m.ids[0]!)}>
            <svg className="edge-arrow" width={22} height={22} viewBox="0 0 24 24" style={{ transform: `rotate(${m.angle}deg)` }} aria-hidden="true" focusable="false">
              <path d="M4 12h13M12 6l6 6-6 6" fill="none" stroke="currentColor" strokeWidth={3} strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            {m.ids.length > 1 && <span className="edge-count" aria-hidden="true">{m.ids.length}</span>}
          </button>
        )
      })}
    </div>
  )
}
