import { describe, expect, it } from 'vitest'
import type { Box } from '../../shared/notePlacement'
import { PLACEMENT_GAP, contains, overlaps, placeNote, union } from '../../shared/notePlacement'

const NOTE = { width: 200, height: 150 }
const SHEET: Box = { x: 0, y: 0, width: 2400, height: 1600 }
const PHONE_VIEW: Box = { x: 0, y: 0, width: 445, height: 600 }
const box = (x: number, y: number, size = NOTE): Box => ({ x, y, ...size })

describe('placeNote', () => {
  it('takes the preferred spot when it is free', () => {
    expect(placeNote({ preferred: { x: 40, y: 60 }, size: NOTE, occupied: [], visible: PHONE_VIEW, bounds: SHEET }))
      .toEqual({ x: 40, y: 60, free: true, inView: true })
  })

  it('never covers an earlier note: the same tap twice gives two spots apart', () => {
    const first = placeNote({ preferred: { x: 40, y: 40 }, size: NOTE, occupied: [], visible: PHONE_VIEW, bounds: SHEET })
    const second = placeNote({ preferred: { x: 40, y: 40 }, size: NOTE, occupied: [box(first.x, first.y)], visible: PHONE_VIEW, bounds: SHEET })
    expect(overlaps(box(first.x, first.y), box(second.x, second.y), PLACEMENT_GAP)).toBe(false)
    expect(second.inView).toBe(true)
    // The nearest free spot: just below or beside the first one, not across the sheet.
    expect(Math.hypot(second.x - first.x, second.y - first.y)).toBeLessThan(NOTE.width + PLACEMENT_GAP + 16)
  })

  it('fills a crowded view without any overlap, and is deterministic', () => {
    const occupied: Box[] = []
    const run = () => {
      const out: Box[] = []
      for (let n = 0; n < 6; n++) {
        const p = placeNote({ preferred: { x: 120, y: 200 }, size: NOTE, occupied: out, visible: PHONE_VIEW, bounds: SHEET })
        out.push(box(p.x, p.y))
      }
      return out
    }
    const placed = run()
    for (let a = 0; a < placed.length; a++) for (let b = a + 1; b < placed.length; b++) expect(overlaps(placed[a]!, placed[b]!)).toBe(false)
    expect(run()).toEqual(placed)
    occupied.push(...placed)
    expect(occupied).toHaveLength(6)
  })

  it('keeps a note inside the visible area while there is room there', () => {
    const occupied = [box(0, 0), box(220, 0)]
    const p = placeNote({ preferred: { x: 10, y: 10 }, size: NOTE, occupied, visible: PHONE_VIEW, bounds: SHEET })
    expect(p.inView).toBe(true)
    expect(contains(PHONE_VIEW, box(p.x, p.y))).toBe(true)
    expect(occupied.some((b) => overlaps(b, box(p.x, p.y)))).toBe(false)
  })

  it('goes outside the view, onto the sheet, when the view is full, and says so', () => {
    const view: Box = { x: 0, y: 0, width: 420, height: 320 }
    const occupied = [box(0, 0), box(210, 0), box(0, 160), box(210, 160)]
    const p = placeNote({ preferred: { x: 100, y: 100 }, size: NOTE, occupied, visible: view, bounds: SHEET })
    expect(p).toMatchObject({ free: true, inView: false })
    expect(occupied.some((b) => overlaps(b, box(p.x, p.y), PLACEMENT_GAP))).toBe(false)
    expect(contains(SHEET, box(p.x, p.y))).toBe(true)
  })

  it('stays on the sheet when asked for a spot past its edge', () => {
    const p = placeNote({ preferred: { x: 2350, y: -80 }, size: NOTE, occupied: [], visible: SHEET, bounds: SHEET })
    expect(p).toEqual({ x: 2200, y: 0, free: true, inView: true })
  })

  it('answers the preferred spot, not free, when the whole sheet is full', () => {
    const small: Box = { x: 0, y: 0, width: 300, height: 200 }
    const p = placeNote({ preferred: { x: 50, y: 20 }, size: NOTE, occupied: [box(0, 0)], visible: small, bounds: small })
    expect(p).toEqual({ x: 50, y: 20, free: false, inView: true })
  })

  it('in rows: fills the top row left to right first (notes added from the list)', () => {
    const out: Box[] = []
    for (let n = 0; n < 4; n++) {
      const p = placeNote({ preferred: { x: 40, y: 40 }, size: NOTE, occupied: out, visible: { x: 0, y: 0, width: 1000, height: 800 }, bounds: SHEET, order: 'rows' })
      out.push(box(p.x, p.y))
    }
    expect(out.map((b) => b.y)).toEqual([40, 40, 40, 40])
    expect(out.map((b) => b.x)).toEqual([...out.map((b) => b.x)].sort((a, b) => a - b))
    expect(out[0]!.x).toBe(40)
  })

  it('avoids boxes of any size (a wide text block, a drawing)', () => {
    const text = box(0, 100, { width: 640, height: 60 })
    const p = placeNote({ preferred: { x: 30, y: 80 }, size: NOTE, occupied: [text], visible: PHONE_VIEW, bounds: SHEET })
    expect(overlaps(text, box(p.x, p.y), PLACEMENT_GAP)).toBe(false)
  })
})

describe('union', () => {
  it('is the box around all boxes, or null for none', () => {
    expect(union([])).toBeNull()
    expect(union([box(10, 20), box(300, 400, { width: 10, height: 10 })])).toEqual({ x: 10, y: 20, width: 300, height: 390 })
  })
})
