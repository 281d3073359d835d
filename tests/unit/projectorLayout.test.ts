/** The projector's layout rules: how many tablecloths across, and how close a thumbnail zooms. */
import { describe, expect, it } from 'vitest'
import { galleryGrid } from '../../client/src/views/projector/galleryGrid'
import { contentBox, FILL_MIN_SPAN } from '../../client/src/components/TableclothThumbnail'
import { SHEET } from '../../client/src/tablecloth/inks'
import type { TableclothItem } from '../../shared/tablecloth'

const note = (x: number, y: number): TableclothItem => ({ kind: 'note', id: `n${x}-${y}`, x, y, text: 'x', color: '', author: 'a', authorName: 'A', round: 1, createdAt: 0, stars: [], votes: 0, votesBy: {} })

describe('galleryGrid', () => {
  const projector = { width: 1856, height: 800 }
  it('puts three tables side by side on a wide screen, six in two rows of three', () => {
    expect(galleryGrid(3, projector, { captionPx: 48 })).toEqual({ cols: 3, rows: 1 })
    expect(galleryGrid(6, projector, { captionPx: 48 })).toEqual({ cols: 3, rows: 2 })
    expect(galleryGrid(12, projector, { captionPx: 48 })).toEqual({ cols: 4, rows: 3 })
  })
  it('gives one table the whole box, and stacks tables in a tall box', () => {
    expect(galleryGrid(1, projector, { captionPx: 48 })).toEqual({ cols: 1, rows: 1 })
    expect(galleryGrid(3, { width: 360, height: 1400 }, { captionPx: 30 })).toEqual({ cols: 1, rows: 3 })
  })
  it('takes more rows when the captions are short and the box tall enough', () => {
    expect(galleryGrid(4, { width: 1800, height: 1200 }, { captionPx: 40 })).toEqual({ cols: 2, rows: 2 })
  })
  it('survives a box not measured yet', () => {
    expect(galleryGrid(5, { width: 0, height: 0 }, { captionPx: 40 }).cols).toBeGreaterThanOrEqual(1)
  })
})

describe('contentBox', () => {
  it('shows the whole sheet when nothing is written, in the asked aspect', () => {
    expect(contentBox([])).toEqual({ x: 0, y: 0, width: SHEET.width, height: SHEET.height })
    const tall = contentBox([], { aspect: 0.75 })
    expect(tall.width).toBe(SHEET.width)
    expect(tall.width / tall.height).toBeCloseTo(0.75)
    expect(tall.y).toBeLessThan(0) // centred on the sheet
  })
  it('keeps the default 3:2, at least half the sheet (the console)', () => {
    const box = contentBox([note(100, 100)])
    expect(box.width).toBeCloseTo(SHEET.width / 2)
    expect(box.height).toBeCloseTo(SHEET.height / 2)
    expect([box.x, box.y]).toEqual([0, 0]) // near the corner: kept on the sheet
    const middle = contentBox([note(1100, 700)])
    expect(middle.x + middle.width / 2).toBeCloseTo(1200) // centred on the note
    expect(middle.y + middle.height / 2).toBeCloseTo(775)
  })
  it('zooms closer on one note when filling a tall box, centred on it, no smaller than the minimum area', () => {
    const box = contentBox([note(900, 500)], { aspect: 0.8, minWidth: FILL_MIN_SPAN.width, minHeight: FILL_MIN_SPAN.height })
    expect(box.width / box.height).toBeCloseTo(0.8)
    expect(box.width * box.height).toBeCloseTo(FILL_MIN_SPAN.width * FILL_MIN_SPAN.height)
    expect(box.width).toBeLessThan(FILL_MIN_SPAN.width) // a tall box is narrower: the note is shown bigger
    expect(box.x).toBeLessThanOrEqual(900 - 60)
    expect(box.x + box.width).toBeGreaterThanOrEqual(900 + 200 + 60)
    expect(box.x + box.width / 2).toBeCloseTo(1000)
    expect(box.y + box.height / 2).toBeCloseTo(575)
  })
  it('centres a filling box on the notes even near the sheet\'s edge, when asked', () => {
    const opts = { aspect: 0.9, minWidth: FILL_MIN_SPAN.width, minHeight: FILL_MIN_SPAN.height }
    expect(contentBox([note(20, 20)], opts).x).toBe(0) // kept on the sheet by default
    const box = contentBox([note(20, 20)], { ...opts, centred: true })
    expect(box.x + box.width / 2).toBeCloseTo(120)
    expect(box.y + box.height / 2).toBeCloseTo(95)
  })
  it('keeps every item in view, on the sheet', () => {
    const items = [note(50, 60), note(2100, 1400)]
    const box = contentBox(items, { aspect: 1.2, minWidth: FILL_MIN_SPAN.width, minHeight: FILL_MIN_SPAN.height })
    expect(box.x).toBeLessThanOrEqual(50)
    expect(box.y).toBeLessThanOrEqual(60)
    expect(box.x + box.width).toBeGreaterThanOrEqual(2300)
    expect(box.y + box.height).toBeGreaterThanOrEqual(1550)
  })
})
