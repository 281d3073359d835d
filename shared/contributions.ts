/**
 * What the tables wrote, as one flat list with provenance: the unit of the harvest board, the CSV and
 * the synthesis. Notes and text blocks are one contribution each; a person's pen strokes on one
 * tablecloth in one round make one drawing.
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
  stars: number
  votes: number
  createdAt: number
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
): Contribution[] {
  const who = new Map(people.map((p) => [p.id, p]))
  const tableName = new Map(def.tables.map((t) => [t.id, t.name]))
  const questionIndex = new Map(def.questions.map((q, i) => [q.id, i]))
  const tableIndex = new Map(def.tables.map((t, i) => [t.id, i]))
  const out: Contribution[] = []
  for (const cloth of tablecloths) {
    const drawings = new Map<string, Contribution>()
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
    out.push(...drawings.values())
  }
  const qi = (c: Contribution) => questionIndex.get(c.questionId) ?? Number.MAX_SAFE_INTEGER
  const ti = (c: Contribution) => tableIndex.get(c.tableId) ?? Number.MAX_SAFE_INTEGER
  return out.sort((a, b) => qi(a) - qi(b) || ti(a) - ti(b) || a.round - b.round || a.createdAt - b.createdAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}
