/**
 * A drawing's small picture on its harvest card: the person's strokes (a light copy the server sends
 * with the contribution), drawn as SVG elements by React, never as markup; named for screen readers.
 */
import { useTranslation } from 'react-i18next'
import type { Contribution } from '../../../shared/contributions'
import '../components/photos.css'

/** Room around the strokes, in tablecloth units. */
const PAD = 12

export function DrawingThumb({ c }: { c: Contribution }) {
  const { t } = useTranslation()
  const shape = c.drawing
  if (c.kind !== 'drawing' || !shape || shape.strokes.length === 0) return null
  const [x0, y0, x1, y1] = shape.box
  const w = Math.max(1, x1 - x0) + 2 * PAD, h = Math.max(1, y1 - y0) + 2 * PAD
  const label = t('photos.drawingLabel', { count: c.strokes, table: c.tableName, n: c.round })
  return (
    <svg className="drawing-thumb" viewBox={`${x0 - PAD} ${y0 - PAD} ${w} ${h}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
      <title>{label}</title>
      {shape.strokes.map((s, i) => {
        const pts: string[] = []
        for (let k = 0; k + 1 < s.points.length; k += 2) pts.push(`${s.points[k]},${s.points[k + 1]}`)
        // A single point still shows: a round-capped segment of no length.
        if (pts.length === 1) pts.push(pts[0]!)
        return <polyline key={i} points={pts.join(' ')} fill="none" stroke={s.color} strokeWidth={Math.max(s.width, Math.max(w, h) / 120)} strokeLinecap="round" strokeLinejoin="round" />
      })}
    </svg>
  )
}
