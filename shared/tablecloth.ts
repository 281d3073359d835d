/**
 * The content model of a paper tablecloth: one Y.Doc per (café, table, question).
 *
 *   meta  : Y.Map   { schemaVersion: 1, cafeId, tableId, questionId }
 *   items : Y.Map<itemId, Y.Map> where every item has
 *           kind ('note' | 'text' | 'stroke'), author (participant id, or "facilitator"), authorName,
 *           round (1-based round it was written in), createdAt (ms since epoch), x, y, color,
 *           stars: Y.Map<participantId, true>, votes: Y.Map<participantId, number>
 *     note   : text (Y.Text)  a sticky note at (x, y)
 *     text   : text (Y.Text), size  a free text block at (x, y)
 *     stroke : points (flat [x0, y0, p0, x1, y1, p1, ...] relative to (x, y), p = pressure), width
 *           removedBy, removedAt: set by a facilitator who removed the item (moderation); cleared to restore
 *   clients: Y.Map<yjsClientId, participantId>  written by the server only: who owns each Yjs client id
 *   late   : Y.Map<itemId, receivedAt>          written by the server only: words that came after their round closed
 *
 * Who may write what is decided by the server with `tableclothRules.ts`.
 * `round` is what lets later rounds draw earlier traces in another ink.
 */
import * as Y from 'yjs'
import { nanoid } from 'nanoid'

export const TABLECLOTH_SCHEMA_VERSION = 1

export const ITEM_KINDS = ['note', 'text', 'stroke'] as const
export type ItemKind = (typeof ITEM_KINDS)[number]

export const INK_COLORS = ['#1f2937', '#1d4ed8', '#b91c1c', '#15803d', '#7e22ce', '#c2410c'] as const
export const NOTE_COLORS = ['#fef08a', '#bbf7d0', '#bfdbfe', '#fbcfe8', '#fed7aa'] as const

/** A café, table or question id as it may appear in a document name (and in a café's paths): no dots. */
export const DOC_PART = /^[A-Za-z0-9_-]{1,40}$/

/** The café a document name belongs to (a tablecloth's or the harvest's: `<cafeId>.…`). */
export const cafeIdOfDocName = (name: string): string => name.split('.')[0] ?? name

/** `<cafeId>.<tableId>.<questionId>`: ids never contain dots. */
export function tableclothDocName(cafeId: string, tableId: string, questionId: string): string {
  return `${cafeId}.${tableId}.${questionId}`
}

export function parseDocName(name: string): { cafeId: string; tableId: string; questionId: string } | null {
  const parts = name.split('.')
  if (parts.length !== 3 || !parts.every((p) => DOC_PART.test(p))) return null
  const [cafeId, tableId, questionId] = parts as [string, string, string]
  return { cafeId, tableId, questionId }
}

export interface ItemBase {
  id: string
  author: string
  authorName: string
  round: number
  createdAt: number
  x: number
  y: number
  color: string
  stars: string[]
  votes: number
  /** participant id -> dots that person placed */
  votesBy: Record<string, number>
  /** When the words reached the server after their round was closed (late words), else absent. */
  lateAt?: number
  /** Set when a facilitator removed the item (kept, restorable). */
  removed?: { by: string; at: number }
}
export type TableclothItem =
  | (ItemBase & { kind: 'note'; text: string })
  | (ItemBase & { kind: 'text'; text: string; size: number })
  | (ItemBase & { kind: 'stroke'; points: number[]; width: number })

export interface Authorship { author: string; authorName: string; round: number; now: number }

export function itemsMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap('items')
}

/** Writes the meta block once; harmless when it is already there. */
export function initTablecloth(doc: Y.Doc, ids: { cafeId: string; tableId: string; questionId: string }): void {
  const meta = doc.getMap('meta')
  if (meta.get('schemaVersion') !== undefined) return
  doc.transact(() => {
    meta.set('schemaVersion', TABLECLOTH_SCHEMA_VERSION)
    meta.set('cafeId', ids.cafeId)
    meta.set('tableId', ids.tableId)
    meta.set('questionId', ids.questionId)
  })
}

function newItem(kind: ItemKind, who: Authorship, x: number, y: number, color: string): Y.Map<unknown> {
  const item = new Y.Map<unknown>()
  item.set('kind', kind)
  item.set('author', who.author)
  item.set('authorName', who.authorName)
  item.set('round', who.round)
  item.set('createdAt', who.now)
  item.set('x', x)
  item.set('y', y)
  item.set('color', color)
  item.set('stars', new Y.Map<boolean>())
  item.set('votes', new Y.Map<number>())
  return item
}

