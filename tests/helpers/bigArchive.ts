/**
 * A big café archive, generated: 40 tables, 4 questions and 4 rounds (classic), 500 people, and on
 * each of the 160 tablecloths 15 notes and `strokes` drawings of `points` points each, kept again in
 * the end-of-round snapshots. With the defaults it weighs about 25 MB of JSON and stays within what
 * an import accepts (items, stroke numbers).
 */
import type { CafeArchive } from '../../server/export/archive'
import { ARCHIVE_FORMAT, ARCHIVE_SCHEMA_VERSION } from '../../server/export/archive'
import type { CafeInput } from '../../shared/cafe'

const WORDS = 'temps argent partenaires réseau jeunes parents école confiance projet rencontre soutien motivation'.split(' ')
const T0 = Date.UTC(2024, 2, 14, 9, 0)

export function bigArchive(opts: { tables?: number; strokes?: number; points?: number; people?: number } = {}): CafeArchive {
  const tableCount = opts.tables ?? 40, strokeCount = opts.strokes ?? 16, pointCount = opts.points ?? 250, peopleCount = opts.people ?? 500
  const questions = [{ id: 'q1', text: 'Pour quoi faire ?' }, { id: 'q2', text: 'Avec qui ?' }, { id: 'q3', text: 'Comment ?' }, { id: 'q4', text: 'Et après ?' }]
  const tables = Array.from({ length: tableCount }, (_, i) => ({ id: `t${i + 1}`, name: `Table ${i + 1}`, capacity: 50 }))
  const definition: CafeInput = { title: 'Grand café', language: 'fr', shape: 'classic', tables, questions, roundMinutes: 20, transitionSeconds: 60, advance: 'auto' }
  const people = Array.from({ length: peopleCount }, (_, i) => ({
    id: `p${i + 1}`, displayName: `Personne ${i + 1}`, organisation: `Org ${i % 60}`, sector: ['École', 'Santé', 'Social'][i % 3]!, hostOf: null, joinedAt: T0 + i, leftAt: null,
  }))
  let n = 0
  const cloth = (tableId: string, round: number) => {
    const items: CafeArchive['tablecloths'][number]['items'] = []
    for (let i = 0; i < 15; i++) {
      const author = `p${(n % peopleCount) + 1}`
      items.push({ id: `n${n}`, kind: 'note', author, authorName: `Personne ${author.slice(1)}`, round, createdAt: T0 + n, x: (i % 5) * 210, y: Math.floor(i / 5) * 160, color: '#fef08a', stars: [], votes: 0, votesBy: {}, text: `${WORDS[n % 12]} et ${WORDS[(n * 7) % 12]} : une idée numéro ${n}` })
      n++
    }
    for (let s = 0; s < strokeCount; s++) {
      const author = `p${(n % peopleCount) + 1}`
      const points: number[] = []
      for (let p = 0; p < pointCount; p++) points.push(Math.round((p * 3.7 + s * 11) * 10) / 10, Math.round((Math.sin(p / 9 + s) * 80 + 500) * 10) / 10, 0.5)
      items.push({ id: `s${n}`, kind: 'stroke', author, authorName: `Personne ${author.slice(1)}`, round, createdAt: T0 + n, x: 40, y: 600 + s * 10, color: '#1d4ed8', stars: [], votes: 0, votesBy: {}, points, width: 4 })
      n++
    }
    return { tableId, questionId: questions[round - 1]!.id, items }
  }
  const tablecloths = questions.flatMap((_, r) => tables.map((t) => cloth(t.id, r + 1)))
  const history = questions.map(() => Object.fromEntries(people.map((p, i) => [p.id, tables[i % tableCount]!.id])))
  return {
    format: ARCHIVE_FORMAT,
    schemaVersion: ARCHIVE_SCHEMA_VERSION,
    cafe: { createdAt: T0, definition },
    participants: people,
    history,
    tablecloths,
    snapshots: tablecloths.map((t, i) => ({ ...t, round: Math.floor(i / tableCount) + 1, takenAt: T0 + (Math.floor(i / tableCount) + 1) * 21 * 60_000 })),
    harvest: { sections: [], themes: [], placements: {}, keyPoints: [], merges: {}, dismissed: [] },
    synthesis: [],
  }
}
