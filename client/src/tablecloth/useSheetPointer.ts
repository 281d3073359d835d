/** Mouse, pen and touch on the sheet: pan, pinch and wheel zoom, draw, drag one's own items, tap to add or pick. */
import { useRef } from 'react'
import type { TableclothItem } from '../../../shared/tablecloth'
import type { SheetView } from './useSheetView'
import type { View } from './geometry'
import { MAX_K, MIN_K, clamp } from './geometry'

export type Tool = 'select' | 'note' | 'text' | 'pen' | 'dot'

type Gesture =
  | { kind: 'none' }
  | { kind: 'pan'; startX: number; startY: number; view: View; moved: boolean; tapped: TableclothItem | null }
  | { kind: 'pinch'; dist: number; cx: number; cy: number; view: View }
  | { kind: 'draw'; points: number[] }
  | { kind: 'drag'; id: string; startX: number; startY: number; origX: number; origY: number; moved: boolean }
  | { kind: 'tap'; x: number; y: number; clientX: number; clientY: number }

export interface SheetPointerDeps {
  svgRef: React.RefObject<SVGSVGElement | null>
  sheet: SheetView
  tool: Tool
  items: TableclothItem[]
  canEdit(item: TableclothItem): boolean
  /** A tap (or a click) on an item, without moving: select it. */
  onPick(item: TableclothItem | null): void
  /** A tap on an item with the dots tool. */
  onDot(item: TableclothItem): void
  /** A tap on free paper with the note or text tool, at this sheet point. */
  onCreate(kind: 'note' | 'text', at: { x: number; y: number }): void
  onStroke(points: number[]): void
  onMove(id: string, x: number, y: number): void
  setLivePath(points: number[] | null): void
  setDragOffset(offset: { id: string; dx: number; dy: number } | null): void
  setAwareness(patch: Record<string, unknown>): void
}