export function addNote(doc: Y.Doc, who: Authorship, p: { text: string; x: number; y: number; color?: string }, origin?: unknown): string {
  const id = nanoid(12)
  doc.transact(() => {
    const item = newItem('note', who, p.x, p.y, p.color ?? NOTE_COLORS[0])
    item.set('text', new Y.Text(p.text))
    itemsMap(doc).set(id, item)
  }, origin)
  return id
}

export function addText(doc: Y.Doc, who: Authorship, p: { text: string; x: number; y: number; color?: string; size?: number }, origin?: unknown): string {
  const id = nanoid(12)
  doc.transact(() => {
    const item = newItem('text', who, p.x, p.y, p.color ?? INK_COLORS[0])
    item.set('text', new Y.Text(p.text))
    item.set('size', p.size ?? 18)
    itemsMap(doc).set(id, item)
  }, origin)
  return id
}

export function addStroke(doc: Y.Doc, who: Authorship, p: { points: number[]; x: number; y: number; color?: string; width?: number }, origin?: unknown): string {
  const id = nanoid(12)
  doc.transact(() => {
    const item = newItem('stroke', who, p.x, p.y, p.color ?? INK_COLORS[0])
    item.set('points', p.points)
    item.set('width', p.width ?? 4)
    itemsMap(doc).set(id, item)
  }, origin)
  return id
}

function itemOf(doc: Y.Doc, id: string): Y.Map<unknown> | null {
  const item = itemsMap(doc).get(id)
  return item instanceof Y.Map ? item : null
}

/** Replaces a note's or text block's text, touching only the part that changed (so concurrent edits merge). */
export function setItemText(doc: Y.Doc, id: string, next: string, origin?: unknown): void {
  const text = itemOf(doc, id)?.get('text')
  if (!(text instanceof Y.Text) || text.toString() === next) return
  doc.transact(() => replaceText(text, next), origin)
}

/** Replaces a Y.Text's content, touching only the span that changed (concurrent edits elsewhere merge). */
export function replaceText(text: Y.Text, next: string): void {
  const prev = text.toString()
  if (prev === next) return
  let start = 0
  while (start < prev.length && start < next.length && prev[start] === next[start]) start++
  let endPrev = prev.length, endNext = next.length
  while (endPrev > start && endNext > start && prev[endPrev - 1] === next[endNext - 1]) { endPrev--; endNext-- }
  if (endPrev > start) text.delete(start, endPrev - start)
  if (endNext > start) text.insert(start, next.slice(start, endNext))
}

export function moveItem(doc: Y.Doc, id: string, x: number, y: number, origin?: unknown): void {
  const item = itemOf(doc, id)
  if (!item) return
  doc.transact(() => { item.set('x', Math.round(x)); item.set('y', Math.round(y)) }, origin)
}

export function toggleStar(doc: Y.Doc, id: string, participantId: string, origin?: unknown): void {
  const stars = itemOf(doc, id)?.get('stars')
  if (!(stars instanceof Y.Map)) return
  doc.transact(() => { if (stars.has(participantId)) stars.delete(participantId); else stars.set(participantId, true) }, origin)
}

/** Adds (delta 1) or takes back (delta -1) one of a participant's dots on an item. */
export function changeVote(doc: Y.Doc, id: string, participantId: string, delta: 1 | -1, origin?: unknown): void {
  const votes = itemOf(doc, id)?.get('votes')
  if (!(votes instanceof Y.Map)) return
  const mine = typeof votes.get(participantId) === 'number' ? (votes.get(participantId) as number) : 0
  const next = Math.max(0, mine + delta)
  doc.transact(() => { if (next === 0) votes.delete(participantId); else votes.set(participantId, next) }, origin)
}

export function deleteItem(doc: Y.Doc, id: string, origin?: unknown): void {
  doc.transact(() => itemsMap(doc).delete(id), origin)
}

/** Moderation: a facilitator takes an item off the tablecloth; it is kept, with who and when, and can be restored. */
export function removeItem(doc: Y.Doc, id: string, by: string, at: number, origin?: unknown): void {
  const item = itemOf(doc, id)
  if (!item) return
  doc.transact(() => { item.set('removedBy', by); item.set('removedAt', at) }, origin)
}

