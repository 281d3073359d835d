/**
 * The contributions as an Excel workbook (exceljs): a first sheet with all of them, then a sheet per
 * question. Real types: rounds, stars and votes are numbers, the key point a boolean (Excel shows it as
 * VRAI/FAUX or TRUE/FALSE in its own language), the creation time an Excel date in the server's time
 * zone (see csv.ts). Each sheet has a frozen, bold header row with filters. Every cell is a value, never
 * a formula: a note "=HYPERLINK(…)" is the text "=HYPERLINK(…)".
 */
import type { Language } from '../../shared/cafe'
import type { Column, ContributionRow, SheetInput } from './csv'
import { COLUMNS, HEADERS, KINDS, contributionRows, csvDate, wallClock } from './csv'

/** The first sheet (the same word in both languages); then "Q1 <question>", "Q2 <question>"… */
const ALL_SHEET = 'Contributions'
const DATE_FORMAT: Record<Language, string> = { fr: 'dd/mm/yyyy hh:mm', en: 'yyyy-mm-dd hh:mm' }
const WIDTHS: Record<Column, number> = {
  cafe: 24, table: 14, question: 36, round: 7, author: 18, organisation: 22, sector: 18, kind: 9, text: 60,
  theme: 22, keyPoint: 10, mergedInto: 30, stars: 8, votes: 8, createdAt: 18,
}
/** Excel's limits: 31 characters in a sheet name, none of these; 32,767 characters in a cell. */
const SHEET_NAME_MAX = 31
const CELL_MAX = 32_767
/** Excel dates run from 1900 to 9999; a time outside (a broken clock) is written as text. */
const EXCEL_MIN_MS = Date.UTC(1900, 2, 1)
const EXCEL_MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59)

/** Text as a cell takes it: no character XML forbids (Excel would refuse the file), at most 32,767 characters. */
export function cellText(text: string): string {
  const clean = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
  return clean.length <= CELL_MAX ? clean : `${clean.slice(0, CELL_MAX - 1).replace(/[\uD800-\uDBFF]$/, '')}\u2026`
}

/** A sheet name Excel accepts, unique in the workbook: "Q1 Pour quoi faire ?" → "Q1 Pour quoi faire". */
export function sheetName(prefix: string, text: string, taken: Set<string>): string {
  const base = `${prefix} ${text}`.replace(/[[\]:*?/\\\u0000-\u001F]+/g, ' ').replace(/\s+/g, ' ').replace(/^'+|'+$/g, '').trim()
  let name = Array.from(base).slice(0, SHEET_NAME_MAX).join('').trim() || prefix
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${Array.from(base).slice(0, SHEET_NAME_MAX - String(n).length - 1).join('').trim()} ${n}`
  taken.add(name.toLowerCase())
  return name
}

type CellValue = string | number | boolean | Date

function cells(r: ContributionRow, p: SheetInput, timeZone: string): Record<Column, CellValue> {
  const c = r.contribution
  let created: CellValue = csvDate(c.createdAt, p.language, timeZone)
  if (c.createdAt >= EXCEL_MIN_MS && c.createdAt <= EXCEL_MAX_MS) {
    // exceljs writes a Date's UTC fields: give it the wall-clock time of the café's zone as UTC.
    const w = wallClock(c.createdAt, timeZone)
    created = new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second))
  }
  return {
    cafe: cellText(p.title), table: cellText(c.tableName), question: cellText(r.question), round: c.round, author: cellText(c.authorName),
    organisation: cellText(c.organisation ?? ''), sector: cellText(c.sector ?? ''), kind: KINDS[p.language][c.kind], text: cellText(c.text),
    theme: cellText(r.theme), keyPoint: r.keyPoint, mergedInto: cellText(r.mergedInto), stars: c.stars, votes: c.votes, createdAt: created,
  }
}

export async function contributionsXlsx(p: SheetInput & { timeZone: string; createdAt: number }): Promise<Buffer> {
  // Loaded on first use: the export thread need not pay for it when nobody asks for a workbook.
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  wb.creator = 'Nappe'
  wb.title = cellText(p.title)
  wb.created = wb.modified = new Date(p.createdAt)
  const rows = contributionRows(p)
  const taken = new Set<string>()

  const addSheet = (name: string, columns: readonly Column[], list: ContributionRow[]) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] })
    ws.columns = columns.map((key) => ({
      key, header: HEADERS[p.language][key], width: WIDTHS[key],
      style: key === 'createdAt' ? { numFmt: DATE_FORMAT[p.language] } : key === 'text' || key === 'question' ? { alignment: { wrapText: true, vertical: 'top' } } : { alignment: { vertical: 'top' } },
    }))
    for (const r of list) {
      const all = cells(r, p, p.timeZone)
      ws.addRow(Object.fromEntries(columns.map((k) => [k, all[k]])))
    }
    const header = ws.getRow(1)
    header.font = { bold: true }
    header.alignment = { vertical: 'middle' }
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE5E7EB' } }
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } }
  }

  taken.add(ALL_SHEET.toLowerCase())
  addSheet(ALL_SHEET, COLUMNS, rows)
  const perQuestion = COLUMNS.filter((c) => c !== 'cafe' && c !== 'question')
  p.questions.forEach((q, i) => {
    addSheet(sheetName(`Q${i + 1}`, q.text, taken), perQuestion, rows.filter((r) => r.questionIndex === i))
  })
  return Buffer.from(await wb.xlsx.writeBuffer())
}
