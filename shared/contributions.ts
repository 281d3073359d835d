/**
 * What the tables wrote, as one flat list with provenance: the unit of the harvest board, the CSV and
 * the synthesis. Notes and text blocks are one contribution each; a person's pen strokes on one
 * tablecloth in one round make one drawing, which carries a light copy of its strokes for a thumbnail.
 * Contributions typed from a photo of a paper tablecloth (`transcriptions.ts`) join them here.
 */
import type { CafeDefinition } from './cafe'
import type { TableclothItem } from './tablecloth'

export const CONTRIBUTION_KINDS = ['note', 'text', 'drawing'] as const
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number]

export interface Contribution {
  /** `<tableId>:<questionId>:<itemId>` (drawings: `<tableId>:<questionId>:drawing:<round>:<authorId>`) */
  key: string
  tableId: string
  tableName: string
  questionId: string
  round: number
  authorId: string
  authorName: string
  organisation: string | null
  sector: string | null
  kind: ContributionKind
  /** The words (empty for drawings). */
  text: string
  /** Drawings: how many strokes. */
  strokes: number
  /** Drawings: the strokes, simplified (see `DRAWING_POINTS`), for a thumbnail. */
  drawing?: DrawingShape
  /** Typed from this photo of a paper tablecloth (author "photo"). */
  photoId?: string
  stars: number
  votes: number
  createdAt: number
}

/** Points (x, y pairs) a drawing's thumbnail keeps, all strokes together; and strokes at most. */
export const DRAWING_POINTS = 240
export const DRAWING_STROKES = 60

/**
 * A drawing's strokes in tablecloth coordinates, rounded to whole units: each stroke a flat
 * `[x0, y0, x1, y1, ...]` with its width and colour, and the box around them all.
 */
export interface DrawingShape {
  strokes: Array<{ points: number[]; width: number; color: string }>
  box: [number, number, number, number]
}

type Stroke = Extract<TableclothItem, { kind: 'stroke' }>

/**
 * The strokes of one drawing, bounded: at most DRAWING_STROKES strokes, and about DRAWING_POINTS points
 * in all (every k-th point of each stroke and its last; so at most DRAWING_POINTS + 2 per stroke).
 * Colours are kept only when they are plain #hex colours.
 */
export function drawingShape(strokes: readonly Stroke[]): DrawingShape {
  const kept = strokes.slice(0, DRAWING_STROKES)
  const total = kept.reduce((n, s) => n + Math.floor(s.points.length / 3), 0)
  const step = Math.max(1, Math.ceil(total / DRAWING_POINTS))
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity]
  const out: DrawingShape['strokes'] = []
  for (const s of kept) {
    const n = Math.floor(s.points.length / 3)
    if (n === 0) continue
    const ox = Number.isFinite(s.x) ? s.x : 0, oy = Number.isFinite(s.y) ? s.y : 0
    const idx: number[] = []
    for (let i = 0; i < n; i += step) idx.push(i)
    if (idx[idx.length - 1] !== n - 1) idx.push(n - 1)
    const flat: number[] = []
    for (const i of idx) {
      const x = Math.round(ox + (s.points[i * 3] ?? 0)), y = Math.round(oy + (s.points[i * 3 + 1] ?? 0))
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue
      flat.push(x, y)
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y)
    }
    if (flat.length > 0) out.push({ points: flat, width: Math.min(80, Math.max(0.5, Number.isFinite(s.width) ? s.width : 4)), color: /^#[0-9a-fA-F]{3,8}$/.test(s.color) ? s.color : '#1f2937' })
  }
  return { strokes: out, box: out.length > 0 ? [x0, y0, x1, y1] : [0, 0, 0, 0] }
}

export interface ContributorInfo { id: string; organisation: string | null; sector: string | null }

export interface TableclothContent { tableId: string; questionId: string; items: readonly TableclothItem[] }

/**
 * Every contribution, ordered by question (as in the definition), table, round, then time. Notes left
 * empty are not contributions; nothing else is dropped.
 */
export function gatherContributions(
  def: CafeDefinition,
  people: readonly ContributorInfo[],
  tablecloths: readonly TableclothContent[],
  /** Contributions from elsewhere (typed from photos), sorted in with the others. */
  typed: readonly Contribution[] = [],
): Contribution[] {
  const who = new Map(people.map((p) => [p.id, p]))
  const tableName = new Map(def.tables.map((t) => [t.id, t.name]))
  const questionIndex = new Map(def.questions.map((q, i) => [q.id, i]))
  const tableIndex = new Map(def.tables.map((t, i) => [t.id, i]))
  const out: Contribution[] = []
  for (const cloth of tablecloths) {
    const drawings = new Map<string, Contribution>()
    const strokesOf = new Map<string, Stroke[]>()
    for (const item of cloth.items) {
      const person = who.get(item.author)
      const base = {
        tableId: cloth.tableId,
        tableName: tableName.get(cloth.tableId) ?? cloth.tableId,
        questionId: cloth.questionId,
        round: item.round,
        authorId: item.author,
        authorName: item.authorName,
        organisation: person?.organisation ?? null,
        sector: person?.sector ?? null,
      }
      if (item.kind === 'stroke') {
        const key = `${cloth.tableId}:${cloth.questionId}:drawing:${item.round}:${item.author}`
        const d = drawings.get(key)
        const list = strokesOf.get(key)
        if (list) list.push(item)
        else strokesOf.set(key, [item])
        if (d) {
          d.strokes++
          d.stars += item.stars.length
          d.votes += item.votes
          d.createdAt = Math.min(d.createdAt, item.createdAt)
        } else {
          drawings.set(key, { ...base, key, kind: 'drawing', text: '', strokes: 1, stars: item.stars.length, votes: item.votes, createdAt: item.createdAt })
        }
        continue
      }
      const text = item.text.trim()
      if (text === '') continue
      out.push({ ...base, key: `${cloth.tableId}:${cloth.questionId}:${item.id}`, kind: item.kind, text, strokes: 0, stars: item.stars.length, votes: item.votes, createdAt: item.createdAt })
    }
    for (const [key, d] of drawings) out.push({ ...d, drawing: drawingShape(strokesOf.get(key) ?? []) })
  }
  out.push(...typed)
  const qi = (c: Contribution) => questionIndex.get(c.questionId) ?? Number.MAX_SAFE_INTEGER
  const ti = (c: Contribution) => tableIndex.get(c.tableId) ?? Number.MAX_SAFE_INTEGER
  return out.sort((a, b) => qi(a) - qi(b) || ti(a) - ti(b) || a.round - b.round || a.createdAt - b.createdAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}
