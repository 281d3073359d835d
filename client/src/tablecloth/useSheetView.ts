/** The view over the sheet: its size on screen (kept up to date), pan, zoom, "fit", and bringing a box into view. */
import { useCallback, useLayoutEffect, useRef, useState } from 'react'
import type { Box, Size } from '../../../shared/notePlacement'
import type { View } from './geometry'
import { MAX_K, MIN_K, clamp, fitView, initialView, panTo, visibleArea } from './geometry'

export interface SheetView {
  view: View
  setView(v: View | ((v: View) => View)): void
  size: Size
  /** What is on screen, in sheet units. */
  visible(): Box
  /** Sheet coordinates of a point on screen. */
  toSheet(clientX: number, clientY: number): { x: number; y: number }
  zoomBy(factor: number, at?: { clientX: number; clientY: number }): void
  panBy(dx: number, dy: number): void
  fit(box: Box): void
  bringIntoView(box: Box, opts?: { center?: boolean }): void
}

/** `active`: whether the sheet is on screen (it is not in the list view). */
export function useSheetView(svgRef: React.RefObject<SVGSVGElement | null>, active: boolean): SheetView {
  const [view, setView] = useState<View>({ x: 8, y: 8, k: 0.8 })
  const [size, setSize] = useState<Size>({ width: 0, height: 0 })
  const sizeRef = useRef(size)
  const viewRef = useRef(view)
  viewRef.current = view
  const started = useRef(false)

  useLayoutEffect(() => {
    const svg = svgRef.current
    if (!active || !svg) return
    const measure = () => {
      const r = svg.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) return
      const next = { width: r.width, height: r.height }
      sizeRef.current = next
      setSize((s) => (s.width === next.width && s.height === next.height ? s : next))
      if (!started.current) { started.current = true; setView(initialView(next)) }
    }
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(svg)
    return () => observer.disconnect()
  }, [svgRef, active])

  const visible = useCallback(() => visibleArea(viewRef.current, sizeRef.current), [])
  const toSheet = useCallback((clientX: number, clientY: number) => {
    const rect = svgRef.current!.getBoundingClientRect()
    const v = viewRef.current
    return { x: (clientX - rect.left - v.x) / v.k, y: (clientY - rect.top - v.y) / v.k }
  }, [svgRef])
  const zoomBy = useCallback((factor: number, at?: { clientX: number; clientY: number }) => {
    const rect = svgRef.current?.getBoundingClientRect()
    if (!rect) return
    setView((v) => {
      const k = clamp(v.k * factor, MIN_K, MAX_K)
      const cx = at ? at.clientX - rect.left : rect.width / 2, cy = at ? at.clientY - rect.top : rect.height / 2
      const sx = (cx - v.x) / v.k, sy = (cy - v.y) / v.k
      return { k, x: cx - sx * k, y: cy - sy * k }
    })
  }, [svgRef])
  const panBy = useCallback((dx: number, dy: number) => setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy })), [])
  const fit = useCallback((box: Box) => setView(fitView(box, sizeRef.current)), [])
  const bringIntoView = useCallback((box: Box, opts: { center?: boolean } = {}) => {
    const next = panTo(box, viewRef.current, sizeRef.current, opts)
    if (next !== viewRef.current) { viewRef.current = next; setView(next) }
  }, [])

  return { view, setView, size, visible, toSheet, zoomBy, panBy, fit, bringIntoView }
}