export function useSheetPointer(d: SheetPointerDeps) {
  const gesture = useRef<Gesture>({ kind: 'none' })
  const pointers = useRef(new Map<number, { x: number; y: number }>())
  const { sheet } = d

  const itemAt = (target: EventTarget | null): TableclothItem | undefined => {
    const id = (target as Element | null)?.closest?.('[data-item-id]')?.getAttribute('data-item-id')
    return id ? d.items.find((i) => i.id === id) : undefined
  }

  // Focus stays where it is on a click on the sheet (the item picked gets it explicitly), except in an editor or a link.
  const onMouseDown = (e: React.MouseEvent) => {
    if (!(e.target as Element).closest('textarea, a')) e.preventDefault()
  }

  const onPointerDown = (e: React.PointerEvent<SVGSVGElement>) => {
    if ((e.target as Element).closest('textarea, a')) return
    // Leaving an editor by touching the sheet elsewhere: its blur closes it.
    const active = document.activeElement
    if (active instanceof HTMLTextAreaElement && d.svgRef.current?.contains(active)) active.blur()
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY })
    d.svgRef.current?.setPointerCapture?.(e.pointerId)
    if (pointers.current.size === 2) {
      const [a, b] = [...pointers.current.values()] as [{ x: number; y: number }, { x: number; y: number }]
      gesture.current = { kind: 'pinch', dist: Math.hypot(a.x - b.x, a.y - b.y), cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2, view: sheet.view }
      d.setLivePath(null)
      return
    }
    const p = sheet.toSheet(e.clientX, e.clientY)
    const hit = itemAt(e.target)
    const pan = (tapped: TableclothItem | null): Gesture => ({ kind: 'pan', startX: e.clientX, startY: e.clientY, view: sheet.view, moved: false, tapped })
    if (d.tool === 'pen' && e.button !== 1) {
      gesture.current = { kind: 'draw', points: [p.x, p.y, e.pressure || 0.5] }
      d.setLivePath([...gesture.current.points])
      d.setAwareness({ writing: true })
    } else if (hit && d.tool === 'select' && d.canEdit(hit)) {
      gesture.current = { kind: 'drag', id: hit.id, startX: p.x, startY: p.y, origX: hit.x, origY: hit.y, moved: false }
    } else if ((d.tool === 'note' || d.tool === 'text') && !hit) {
      gesture.current = { kind: 'tap', x: p.x, y: p.y, clientX: e.clientX, clientY: e.clientY }
    } else {
      gesture.current = pan(hit ?? null)
    }
  }

  const onPointerMove = (e: React.PointerEvent<SVGSVGElement>) => {
    const p = sheet.toSheet(e.clientX, e.clientY)
    d.setAwareness({ cursor: { x: Math.round(p.x), y: Math.round(p.y) } })
    if (!pointers.current.has(e.pointerId)) return
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY })
    const g = gesture.current
    if (g.kind === 'pinch' && pointers.current.size >= 2) {
      const [a, b] = [...pointers.current.values()] as [{ x: number; y: number }, { x: number; y: number }]
      const dist = Math.hypot(a.x - b.x, a.y - b.y)
      const cx = (a.x + b.x) / 2, cy = (a.y + b.y) / 2
      const rect = d.svgRef.current!.getBoundingClientRect()
      const k = clamp(g.view.k * (dist / Math.max(1, g.dist)), MIN_K, MAX_K)
      const sx = (g.cx - rect.left - g.view.x) / g.view.k, sy = (g.cy - rect.top - g.view.y) / g.view.k
      sheet.setView({ k, x: cx - rect.left - sx * k, y: cy - rect.top - sy * k })
    } else if (g.kind === 'pan') {
      const dx = e.clientX - g.startX, dy = e.clientY - g.startY
      if (Math.abs(dx) + Math.abs(dy) > 6) g.moved = true
      if (g.moved) sheet.setView({ ...g.view, x: g.view.x + dx, y: g.view.y + dy })
    } else if (g.kind === 'draw') {
      g.points.push(p.x, p.y, e.pressure || 0.5)
      d.setLivePath([...g.points])
    } else if (g.kind === 'drag') {
      const dx = p.x - g.startX, dy = p.y - g.startY
      if (Math.abs(dx) + Math.abs(dy) > 2) g.moved = true
      d.setDragOffset({ id: g.id, dx, dy })
    } else if (g.kind === 'tap' && Math.hypot(e.clientX - g.clientX, e.clientY - g.clientY) > 8) {
      gesture.current = { kind: 'pan', startX: g.clientX, startY: g.clientY, view: sheet.view, moved: true, tapped: null }
    }
  }

  const onPointerUp = (e: React.PointerEvent<SVGSVGElement>) => {
    pointers.current.delete(e.pointerId)
    const g = gesture.current
    if (g.kind === 'pinch') {
      if (pointers.current.size === 0) gesture.current = { kind: 'none' }
      return
    }
    gesture.current = { kind: 'none' }
    if (g.kind === 'draw') {
      d.setLivePath(null)
      d.setAwareness({ writing: false })
      if (g.points.length >= 3) d.onStroke(g.points)
    } else if (g.kind === 'drag') {
      d.setDragOffset(null)
      const p = sheet.toSheet(e.clientX, e.clientY)
      if (g.moved) d.onMove(g.id, g.origX + (p.x - g.startX), g.origY + (p.y - g.startY))
      else d.onPick(d.items.find((i) => i.id === g.id) ?? null)
    } else if (g.kind === 'tap' && e.type === 'pointerup') {
      d.onCreate(d.tool === 'text' ? 'text' : 'note', { x: g.x, y: g.y })
    } else if (g.kind === 'pan' && !g.moved && e.type === 'pointerup') {
      if (g.tapped && d.tool === 'dot') d.onDot(g.tapped)
      else d.onPick(g.tapped)
    }
  }

  const onWheel = (e: React.WheelEvent<SVGSVGElement>) => {
    if (e.ctrlKey || e.metaKey || (Math.abs(e.deltaY) > 0 && !e.shiftKey)) sheet.zoomBy(Math.exp(-e.deltaY * 0.0015), { clientX: e.clientX, clientY: e.clientY })
    else sheet.panBy(-e.deltaX, -e.deltaY)
  }

  return { onMouseDown, onPointerDown, onPointerMove, onPointerUp, onWheel, pointerDown: () => pointers.current.size > 0 }
}
