/**
 * The paper tablecloth: a large sheet with pan and zoom (mouse, wheel, touch pinch), on which people add
 * sticky notes, write text anywhere, draw with a pen and place their dots. Own items can be moved, edited
 * and deleted; undo and redo cover one's own changes only. Facilitators (moderator) also remove anyone's
 * item by marking it (kept, shown faded to them only, restorable), never by deleting it.
 *
 * Made for a crowded table on a phone: text readable at the first zoom, new notes placed where they cover
 * nothing, markers at the edges for what is outside the view, a "fit" view, the item bar docked under
 * the sheet. And for the keyboard: the paper and every item are on the Tab path (see `useBoardKeys`),
 * focus stays where the person is (after an editor, after a change of table).
 */
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { flushSync } from 'react-dom'
import type * as Y from 'yjs'
import { useTranslation } from 'react-i18next'
import type { TableclothItem } from '../../../shared/tablecloth'
import { addNote, addStroke, addText, changeVote, deleteItem, moveItem, removeItem, setItemText, toggleStar, unremoveItem } from '../../../shared/tablecloth'
import { TABLECLOTH_LIMITS } from '../../../shared/tableclothRules'
import { placeNote, union } from '../../../shared/notePlacement'
import type { TableclothSession } from '../transport/TableclothSession'
import { useItems } from '../hooks'
import { ItemsLayer, strokePath } from './ItemsLayer'
import { DOTS_PER_PERSON, NOTE_SIZE, inkFamily } from './inks'
import { personColor, usePresence } from './usePresence'
import { ItemList } from './ItemList'
import { refusalText } from './refusalText'
import { BoardToolbar } from './BoardToolbar'
import type { Earlier } from './BoardToolbar'
import { ItemBar } from './ItemBar'
import { TextEditor } from './TextEditor'
import { EdgeMarkers, edgeMarkers } from './EdgeMarkers'
import { itemLabel, itemTitle } from './itemLabel'
import { NEW_TEXT_SIZE, SHEET_BOX, itemBox } from './geometry'
import { useSheetView } from './useSheetView'
import { useSheetPointer } from './useSheetPointer'
import type { Tool } from './useSheetPointer'
import { useFreshItems } from './useFreshItems'
import { useBoardKeys } from './useBoardKeys'

export type { Tool }
export interface Me { id: string; name: string }

export interface TableclothBoardProps {
  session: TableclothSession
  me: Me
  /** The round an item written now belongs to. */
  round: number
  canWrite: boolean
  /** Facilitators: may remove and restore anyone's item, and see the removed ones. */
  moderator?: boolean
  label: string
}

/** Set when a board that had the focus goes away (the table changed): the next board takes the focus. */
let focusForNextBoard = false
const NOTICE_MS = 6000