export function unremoveItem(doc: Y.Doc, id: string, origin?: unknown): void {
  const item = itemOf(doc, id)
  if (!item || item.get('removedBy') === undefined) return
  doc.transact(() => { item.delete('removedBy'); item.delete('removedAt') }, origin)
}

/** What readItems lets through, whatever a hand-made client wrote: valid dates, a sane area, bounded strokes. */
const MAX_TIME_MS = 8.64e15
const MAX_COORD = 100_000
const MAX_STROKE_NUMBERS = 60_000
const MAX_NAME_CHARS_READ = 200
const bounded = (v: unknown, min: number, max: number) => Math.min(max, Math.max(min, num(v)))
const num = (v: unknown, fallback = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback)
const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : v instanceof Y.Text ? v.toString() : fallback)

/** Colours end up in SVG attributes and exports: only #rgb / #rrggbb(aa) hex values pass. */
const colorOf = (v: unknown): string => (typeof v === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(v) ? v : INK_COLORS[0])

/**
 * A plain, validated snapshot of every item, oldest first. Malformed items are skipped, never thrown on.
 * Items a facilitator removed are left out unless `includeRemoved` (the console shows them, to restore).
 */
export function readItems(doc: Y.Doc, opts: { includeRemoved?: boolean } = {}): TableclothItem[] {
  const out: TableclothItem[] = []
  const late = doc.share.has('late') ? doc.getMap('late') : null
  itemsMap(doc).forEach((item, id) => {
    if (!(item instanceof Y.Map)) return
    const removedBy = item.get('removedBy')
    if (removedBy !== undefined && !opts.includeRemoved) return
    const stars = item.get('stars')
    const votes = item.get('votes')
    let voteTotal = 0
    const votesByPerson: Record<string, number> = {}
    if (votes instanceof Y.Map) votes.forEach((v, who) => { const n = Math.floor(num(v)); if (n > 0) { voteTotal += n; votesByPerson[who] = n } })
    const base: ItemBase = {
      id,
      author: str(item.get('author')),
      authorName: str(item.get('authorName')).slice(0, MAX_NAME_CHARS_READ),
      round: num(item.get('round'), 1),
      createdAt: bounded(item.get('createdAt'), 0, MAX_TIME_MS),
      x: bounded(item.get('x'), -MAX_COORD, MAX_COORD),
      y: bounded(item.get('y'), -MAX_COORD, MAX_COORD),
      color: colorOf(item.get('color')),
      stars: stars instanceof Y.Map ? [...stars.keys()].filter((k) => k !== '') : [],
      votes: voteTotal,
      votesBy: votesByPerson,
    }
    const lateAt = late?.get(id)
    if (typeof lateAt === 'number') base.lateAt = lateAt
    if (removedBy !== undefined) base.removed = { by: str(removedBy), at: bounded(item.get('removedAt'), 0, MAX_TIME_MS) }
    const kind = item.get('kind')
    if (kind === 'note') out.push({ ...base, kind, text: str(item.get('text')) })
    else if (kind === 'text') out.push({ ...base, kind, text: str(item.get('text')), size: num(item.get('size'), 18) })
    else if (kind === 'stroke') {
      const pts = item.get('points')
      out.push({ ...base, kind, points: Array.isArray(pts) ? pts.slice(0, MAX_STROKE_NUMBERS).filter((n): n is number => typeof n === 'number' && Number.isFinite(n)) : [], width: num(item.get('width'), 4) })
    }
  })
  return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
}

/** Writes an item back exactly as `readItems` gave it (same id, provenance, stars and dots): imports. */
export function restoreItem(doc: Y.Doc, item: TableclothItem, origin?: unknown): void {
  doc.transact(() => {
    const m = newItem(item.kind, { author: item.author, authorName: item.authorName, round: item.round, now: item.createdAt }, item.x, item.y, item.color)
    if (item.kind === 'stroke') {
      m.set('points', item.points)
      m.set('width', item.width)
    } else {
      m.set('text', new Y.Text(item.text))
      if (item.kind === 'text') m.set('size', item.size)
    }
    itemsMap(doc).set(item.id, m)
    // Nested maps can be read only once the item is in the document.
    const stars = m.get('stars') as Y.Map<boolean>
    const votes = m.get('votes') as Y.Map<number>
    for (const who of item.stars) stars.set(who, true)
    for (const [who, n] of Object.entries(item.votesBy)) if (n > 0) votes.set(who, n)
  }, origin)
}
