/**
 * One row per contribution, for spreadsheets (the CSV here, the XLSX in xlsx.ts, from the same rows):
 * UTF-8 with a byte-order mark (so Excel reads the accents), RFC 4180 quoting, CRLF line ends, headers in
 * the café's language, and the separator of that language's Excel: `;` for French (where `,` is the
 * decimal comma), `,` for English. Dates are local wall-clock time in the server's time zone, written
 * the way that Excel reads as a date: `09/12/2011 14:30:00` in French, `2011-12-09 14:30:00` in English.
 * A cell that a spreadsheet would take for a formula (starting with = + - @, a tab or a carriage return)
 * gets a leading apostrophe, so a note can never run as one.
 */
import type { Language } from '../../shared/cafe'
import type { Contribution, ContributionKind } from '../../shared/contributions'
import type { HarvestState } from '../../shared/harvest'
import { filingOf, resolveMerge } from '../../shared/harvest'

export const COLUMNS = ['cafe', 'table', 'question', 'round', 'author', 'organisation', 'sector', 'kind', 'text', 'theme', 'keyPoint', 'mergedInto', 'stars', 'votes', 'createdAt'] as const
export type Column = (typeof COLUMNS)[number]

export const HEADERS: Record<Language, Record<Column, string>> = {
  fr: {
    cafe: 'café', table: 'table', question: 'question', round: 'tour', author: 'auteur', organisation: 'organisation', sector: 'secteur',
    kind: 'type', text: 'texte', theme: 'thème', keyPoint: 'point clé', mergedInto: 'fusionné avec', stars: 'étoiles', votes: 'votes', createdAt: 'créé le',
  },
  en: {
    cafe: 'café', table: 'table', question: 'question', round: 'round', author: 'author', organisation: 'organisation', sector: 'sector',
    kind: 'kind', text: 'text', theme: 'theme', keyPoint: 'key point', mergedInto: 'merged into', stars: 'stars', votes: 'votes', createdAt: 'created at',
  },
}
export const KINDS: Record<Language, Record<ContributionKind, string>> = {
  fr: { note: 'note', text: 'texte', drawing: 'dessin' },
  en: { note: 'note', text: 'text', drawing: 'drawing' },
}
const YES_NO: Record<Language, [string, string]> = { fr: ['oui', 'non'], en: ['yes', 'no'] }
export const CSV_SEPARATOR: Record<Language, ';' | ','> = { fr: ';', en: ',' }

export const CSV_BOM = '\uFEFF'

/** The time zone exports write local times in: the server's (`TZ`), where the café is run. */
export const exportTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone

export interface WallClock { year: number; month: number; day: number; hour: number; minute: number; second: number }

const clocks = new Map<string, Intl.DateTimeFormat>()
/** Offset of the zone from UTC (ms) per zone and quarter of an hour: zones change offset on quarter hours only. */
const offsets = new Map<string, number>()
const QUARTER_MS = 15 * 60_000

function offsetAt(ms: number, timeZone: string): number {
  const quarter = Math.floor(ms / QUARTER_MS) * QUARTER_MS
  const key = `${timeZone}|${quarter}`
  let offset = offsets.get(key)
  if (offset === undefined) {
    let f = clocks.get(timeZone)
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' })
      clocks.set(timeZone, f)
    }
    const p: Record<string, string> = {}
    for (const part of f.formatToParts(new Date(quarter))) p[part.type] = part.value
    const year = p.era === 'BC' || p.era === 'B' ? 1 - Number(p.year) : Number(p.year)
    const wall = new Date(0)
    wall.setUTCFullYear(year, Number(p.month) - 1, Number(p.day))
    wall.setUTCHours(Number(p.hour), Number(p.minute), Number(p.second), 0)
    offset = wall.getTime() - quarter
    if (offsets.size >= 10_000) offsets.clear()
    offsets.set(key, offset)
  }
  return offset
}

/** The date and time a clock on the wall showed at `ms` in `timeZone`. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const d = new Date(ms + offsetAt(ms, timeZone))
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() }
}

const two = (n: number) => String(n).padStart(2, '0')
/** `09/12/2011 14:30:00` (fr) or `2011-12-09 14:30:00` (en): what Excel takes for a date in that language. */
export function csvDate(ms: number, language: Language, timeZone: string): string {
  const c = wallClock(ms, timeZone)
  const time = `${two(c.hour)}:${two(c.minute)}:${two(c.second)}`
  return language === 'fr' ? `${two(c.day)}/${two(c.month)}/${c.year} ${time}` : `${c.year}-${two(c.month)}-${two(c.day)} ${time}`
}

/** One contribution with everything the spreadsheets show, typed. */
export interface ContributionRow {
  contribution: Contribution
  question: string
  questionIndex: number
  theme: string
  keyPoint: boolean
  /** The text (or, for a drawing, "drawing by <name>") of the contribution this duplicate was merged into. */
  mergedInto: string
}

export interface SheetInput {
  title: string
  language: Language
  questions: ReadonlyArray<{ id: string; text: string }>
  contributions: readonly Contribution[]
  harvest: HarvestState
}

export function contributionRows(p: SheetInput): ContributionRow[] {
  const question = new Map(p.questions.map((q, i) => [q.id, { text: q.text, index: i }]))
  const themes = new Map(p.harvest.themes.map((t) => [t.id, t.name]))
  const keyPoints = new Set(p.harvest.keyPoints)
  const byKey = new Map(p.contributions.map((c) => [c.key, c]))
  // Filed as the studio and the synthesis see it: a card filed under another question's theme by
  // mistake (before filing was checked) is unsorted, unless it was moved there on purpose.
  const filed = filingOf(p.harvest)
  const label = (c: Contribution) => (c.kind === 'drawing' ? `${KINDS[p.language].drawing} (${c.authorName})` : c.text)
  return p.contributions.map((c) => {
    // A merged duplicate belongs to the theme of the contribution it joined, and shares its key point.
    const root = p.harvest.merges[c.key] !== undefined ? resolveMerge(p.harvest.merges, c.key) : c.key
    const joined = byKey.get(root)
    const themeId = filed(c) ?? (joined ? filed(joined) : null)
    const into = root !== c.key ? byKey.get(root) : undefined
    return {
      contribution: c,
      question: question.get(c.questionId)?.text ?? c.questionId,
      questionIndex: question.get(c.questionId)?.index ?? -1,
      theme: themeId !== null ? themes.get(themeId) ?? '' : '',
      keyPoint: keyPoints.has(c.key) || keyPoints.has(root),
      mergedInto: into ? label(into) : '',
    }
  })
}

export function csvCell(value: string | number, separator: string = ','): string {
  let s = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n;]/.test(s) || s.includes(separator) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s
}

export function contributionsCsv(p: SheetInput & { timeZone: string }): string {
  const sep = CSV_SEPARATOR[p.language]
  const [yes, no] = YES_NO[p.language]
  const rows: Array<Array<string | number>> = [COLUMNS.map((c) => HEADERS[p.language][c])]
  for (const r of contributionRows(p)) {
    const c = r.contribution
    rows.push([
      p.title, c.tableName, r.question, c.round, c.authorName, c.organisation ?? '', c.sector ?? '', KINDS[p.language][c.kind], c.text,
      r.theme, r.keyPoint ? yes : no, r.mergedInto, c.stars, c.votes, csvDate(c.createdAt, p.language, p.timeZone),
    ])
  }
  return CSV_BOM + rows.map((r) => r.map((v) => csvCell(v, sep)).join(sep)).join('\r\n') + '\r\n'
}
