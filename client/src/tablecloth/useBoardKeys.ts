/**
 * The keyboard on the sheet. The paper is a tab stop (Enter or N: a new note, T: a text block, arrows:
 * look around, + and −: zoom, 0: fit), and so is every item, in the order they were written; an item
 * that gets the focus by Tab is selected and brought into view. On an item: Enter or F2 edits one's own
 * (on anyone else's it opens the item bar), S stars, D gives a dot (Shift+D takes one back), arrows move
 * one's own, Delete deletes one's own, Escape closes the bar. Anywhere: Ctrl+Z / Ctrl+Y undo and redo.
 */
import { useEffect, useRef } from 'react'
import { flushSync } from 'react-dom'
import type { TableclothItem } from '../../../shared/tablecloth'
import { itemsMap, moveItem, toggleStar } from '../../../shared/tablecloth'
import type { TableclothSession } from '../transport/TableclothSession'
import type { SheetView } from './useSheetView'
import { SHEET_BOX, clamp, itemBox } from './geometry'

/** Sheet units an arrow moves an item (with Shift: more); pixels an arrow pans the view. */
const MOVE_STEP = 16
const MOVE_STEP_SHIFT = 64
const PAN_STEP_PX = 60

export interface BoardKeysDeps {
  session: TableclothSession
  me: { id: string }
  items: TableclothItem[]
  canWrite: boolean
  canEdit(item: TableclothItem): boolean
  canReact(item: TableclothItem): boolean
  sheet: SheetView
  selectedId: string | null
  setSelectedId(id: string | null): void
  create(kind: 'note' | 'text'): void
  startEdit(item: TableclothItem): void
  vote(item: TableclothItem, delta: 1 | -1): void
  remove(item: TableclothItem): void
  fit(): void
  openBar(): void
  pointerDown(): boolean
  skipSelect: React.RefObject<string | null>
}

const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }

export function useBoardKeys(d: BoardKeysDeps) {
  const origin = d.session.localOrigin
  /** Where the page was scrolled when Tab was pressed: the browser scrolls towards an item still outside the view. */
  const scrollAtTab = useRef<{ x: number; y: number } | null>(null)
  useEffect(() => {
    const onTab = (e: KeyboardEvent) => { if (e.key === 'Tab') scrollAtTab.current = { x: window.scrollX, y: window.scrollY } }
    window.addEventListener('keydown', onTab, true)
    return () => window.removeEventListener('keydown', onTab, true)
  }, [])

  // Keys for the whole page (not while typing): undo, redo, delete the selection, Escape.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || (e.target as Element | null)?.closest?.('textarea, input, select')) return
      const key = e.key.toLowerCase()
      if ((e.ctrlKey || e.metaKey) && key === 'z') { e.preventDefault(); if (e.shiftKey) d.session.undoManager.redo(); else d.session.undoManager.undo() }
      else if ((e.ctrlKey || e.metaKey) && key === 'y') { e.preventDefault(); d.session.undoManager.redo() }
      else if ((e.key === 'Delete' || e.key === 'Backspace') && d.selectedId) {
        const item = d.items.find((i) => i.id === d.selectedId)
        if (item && d.canEdit(item)) { e.preventDefault(); d.remove(item) }
      } else if (e.key === 'Escape' && d.selectedId) d.setSelectedId(null)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })

  const pan = (dx: number, dy: number, big: boolean) => d.sheet.panBy(-dx * PAN_STEP_PX * (big ? 4 : 1), -dy * PAN_STEP_PX * (big ? 4 : 1))

  const onItemFocus = (e: React.FocusEvent<SVGGElement>, item: TableclothItem) => {
    if (e.target !== e.currentTarget) return
    if (d.skipSelect.current === item.id) { d.skipSelect.current = null; return }
    if (d.pointerDown()) return
    flushSync(() => {
      d.sheet.bringIntoView(itemBox(item))
      d.setSelectedId(item.id)
    })
    // The sheet was panned to the item: the page goes back where it was, moving only if the item is not on screen.
    const el = e.currentTarget
    const saved = scrollAtTab.current
    scrollAtTab.current = null
    if (saved) requestAnimationFrame(() => { window.scrollTo(saved.x, saved.y); el.scrollIntoView({ block: 'nearest', inline: 'nearest' }) })
  }

  const onItemKey = (e: React.KeyboardEvent<SVGGElement>, item: TableclothItem) => {
    if (e.target !== e.currentTarget || e.altKey || e.ctrlKey || e.metaKey) return
    const own = d.canEdit(item)
    const arrow = ARROWS[e.key]
    if (arrow) {
      e.preventDefault()
      if (!own) { pan(arrow[0], arrow[1], e.shiftKey); return }
      // From the document itself: keys repeat faster than the items are read again.
      const live = itemsMap(d.session.doc).get(item.id)
      const box = itemBox(item)
      const step = e.shiftKey ? MOVE_STEP_SHIFT : MOVE_STEP
      const x0 = typeof live?.get('x') === 'number' ? (live.get('x') as number) : item.x
      const y0 = typeof live?.get('y') === 'number' ? (live.get('y') as number) : item.y
      const x = clamp(x0 + arrow[0] * step, SHEET_BOX.x - box.width / 2, SHEET_BOX.width - box.width / 2)
      const y = clamp(y0 + arrow[1] * step, SHEET_BOX.y - box.height / 2, SHEET_BOX.height - box.height / 2)
      moveItem(d.session.doc, item.id, x, y, origin)
      d.sheet.bringIntoView({ ...box, x: box.x + (x - item.x), y: box.y + (y - item.y) })
      return
    }
    switch (e.key) {
      case 'Enter': case 'F2': case ' ':
        e.preventDefault()
        if (own && item.kind !== 'stroke' && e.key !== ' ') { d.startEdit(item); return }
        flushSync(() => d.setSelectedId(item.id))
        d.openBar()
        return
      case 's': case 'S': case '*':
        if (!d.canReact(item)) return
        e.preventDefault()
        toggleStar(d.session.doc, item.id, d.me.id, origin)
        return
      case 'd': case 'D':
        if (!d.canReact(item)) return
        e.preventDefault()
        d.vote(item, e.key === 'D' ? -1 : 1)
        return
      case 'Delete': case 'Backspace':
        if (!own) return
        e.preventDefault()
        d.remove(item)
        return
      case 'Escape':
        if (d.selectedId !== item.id) return
        e.preventDefault()
        d.setSelectedId(null)
        return
    }
  }

  const onPaperKey = (e: React.KeyboardEvent<SVGSVGElement>) => {
    if (e.target !== e.currentTarget || e.altKey || e.ctrlKey || e.metaKey) return
    const arrow = ARROWS[e.key]
    if (arrow) { e.preventDefault(); pan(arrow[0], arrow[1], e.shiftKey); return }
    switch (e.key) {
      case 'Enter': case 'n': case 'N':
        if (!d.canWrite) return
        e.preventDefault()
        d.create('note')
        return
      case 't': case 'T':
        if (!d.canWrite) return
        e.preventDefault()
        d.create('text')
        return
      case '+': case '=': e.preventDefault(); d.sheet.zoomBy(1.25); return
      case '-': e.preventDefault(); d.sheet.zoomBy(1 / 1.25); return
      case '0': e.preventDefault(); d.fit(); return
    }
  }

  return { onItemFocus, onItemKey, onPaperKey }
}
