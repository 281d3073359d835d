/**
 * The paper tablecloth: a large sheet with pan and zoom (mouse, wheel, touch pinch), on which people add
 * sticky notes, write text anywhere and draw with a pen. Own items can be moved, edited and deleted;
 * undo and redo cover one's own changes only. Facilitators (moderator) also remove anyone's item by
 * marking it (kept, shown faded to them only, restorable), never by deleting it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type * as Y from 'yjs'
import { useTranslation } from 'react-i18next'
import type { TableclothItem } from '../../../shared/tablecloth'
import { addNote, addStroke, addText, changeVote, deleteItem, moveItem, removeItem, setItemText, toggleStar, unremoveItem } from '../../../shared/tablecloth'
import { TABLECLOTH_LIMITS } from '../../../shared/tableclothRules'
import type { TableclothSession } from '../transport/TableclothSession'
import { useItems } from '../hooks'
import { ItemsLayer, strokePath } from './ItemsLayer'
import { DOTS_PER_PERSON, NOTE_SIZE, SHEET, inkFamily } from './inks'
import { personColor, usePresence } from './usePresence'
import { ItemList } from './ItemList'
import { Icon } from '../components/Icon'
import { refusalText } from './refusalText'
import { CharCount } from './CharCount'
import type { IconName } from '../components/Icon'

export type Tool = 'select' | 'note' | 'text' | 'pen'
type View = { x: number; y: number; k: number }
type Gesture =
  | { kind: 'none' }
  | { kind: 'pan'; startX: number; startY: number; view: View; moved: boolean }
  | { kind: 'pinch'; dist: number; cx: number; cy: number; view: View }
  | { kind: 'draw'; points: number[] }
  | { kind: 'drag'; id: string; startX: number; startY: number; origX: number; origY: number; moved: boolean }
  | { kind: 'tap'; x: number; y: number; clientX: number; clientY: number }

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

const MIN_K = 0.15
const MAX_K = 4

export function TableclothBoard({ session, me, round, canWrite, moderator = false, label }: TableclothBoardProps) {
  const { t } = useTranslation()
  const { items } = useItems(session, { includeRemoved: moderator })
  const presence = usePresence(session)
  const svgRef = useRef<SVGSVGElement>(null)
  const [view, setView] = useState<View>({ x: 0, y: 0, k: 0.4 })
  const [tool, setTool] = useState<Tool>('note')
  const [inkIndex, setInkIndex] = useState(0)
  const [earlier, setEarlier] = useState<'show' | 'fade' | 'hide'>('show')
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [editingId, setEditingId] = useState<string | null>(null)
  const [livePath, setLivePath] = useState<number[] | null>(null)
  const [dragOffset, setDragOffset] = useState<{ id: string; dx: number; dy: number } | null>(null)
  const [listMode, setListMode] = useState(false)
  const gesture = useRef<Gesture>({ kind: 'none' })
  const pointers = useRef(new Map<number, { x: number; y: number }>())
  const family = inkFamily(round)
  const ink = family.inks[inkIndex] ?? family.inks[0]
  const who = useMemo(() => ({ author: me.id, authorName: me.name, round }), [me.id, me.name, round])
  const origin = session.localOrigin
  const effectiveTool: Tool = canWrite ? tool : 'select'

  // Fit the sheet's width to the screen once.
  useEffect(() => {
    const svg = svgRef.current
    if (!svg) return
    const { width, height } = svg.getBoundingClientRect()
    // Readable from the start: about 1200 × 800 sheet units on screen, the sheet's top-left corner in view.
    const k = clamp(Math.min(width / 1200, height / 800), 0.25, 1)
    const fits = SHEET.width * k <= width
    setView({ k, x: fits ? (width - SHEET.width * k) / 2 : 8, y: 8 })
  }, [listMode])

  const toSheet = useCallback((clientX: number, clientY: number) => {
    const rect = svgRef.current!.getBoundingClientRect()
    return { x: (clientX - rect.left - view.x) / view.k, y: (clientY - rect.top - view.y) / view.k }
  }, [view])

  // Only one's own items are edited, moved or deleted (the server refuses the rest).
  const canEdit = (item: TableclothItem | undefined) => Boolean(item && canWrite && item.author === me.id)
  const canModerate = (item: TableclothItem | undefined) => Boolean(item && canWrite && moderator && item.author !== me.id)
  const mineThisRound = items.filter((i) => i.author === me.id && i.round === round).length
  const atItemLimit = mineThisRound >= TABLECLOTH_LIMITS.itemsPerPersonRound
  const [limitHit, setLimitHit] = useState(false)
  const itemAt = (target: EventTarget | null): TableclothItem | undefined => {
    const el = (target as Element | null)?.closest?.('[data-item-id]')
    const id = el?.getAttribute('data-item-id')
    return id ? items.find((i) => i.id === id) : undefined
  }

  const setAwareness = (patch: Record<string, unknown>) => {
    const awareness = session.provider.awareness
    awareness.setLocalState({ ...(awareness.getLocalState() ?? {}), ...patch })
  }

  const onPointerDown = (e: React.PointerEvent<SVGSVGElement>) => {
    if (editingId && (e.target as Element).closest('textarea')) return
    if (editingId) setEditingId(null)
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY })
    svgRef.current?.setPointerCapture(e.pointerId)
    if (pointers.current.size === 2) {
      const [a, b] = [...pointers.current.values()] as [{ x: number; y: number }, { x: number; y: number }]
      gesture.current = { kind: 'pinch', dist: Math.hypot(a.x - b.x, a.y - b.y), cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2, view }
      setLivePath(null)
      return
    }
    const p = toSheet(e.clientX, e.clientY)
    const hit = itemAt(e.target)
    if (effectiveTool === 'pen' && e.button !== 1) {
      gesture.current = { kind: 'draw', points: [p.x, p.y, e.pressure || 0.5] }
      setLivePath([...gesture.current.points])
      setAwareness({ writing: true })
    } else if (hit && effectiveTool === 'select') {
      setSelectedId(hit.id)
      gesture.current = canEdit(hit) ? { kind: 'drag', id: hit.id, startX: p.x, startY: p.y, origX: hit.x, origY: hit.y, moved: false } : { kind: 'pan', startX: e.clientX, startY: e.clientY, view, moved: false }
    } else if ((effectiveTool === 'note' || effectiveTool === 'text') && !hit) {
      gesture.current = { kind: 'tap', x: p.x, y: p.y, clientX: e.clientX, clientY: e.clientY }
    } else {
      if (hit) setSelectedId(hit.id)
      else setSelectedId(null)
      gesture.current = { kind: 'pan', startX: e.clientX, startY: e.clientY, view, moved: false }
    }
  }

  const onPointerMove = (e: React.PointerEvent<SVGSVGElement>) => {
    const p = toSheet(e.clientX, e.clientY)
    setAwareness({ cursor: { x: Math.round(p.x), y: Math.round(p.y) } })
    if (!pointers.current.has(e.pointerId)) return
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY })
    const g = gesture.current
    if (g.kind === 'pinch' && pointers.current.size >= 2) {
      const [a, b] = [...pointers.current.values()] as [{ x: number; y: number }, { x: number; y: number }]
      const dist = Math.hypot(a.x - b.x, a.y - b.y)
      const cx = (a.x + b.x) / 2, cy = (a.y + b.y) / 2
      const rect = svgRef.current!.getBoundingClientRect()
      const k = clamp(g.view.k * (dist / Math.max(1, g.dist)), MIN_K, MAX_K)
      const sx = (g.cx - rect.left - g.view.x) / g.view.k, sy = (g.cy - rect.top - g.view.y) / g.view.k
      setView({ k, x: cx - rect.left - sx * k, y: cy - rect.top - sy * k })
    } else if (g.kind === 'pan') {
      const dx = e.clientX - g.startX, dy = e.clientY - g.startY
      if (Math.abs(dx) + Math.abs(dy) > 3) g.moved = true
      setView({ ...g.view, x: g.view.x + dx, y: g.view.y + dy })
    } else if (g.kind === 'draw') {
      g.points.push(p.x, p.y, e.pressure || 0.5)
      setLivePath([...g.points])
    } else if (g.kind === 'drag') {
      const dx = p.x - g.startX, dy = p.y - g.startY
      if (Math.abs(dx) + Math.abs(dy) > 2) g.moved = true
      setDragOffset({ id: g.id, dx, dy })
    } else if (g.kind === 'tap' && Math.hypot(e.clientX - g.clientX, e.clientY - g.clientY) > 8) {
      gesture.current = { kind: 'pan', startX: g.clientX, startY: g.clientY, view, moved: true }
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
      setLivePath(null)
      setAwareness({ writing: false })
      if (g.points.length >= 3 && atItemLimit) setLimitHit(true)
      else if (g.points.length >= 3) {
        let minX = Infinity, minY = Infinity
        for (let i = 0; i < g.points.length; i += 3) { minX = Math.min(minX, g.points[i]!); minY = Math.min(minY, g.points[i + 1]!) }
        const rel = g.points.map((v, i) => (i % 3 === 0 ? Math.round((v - minX) * 10) / 10 : i % 3 === 1 ? Math.round((v - minY) * 10) / 10 : Math.round(v * 100) / 100))
        addStroke(session.doc, { ...who, now: Date.now() }, { points: rel, x: Math.round(minX), y: Math.round(minY), color: ink, width: 6 }, origin)
      }
    } else if (g.kind === 'drag') {
      setDragOffset(null)
      if (g.moved) moveItem(session.doc, g.id, g.origX + (toSheet(e.clientX, e.clientY).x - g.startX), g.origY + (toSheet(e.clientX, e.clientY).y - g.startY), origin)
    } else if (g.kind === 'tap') {
      if (atItemLimit) { setLimitHit(true); return }
      const id = effectiveTool === 'note'
        ? addNote(session.doc, { ...who, now: Date.now() }, { text: '', x: Math.round(g.x - NOTE_SIZE.width / 2), y: Math.round(g.y - 30), color: family.note }, origin)
        : addText(session.doc, { ...who, now: Date.now() }, { text: '', x: Math.round(g.x), y: Math.round(g.y - 12), color: ink, size: 28 }, origin)
      setSelectedId(id)
      setEditingId(id)
      setAwareness({ writing: true })
    }
  }

  const onWheel = (e: React.WheelEvent<SVGSVGElement>) => {
    const rect = svgRef.current!.getBoundingClientRect()
    if (e.ctrlKey || e.metaKey || Math.abs(e.deltaY) > 0 && !e.shiftKey) {
      const k = clamp(view.k * Math.exp(-e.deltaY * 0.0015), MIN_K, MAX_K)
      const sx = (e.clientX - rect.left - view.x) / view.k, sy = (e.clientY - rect.top - view.y) / view.k
      setView({ k, x: e.clientX - rect.left - sx * k, y: e.clientY - rect.top - sy * k })
    } else {
      setView({ ...view, x: view.x - e.deltaX, y: view.y - e.deltaY })
    }
  }

  const zoomBy = (factor: number) => {
    const rect = svgRef.current!.getBoundingClientRect()
    const k = clamp(view.k * factor, MIN_K, MAX_K)
    const cx = rect.width / 2, cy = rect.height / 2
    const sx = (cx - view.x) / view.k, sy = (cy - view.y) / view.k
    setView({ k, x: cx - sx * k, y: cy - sy * k })
  }

  // Keyboard: undo/redo, delete, escape.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('textarea, input')) return
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') { e.preventDefault(); if (e.shiftKey) session.undoManager.redo(); else session.undoManager.undo() }
      else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'y') { e.preventDefault(); session.undoManager.redo() }
      else if ((e.key === 'Delete' || e.key === 'Backspace') && selectedId && canEdit(items.find((i) => i.id === selectedId))) { deleteItem(session.doc, selectedId, origin); setSelectedId(null) }
      else if (e.key === 'Escape') { setSelectedId(null); setEditingId(null) }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })

  const shown = dragOffset ? items.map((i) => (i.id === dragOffset.id ? { ...i, x: i.x + dragOffset.dx, y: i.y + dragOffset.dy } : i)) : items
  const selected = items.find((i) => i.id === selectedId)
  const myDots = items.reduce((n, i) => n + (i.votesBy[me.id] ?? 0), 0)
  const writing = presence.filter((p) => p.writing)

  const editor = (item: TableclothItem) => (
    <TextEditor
      item={item}
      onChange={(text) => setItemText(session.doc, item.id, text, origin)}
      onDone={() => {
        setEditingId(null)
        setAwareness({ writing: false })
        // A note left empty is not kept.
        const text = (session.doc.getMap('items').get(item.id) as Y.Map<unknown> | undefined)?.get('text')
        if (text !== undefined && String(text).trim() === '') deleteItem(session.doc, item.id, origin)
      }}
    />
  )
  const limitNotice = atItemLimit && limitHit ? <p className="board-limit" role="alert">{refusalText(t, 'too-many-items')}</p> : null

  if (listMode) {
    return (
      <div className="board board-list">
        <BoardToolbar {...{ t, tool, setTool, canWrite, ink, family, inkIndex, setInkIndex, earlier, setEarlier, listMode, setListMode, session, zoomBy, writing, myDots, round, label }} />
        <ItemList items={items} me={me} round={round} canWrite={canWrite} moderator={moderator} session={session} earlier={earlier} />
      </div>
    )
  }

  return (
    <div className="board">
      <BoardToolbar {...{ t, tool, setTool, canWrite, ink, family, inkIndex, setInkIndex, earlier, setEarlier, listMode, setListMode, session, zoomBy, writing, myDots, round, label }} />
      {limitNotice}
      <div className="sheet-wrap">
        <svg
          ref={svgRef}
          className={`sheet tool-${effectiveTool}`}
          role="img"
          aria-label={label}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
          onPointerLeave={() => setAwareness({ cursor: null })}
          onWheel={onWheel}
        >
          <defs>
            <pattern id="paper-grain" width="48" height="48" patternUnits="userSpaceOnUse">
              <rect width="48" height="48" fill="#fbf8f1" />
              <path d="M0 47.5H48M47.5 0V48" stroke="#efe7d6" strokeWidth="1" />
            </pattern>
          </defs>
          <g transform={`translate(${view.x} ${view.y}) scale(${view.k})`}>
            <rect width={SHEET.width} height={SHEET.height} fill="url(#paper-grain)" className="paper" />
            <ItemsLayer items={shown} currentRound={round} earlier={earlier} selectedId={selectedId} editingId={editingId} renderEditor={editor} />
            {livePath && <path d={strokePath(livePath, 6)} fill={ink} />}
            {presence.filter((p) => p.cursor).map((p) => (
              <g key={p.clientId} transform={`translate(${p.cursor!.x} ${p.cursor!.y}) scale(${1 / view.k})`} className="cursor" pointerEvents="none">
                <path d="M0 0 L0 16 L4.5 12 L8 19 L10.5 18 L7 11 L13 11 Z" fill={personColor(p.userId)} stroke="#fff" strokeWidth="1.2" />
                <text x={14} y={26} fontSize={13} fill={personColor(p.userId)} fontWeight={600}>{p.name}{p.writing ? ' ✎' : ''}</text>
              </g>
            ))}
          </g>
        </svg>
        {selected && !editingId && (
          <ItemActions
            item={selected}
            me={me}
            canEdit={canEdit(selected)}
            canModerate={canModerate(selected)}
            canReact={canWrite && !selected.removed}
            dotsLeft={DOTS_PER_PERSON - myDots}
            onEdit={() => setEditingId(selected.id)}
            onDelete={() => { deleteItem(session.doc, selected.id, origin); setSelectedId(null) }}
            onStar={() => toggleStar(session.doc, selected.id, me.id, origin)}
            onVote={(d) => changeVote(session.doc, selected.id, me.id, d, origin)}
            onRemove={() => removeItem(session.doc, selected.id, me.id, Date.now(), origin)}
            onRestore={() => unremoveItem(session.doc, selected.id, origin)}
            onClose={() => setSelectedId(null)}
          />
        )}
      </div>
    </div>
  )
}

interface ToolbarProps {
  t: (k: string, o?: Record<string, unknown>) => string
  tool: Tool; setTool(t: Tool): void; canWrite: boolean; ink: string; family: ReturnType<typeof inkFamily>
  inkIndex: number; setInkIndex(i: number): void; earlier: 'show' | 'fade' | 'hide'; setEarlier(e: 'show' | 'fade' | 'hide'): void
  listMode: boolean; setListMode(b: boolean): void; session: TableclothSession; zoomBy(f: number): void
  writing: Array<{ clientId: number; name: string }>; myDots: number; round: number; label: string
}

function BoardToolbar({ t, tool, setTool, canWrite, family, inkIndex, setInkIndex, earlier, setEarlier, listMode, setListMode, session, zoomBy, writing, myDots, round }: ToolbarProps) {
  const tools: Array<{ id: Tool; icon: IconName }> = [
    { id: 'select', icon: 'move' }, { id: 'note', icon: 'note' }, { id: 'text', icon: 'text' }, { id: 'pen', icon: 'pen' },
  ]
  const cycleEarlier = () => setEarlier(earlier === 'show' ? 'fade' : earlier === 'fade' ? 'hide' : 'show')
  return (
    <div className="board-toolbar" role="toolbar" aria-label={t('board.tools')}>
      {!listMode && canWrite && (
        <div className="tool-group">
          {tools.map((x) => (
            <button key={x.id} type="button" className={tool === x.id ? 'tool active' : 'tool'} aria-pressed={tool === x.id} onClick={() => setTool(x.id)} title={t(`board.tool.${x.id}`)}>
              <Icon name={x.icon} /><span className="tool-label">{t(`board.tool.${x.id}`)}</span>
            </button>
          ))}
        </div>
      )}
      {!listMode && canWrite && (
        <div className="tool-group inks" aria-label={t('board.ink', { round })}>
          {family.inks.map((c, i) => (
            <button key={c} type="button" className={inkIndex === i ? 'ink active' : 'ink'} style={{ background: c }} aria-pressed={inkIndex === i} aria-label={t('board.inkN', { n: i + 1 })} onClick={() => setInkIndex(i)} />
          ))}
        </div>
      )}
      {canWrite && (
        <div className="tool-group">
          <button type="button" className="tool" onClick={() => session.undoManager.undo()} title={t('board.undo')} aria-label={t('board.undo')}><Icon name="undo" /></button>
          <button type="button" className="tool" onClick={() => session.undoManager.redo()} title={t('board.redo')} aria-label={t('board.redo')}><Icon name="redo" /></button>
        </div>
      )}
      <div className="tool-group">
        {round > 1 && <button type="button" className="tool" onClick={cycleEarlier} aria-label={t(`board.earlier.${earlier}`)} title={t(`board.earlier.${earlier}`)}>{earlier === 'show' ? '◐' : earlier === 'fade' ? '○' : '●'}<span className="tool-label">{t(`board.earlier.${earlier}`)}</span></button>}
        {!listMode && <button type="button" className="tool" onClick={() => zoomBy(1 / 1.25)} aria-label={t('board.zoomOut')}>−</button>}
        {!listMode && <button type="button" className="tool" onClick={() => zoomBy(1.25)} aria-label={t('board.zoomIn')}>+</button>}
        <button type="button" className={listMode ? 'tool active' : 'tool'} aria-pressed={listMode} onClick={() => setListMode(!listMode)}><Icon name="list" /><span className="tool-label">{t('board.listView')}</span></button>
      </div>
      {canWrite && <span className="dots-left" title={t('board.dotsHelp')}>{t('board.dotsLeft', { count: Math.max(0, DOTS_PER_PERSON - myDots) })}</span>}
      {writing.length > 0 && <span className="writing-now" aria-live="polite">✎ {writing.map((w) => w.name).join(', ')}</span>}
    </div>
  )
}

function ItemActions({ item, canEdit, canModerate, canReact, dotsLeft, me, onEdit, onDelete, onStar, onVote, onRemove, onRestore, onClose }: {
  item: TableclothItem; canEdit: boolean; canModerate: boolean; canReact: boolean; dotsLeft: number; me: Me
  onEdit(): void; onDelete(): void; onStar(): void; onVote(d: 1 | -1): void; onRemove(): void; onRestore(): void; onClose(): void
}) {
  const { t, i18n } = useTranslation()
  const starred = item.stars.includes(me.id)
  const mine = item.votesBy[me.id] ?? 0
  const fmt = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' })
  const time = fmt.format(item.createdAt)
  return (
    <div className="item-actions" role="dialog" aria-label={t('board.itemActions')}>
      <div className="item-meta">
        <strong>{item.authorName || t('board.unknownAuthor')}</strong> · {t('board.roundN', { n: item.round })} · {time}
        {item.removed && <> · <span className="removed-info">{t('board.removedBy', { time: fmt.format(item.removed.at) })}</span></>}
      </div>
      <div className="item-buttons">
        {canReact && <button type="button" onClick={onStar} aria-pressed={starred}>{starred ? '★' : '☆'} {t('board.star')}</button>}
        {canReact && <button type="button" onClick={() => onVote(1)} disabled={dotsLeft <= 0}>● +1</button>}
        {canReact && mine > 0 && <button type="button" onClick={() => onVote(-1)}>● −1</button>}
        {canEdit && item.kind !== 'stroke' && <button type="button" onClick={onEdit}>{t('board.edit')}</button>}
        {canEdit && <button type="button" className="danger" onClick={onDelete}>{t('board.delete')}</button>}
        {canModerate && !item.removed && <button type="button" className="danger" onClick={onRemove} title={t('board.removeLabel')}>{t('board.remove')}</button>}
        {canModerate && item.removed && <button type="button" onClick={onRestore} title={t('board.restoreLabel')}>{t('board.restore')}</button>}
        <button type="button" onClick={onClose} aria-label={t('common.close')}>✕</button>
      </div>
    </div>
  )
}

/** The in-place editor of a note or text block: stops at the server's length, with a counter near it. */
function TextEditor({ item, onChange, onDone }: { item: TableclothItem; onChange(text: string): void; onDone(): void }) {
  const { t } = useTranslation()
  const initial = 'text' in item ? item.text : ''
  const [length, setLength] = useState(initial.length)
  const max = TABLECLOTH_LIMITS.textChars
  return (
    <div className="editor-wrap">
      <textarea
        className={item.kind === 'note' ? 'note-editor' : 'text-editor'}
        autoFocus
        aria-label={t('board.editText')}
        defaultValue={initial}
        maxLength={max}
        style={item.kind === 'text' ? { color: item.color, fontSize: (item as { size: number }).size } : undefined}
        onChange={(e) => { setLength(e.target.value.length); onChange(e.target.value) }}
        onKeyDown={(e) => { if (e.key === 'Escape' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) (e.target as HTMLTextAreaElement).blur() }}
        onBlur={onDone}
        onPointerDown={(e) => e.stopPropagation()}
      />
      <CharCount length={length} />
    </div>
  )
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