export function TableclothBoard({ session, me, round, canWrite, moderator = false, label }: TableclothBoardProps) {
  const { t } = useTranslation()
  const read = useItems(session, { includeRemoved: moderator })
  const { items, remember } = useFreshItems(read.items, session.doc, moderator)
  const presence = usePresence(session)
  const rootRef = useRef<HTMLDivElement>(null)
  const svgRef = useRef<SVGSVGElement>(null)
  const barRef = useRef<HTMLDivElement>(null)
  const [listMode, setListMode] = useState(false)
  const sheet = useSheetView(svgRef, !listMode)
  const [tool, setTool] = useState<Tool>('note')
  const [inkIndex, setInkIndex] = useState(0)
  const [earlier, setEarlier] = useState<Earlier>('show')
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [editingId, setEditingId] = useState<string | null>(null)
  const [livePath, setLivePath] = useState<number[] | null>(null)
  const [dragOffset, setDragOffset] = useState<{ id: string; dx: number; dy: number } | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  /** An item id, or "paper": what gets the focus after the next render. */
  const pendingFocus = useRef<string | null>(null)
  /** Focus given by the board itself does not select (selection follows the Tab key only). */
  const skipSelect = useRef<string | null>(null)
  const helpId = useId()
  const family = inkFamily(round)
  const ink = family.inks[inkIndex] ?? family.inks[0]
  const who = useMemo(() => ({ author: me.id, authorName: me.name, round }), [me.id, me.name, round])
  const origin = session.localOrigin
  const effectiveTool: Tool = canWrite ? tool : 'select'

  // Only one's own items are edited, moved or deleted (the server refuses the rest).
  const canEdit = (item: TableclothItem | undefined) => Boolean(item && canWrite && item.author === me.id)
  const canModerate = (item: TableclothItem | undefined) => Boolean(item && canWrite && moderator && item.author !== me.id)
  const canReact = (item: TableclothItem | undefined) => Boolean(item && canWrite && !item.removed)
  const atItemLimit = items.filter((i) => i.author === me.id && i.round === round).length >= TABLECLOTH_LIMITS.itemsPerPersonRound
  const myDots = items.reduce((n, i) => n + (i.votesBy[me.id] ?? 0), 0)
  const dotsLeft = Math.max(0, DOTS_PER_PERSON - myDots)
  const allBoxes = useMemo(() => items.map(itemBox), [items])
  const onSheet = useMemo(() => items.filter((i) => !(i.round < round && earlier === 'hide')).map((i) => ({ id: i.id, box: itemBox(i) })), [items, round, earlier])

  useEffect(() => {
    if (!notice) return
    const timer = setTimeout(() => setNotice(null), NOTICE_MS)
    return () => clearTimeout(timer)
  }, [notice])

  const setAwareness = (patch: Record<string, unknown>) => {
    const awareness = session.provider.awareness
    awareness.setLocalState({ ...(awareness.getLocalState() ?? {}), ...patch })
  }

  const itemElement = (id: string) => svgRef.current?.querySelector<SVGGElement>(`[data-item-id="${CSS.escape(id)}"]`) ?? null
  const focusItem = (id: string) => {
    const el = itemElement(id)
    if (!el) return
    skipSelect.current = id
    el.focus({ preventScroll: true })
    if (skipSelect.current === id) skipSelect.current = null
  }
  // After a render: the focus asked for (an item back from its editor, the paper after a deletion).
  useEffect(() => {
    const target = pendingFocus.current
    if (!target) return
    if (target === 'paper') { pendingFocus.current = null; svgRef.current?.focus({ preventScroll: true }); return }
    if (itemElement(target)) { pendingFocus.current = null; focusItem(target) }
  })
  // A new table (the board is remounted): the focus comes along if it was on the board.
  useLayoutEffect(() => {
    const root = rootRef.current
    const wanted = focusForNextBoard
    focusForNextBoard = false
    if (wanted && (document.activeElement === document.body || document.activeElement === null)) (svgRef.current ?? root?.querySelector('button'))?.focus({ preventScroll: true })
    return () => { if (root?.contains(document.activeElement)) focusForNextBoard = true }
  }, [])

  /** A new note or text block, in a free spot near `at` (sheet units), or near the middle of the view. */
  const create = (kind: 'note' | 'text', at: { x: number; y: number } | null): void => {
    if (!canWrite) return
    if (atItemLimit) { setNotice(refusalText(t, 'too-many-items')); return }
    const size = kind === 'note' ? NOTE_SIZE : NEW_TEXT_SIZE
    const visible = sheet.visible()
    const preferred = at
      ? (kind === 'note' ? { x: at.x - size.width / 2, y: at.y - 30 } : { x: at.x, y: at.y - 12 })
      : { x: visible.x + visible.width / 2 - size.width / 2, y: visible.y + visible.height / 2 - size.height / 2 }
    const spot = placeNote({ preferred, size, occupied: allBoxes, visible, bounds: SHEET_BOX })
    const stamp = { ...who, now: Date.now() }
    const id = kind === 'note'
      ? addNote(session.doc, stamp, { text: '', x: spot.x, y: spot.y, color: family.note }, origin)
      : addText(session.doc, stamp, { text: '', x: spot.x, y: spot.y, color: ink, size: 28 }, origin)
    // At once, so that the keys typed next land in the editor.
    flushSync(() => {
      remember(id)
      if (!spot.inView) sheet.bringIntoView({ ...spot, ...size })
      setSelectedId(id)
      setEditingId(id)
    })
    setAwareness({ writing: true })
  }

  const addFromList = (text: string): string => {
    const visible = sheet.visible()
    const spot = placeNote({ preferred: { x: visible.x + 24, y: visible.y + 24 }, size: NOTE_SIZE, occupied: allBoxes, visible, bounds: SHEET_BOX, order: 'rows' })
    const id = addNote(session.doc, { ...who, now: Date.now() }, { text, x: spot.x, y: spot.y, color: family.note }, origin)
    remember(id)
    return id
  }

  const startEdit = (item: TableclothItem) => {
    if (!canEdit(item) || item.kind === 'stroke') return
    flushSync(() => { setSelectedId(item.id); setEditingId(item.id) })
    setAwareness({ writing: true })
  }
  const vote = (item: TableclothItem, delta: 1 | -1) => {
    if (!canReact(item)) return
    if (delta === 1 && dotsLeft <= 0) { setNotice(t('board.noDotsLeft')); return }
    changeVote(session.doc, item.id, me.id, delta, origin)
  }
  const remove = (item: TableclothItem) => {
    deleteItem(session.doc, item.id, origin)
    setSelectedId(null)
    pendingFocus.current = 'paper'
  }
  const showItem = (id: string) => {
    const item = items.find((i) => i.id === id)
    if (!item) return
    flushSync(() => { sheet.bringIntoView(itemBox(item), { center: true }); setSelectedId(id) })
    focusItem(id)
  }
  const fitAll = () => {
    const all = union(onSheet.map((e) => e.box))
    sheet.fit(all ? { x: all.x - 16, y: all.y - 16, width: all.width + 32, height: all.height + 32 } : SHEET_BOX)
  }

  const pointer = useSheetPointer({
    svgRef, sheet, tool: effectiveTool, items, canEdit,
    onPick: (item) => { setSelectedId(item?.id ?? null); if (item) focusItem(item.id) },
    onDot: (item) => { vote(item, 1); setSelectedId(item.id); focusItem(item.id) },
    onCreate: create,
    onStroke: (points) => {
      if (atItemLimit) { setNotice(refusalText(t, 'too-many-items')); return }
      let minX = Infinity, minY = Infinity
      for (let i = 0; i < points.length; i += 3) { minX = Math.min(minX, points[i]!); minY = Math.min(minY, points[i + 1]!) }
      const rel = points.map((v, i) => (i % 3 === 0 ? Math.round((v - minX) * 10) / 10 : i % 3 === 1 ? Math.round((v - minY) * 10) / 10 : Math.round(v * 100) / 100))
      addStroke(session.doc, { ...who, now: Date.now() }, { points: rel, x: Math.round(minX), y: Math.round(minY), color: ink, width: 6 }, origin)
    },
    onMove: (id, x, y) => moveItem(session.doc, id, x, y, origin),
    setLivePath, setDragOffset, setAwareness,
  })

  const keys = useBoardKeys({
    session, me, items, canWrite, canEdit, canReact, sheet, selectedId, setSelectedId,
    create: (kind) => create(kind, null), startEdit, vote, remove, fit: fitAll,
    openBar: () => barRef.current?.querySelector<HTMLButtonElement>('button')?.focus(),
    pointerDown: pointer.pointerDown, skipSelect,
  })

  const shown = dragOffset ? items.map((i) => (i.id === dragOffset.id ? { ...i, x: i.x + dragOffset.dx, y: i.y + dragOffset.dy } : i)) : items
  const selected = items.find((i) => i.id === selectedId) ?? null
  const writing = presence.filter((p) => p.writing)
  // The bar under the sheet grew or shrank: the picked item stays in full view.
  const selectedBox = selected ? itemBox(selected) : null
  useEffect(() => { if (selectedBox) sheet.bringIntoView(selectedBox) }, [sheet.size.height]) // eslint-disable-line react-hooks/exhaustive-deps
  const markers = listMode || sheet.size.width === 0 ? [] : edgeMarkers(onSheet, sheet.view, sheet.size)
  const describe = (id: string) => { const item = items.find((i) => i.id === id); return item ? itemTitle(t, item) : '' }

  const editor = (item: TableclothItem) => (
    <TextEditor
      item={item}
      onChange={(text) => setItemText(session.doc, item.id, text, origin)}
      onDone={(how) => {
        setEditingId(null)
        setAwareness({ writing: false })
        // A note left empty is not kept.
        const text = (session.doc.getMap('items').get(item.id) as Y.Map<unknown> | undefined)?.get('text')
        const empty = text !== undefined && String(text).trim() === ''
        if (empty) { deleteItem(session.doc, item.id, origin); setSelectedId(null) }
        if (how === 'keyboard') pendingFocus.current = empty ? 'paper' : item.id
      }}
    />
  )
  const itemProps = (item: TableclothItem): React.SVGProps<SVGGElement> => ({
    tabIndex: 0,
    role: 'group',
    'aria-label': itemLabel(t, item, me.id),
    'aria-describedby': `${helpId}-keys`,
    onFocus: (e) => keys.onItemFocus(e, item),
    onKeyDown: (e) => keys.onItemKey(e, item),
  })

  const toolbar = (
    <BoardToolbar
      tool={tool} setTool={setTool} canWrite={canWrite} family={family} inkIndex={inkIndex} setInkIndex={setInkIndex}
      earlier={earlier} setEarlier={setEarlier} listMode={listMode} setListMode={(on) => { setSelectedId(null); setEditingId(null); setListMode(on) }}
      onUndo={() => session.undoManager.undo()} onRedo={() => session.undoManager.redo()} zoomBy={(f) => sheet.zoomBy(f)} onFit={fitAll}
      dotsLeft={dotsLeft} writing={writing} round={round}
    />
  )
  const noticeEl = notice ? <p className="board-limit" role="alert">{notice}</p> : null

  if (listMode) {
    return (
      <div className="board board-list" ref={rootRef}>
        {toolbar}
        {noticeEl}
        <ItemList items={items} me={me} round={round} canWrite={canWrite} moderator={moderator} session={session} earlier={earlier} addNote={addFromList} />
      </div>
    )
  }

  const hint = editingId
    ? t('board.hintEditing')
    : <><span className="hint-touch">{t(canWrite ? 'board.hintTouch' : 'board.hintRead')}</span><span className="hint-keys">{t(canWrite ? 'board.hintKeys' : 'board.hintRead')}</span></>
  return (
    <div className="board" ref={rootRef}>
      {toolbar}
      {noticeEl}
      <div className="board-canvas">
        <div className="sheet-wrap">
          <svg
            ref={svgRef}
            className={`sheet tool-${effectiveTool}`}
            role="group"
            aria-label={label}
            aria-describedby={`${helpId}-paper`}
            tabIndex={0}
            onMouseDown={pointer.onMouseDown}
            onPointerDown={pointer.onPointerDown}
            onPointerMove={pointer.onPointerMove}
            onPointerUp={pointer.onPointerUp}
            onPointerCancel={pointer.onPointerUp}
            onPointerLeave={() => setAwareness({ cursor: null })}
            onWheel={pointer.onWheel}
            onKeyDown={keys.onPaperKey}
          >
            <defs>
              <pattern id="paper-grain" width="48" height="48" patternUnits="userSpaceOnUse">
                <rect width="48" height="48" fill="#fbf8f1" />
                <path d="M0 47.5H48M47.5 0V48" stroke="#efe7d6" strokeWidth="1" />
              </pattern>
            </defs>
            <g transform={`translate(${sheet.view.x} ${sheet.view.y}) scale(${sheet.view.k})`}>
              <rect width={SHEET_BOX.width} height={SHEET_BOX.height} fill="url(#paper-grain)" className="paper" />
              <ItemsLayer items={shown} currentRound={round} earlier={earlier} selectedId={selectedId} editingId={editingId} renderEditor={editor} itemProps={itemProps} />
              {livePath && <path d={strokePath(livePath, 6)} fill={ink} />}
              {presence.filter((p) => p.cursor).map((p) => (
                <g key={p.clientId} transform={`translate(${p.cursor!.x} ${p.cursor!.y}) scale(${1 / sheet.view.k})`} className="cursor" pointerEvents="none" aria-hidden="true">
                  <path d="M0 0 L0 16 L4.5 12 L8 19 L10.5 18 L7 11 L13 11 Z" fill={personColor(p.userId)} stroke="#fff" strokeWidth="1.2" />
                  <text x={14} y={26} fontSize={13} fill={personColor(p.userId)} fontWeight={600}>{p.name}{p.writing ? ' ✎' : ''}</text>
                </g>
              ))}
            </g>
          </svg>
          <EdgeMarkers markers={markers} describe={describe} onShow={showItem} />
        </div>
        <ItemBar
          ref={barRef}
          item={selected && !editingId ? selected : null}
          meId={me.id}
          canEdit={canEdit(selected ?? undefined)}
          canModerate={canModerate(selected ?? undefined)}
          canReact={canReact(selected ?? undefined)}
          dotsLeft={dotsLeft}
          hint={hint}
          onEdit={() => selected && startEdit(selected)}
          onDelete={() => selected && remove(selected)}
          onStar={() => selected && toggleStar(session.doc, selected.id, me.id, origin)}
          onVote={(d) => selected && vote(selected, d)}
          onRemove={() => selected && removeItem(session.doc, selected.id, me.id, Date.now(), origin)}
          onRestore={() => selected && unremoveItem(session.doc, selected.id, origin)}
          onClose={() => { const id = selectedId; setSelectedId(null); if (id) focusItem(id) }}
          onBack={() => { if (selectedId) focusItem(selectedId) }}
        />
      </div>
      <p id={`${helpId}-paper`} className="sr-only">{t(canWrite ? 'board.paperHelp' : 'board.paperHelpRead')}</p>
      <p id={`${helpId}-keys`} className="sr-only">{t(canWrite ? 'board.itemKeys' : 'board.itemKeysRead')}</p>
    </div>
  )
}
