/**
 * One row per contribution, for spreadsheets: UTF-8 with a byte-order mark (so Excel reads the accents),
 * RFC 4180 quoting, CRLF line ends, headers in the café's language. A cell that a spreadsheet would take
 * for a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, so a
 * note can never run as one.
 */
import type { Language } from '../../shared/cafe'
import type { Contribution, ContributionKind } from '../../shared/contributions'
import type { HarvestState } from '../../shared/harvest'
import { resolveMerge } from '../../shared/harvest'

const HEADERS: Record<Language, string[]> = {
  fr: ['café', 'table', 'question', 'tour', 'auteur', 'organisation', 'type', 'texte', 'thème', 'étoiles', 'votes', 'créé le'],
  en: ['café', 'table', 'question', 'round', 'author', 'organisation', 'kind', 'text', 'theme', 'stars', 'votes', 'created at'],
}
const KINDS: Record<Language, Record<ContributionKind, string>> = {
  fr: { note: 'note', text: 'texte', drawing: 'dessin' },
  en: { note: 'note', text: 'text', drawing: 'drawing' },
}

export const CSV_BOM = '\uFEFF'

export function csvCell(value: string | number): string {
  let s = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n;]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s
}

export function contributionsCsv(p: {
  title: string
  language: Language
  questions: ReadonlyArray<{ id: string; text: string }>
  contributions: readonly Contribution[]
  harvest: HarvestState
}): string {
  const question = new Map(p.questions.map((q) => [q.id, q.text]))
  const themes = new Map(p.harvest.themes.map((t) => [t.id, t.name]))
  // A merged duplicate belongs to the theme of the contribution it joined.
  const themeOf = (key: string) => {
    const id = p.harvest.placements[key] ?? p.harvest.placements[resolveMerge(p.harvest.merges, key)]
    return id !== undefined ? themes.get(id) ?? '' : ''
  }
  const rows: Array<Array<string | number>> = [HEADERS[p.language]]
  for (const c of p.contributions) {
    rows.push([
      p.title, c.tableName, question.get(c.questionId) ?? c.questionId, c.round, c.authorName, c.organisation ?? '',
      KINDS[p.language][c.kind], c.text, themeOf(c.key), c.stars, c.votes, new Date(c.createdAt).toISOString(),
    ])
  }
  return CSV_BOM + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
