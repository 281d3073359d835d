/** Draws a tablecloth's items in SVG: sticky notes, text blocks and freehand strokes, each in its round's ink. */
import { memo, useMemo } from 'react'
import { getStroke } from 'perfect-freehand'
import type { TableclothItem } from '../../../shared/tablecloth'
import { NOTE_SIZE, inkFamily } from './inks'
import { itemBox, textWidth } from './geometry'
import './tablecloth.css'
import { Linkified } from '../components/Linkified'

export function strokePath(flat: readonly number[], width: number): string {
  const points: number[][] = []
  for (let i = 0; i + 2 < flat.length; i += 3) points.push([flat[i]!, flat[i + 1]!, flat[i + 2]!])
  if (points.length === 1) points.push([points[0]![0]! + 0.5, points[0]![1]! + 0.5, points[0]![2]!])
  const outline = getStroke(points, { size: width, thinning: 0.55, smoothing: 0.5, streamline: 0.4, simulatePressure: points.every((p) => p[2] === 0.5), last: true })
  if (outline.length === 0) return ''
  const d: (string | number)[] = ['M', outline[0]![0]!.toFixed(1), outline[0]![1]!.toFixed(1), 'Q']
  for (let i = 0; i < outline.length; i++) {
    const [x0, y0] = outline[i]!
    const [x1, y1] = outline[(i + 1) % outline.length]!
    d.push(x0!.toFixed(1), y0!.toFixed(1), ((x0! + x1!) / 2).toFixed(1), ((y0! + y1!) / 2).toFixed(1))
  }
  d.push('Z')
  return d.join(' ')
}

const Stroke = memo(function Stroke({ points, width, color }: { points: number[]; width: number; color: string }) {
  const d = useMemo(() => strokePath(points, width), [points, width])
  return <path d={d} fill={color} />
})

export interface ItemsLayerProps {
  items: TableclothItem[]
  currentRound: number
  earlier: 'show' | 'fade' | 'hide'
  selectedId?: string | null
  editingId?: string | null
  /** Renders the editor of the note being edited in place of its text. */
  renderEditor?: (item: TableclothItem) => React.ReactNode
  thumbnail?: boolean
  /** On the editable sheet: what makes each item focusable and operable (tab stop, name, keys). */
  itemProps?: (item: TableclothItem) => React.SVGProps<SVGGElement>
}

export function ItemsLayer({ items, currentRound, earlier, selectedId, editingId, renderEditor, thumbnail, itemProps }: ItemsLayerProps) {
  return (
    <>
      {items.map((item) => {
        const isEarlier = item.round < currentRound
        if (isEarlier && earlier === 'hide') return null
        // Removed items reach this layer only in a facilitator's view: faded, to be restored.
        const opacity = (isEarlier && earlier === 'fade' ? 0.35 : 1) * (item.removed ? 0.3 : 1)
        const selected = item.id === selectedId
        const label = `${item.authorName} · R${item.round}`
        const cls = (kind: string) => `item${kind}${selected ? ' selected' : ''}${item.removed ? ' removed' : ''}`
        const extra = itemProps?.(item)
        const ring = extra ? <FocusRing item={item} /> : null
        if (item.kind === 'stroke') {
          return (
            <g key={item.id} transform={`translate(${item.x} ${item.y})`} opacity={opacity} data-item-id={item.id} data-round={item.round} data-removed={item.removed ? 'true' : undefined} className={cls('')} {...extra}>
              {!thumbnail && !extra && <title>{label}</title>}
              {ring}
              <Stroke points={item.points} width={item.width} color={item.color} />
            </g>
          )
        }
        if (item.kind === 'note') {
          return (
            <g key={item.id} transform={`translate(${item.x} ${item.y})`} opacity={opacity} data-item-id={item.id} data-round={item.round} data-removed={item.removed ? 'true' : undefined} className={cls(' note')} {...extra}>
              {!thumbnail && !extra && <title>{label}</title>}
              {ring}
              <rect width={NOTE_SIZE.width} height={NOTE_SIZE.height} rx={4} fill={item.color || inkFamily(item.round).note} className="note-paper" />
              <rect width={NOTE_SIZE.width} height={6} fill={inkFamily(item.round).inks[0]} opacity={0.7} />
              <foreignObject x={8} y={12} width={NOTE_SIZE.width - 16} height={NOTE_SIZE.height - 20}>
                {item.id === editingId && renderEditor ? renderEditor(item) : <div className="note-text" style={{ color: inkFamily(item.round).inks[2] }}>{thumbnail ? item.text : <Linkified text={item.text} />}</div>}
              </foreignObject>
              <Badges item={item} x={NOTE_SIZE.width} y={NOTE_SIZE.height} />
            </g>
          )
        }
        const width = textWidth(item)
        return (
          <g key={item.id} transform={`translate(${item.x} ${item.y})`} opacity={opacity} data-item-id={item.id} data-round={item.round} data-removed={item.removed ? 'true' : undefined} className={cls(' text')} {...extra}>
            {!thumbnail && !extra && <title>{label}</title>}
            {ring}
            <foreignObject width={width} height={item.size * 6}>
              {item.id === editingId && renderEditor ? renderEditor(item) : <div className="free-text" style={{ color: item.color, fontSize: item.size }}>{thumbnail ? item.text : <Linkified text={item.text} />}</div>}
            </foreignObject>
            <Badges item={item} x={width} y={item.size * 1.6} />
          </g>
        )
      })}
    </>
  )
}

/** Drawn around an item when it has the keyboard focus (see tablecloth.css). */
function FocusRing({ item }: { item: TableclothItem }) {
  const b = itemBox(item)
  return <rect className="focus-ring" x={b.x - item.x - 6} y={b.y - item.y - 6} width={b.width + 12} height={b.height + 12} rx={8} aria-hidden="true" />
}

function Badges({ item, x, y }: { item: TableclothItem; x: number; y: number }) {
  if (item.stars.length === 0 && item.votes === 0) return null
  return (
    <g transform={`translate(${x - 8} ${y - 8})`} className="badges" aria-hidden="true">
      {item.stars.length > 0 && (
        <g transform="translate(-34 0)">
          <circle r={15} fill="#facc15" stroke="#a16207" />
          <text textAnchor="middle" dy={5} fontSize={15} fontWeight={700} fill="#422006">★{item.stars.length > 1 ? item.stars.length : ''}</text>
        </g>
      )}
      {item.votes > 0 && (
        <g>
          <circle r={15} fill="#dc2626" />
          <text textAnchor="middle" dy={5} fontSize={14} fontWeight={700} fill="#fff">{item.votes}</text>
        </g>
      )}
    </g>
  )
}
