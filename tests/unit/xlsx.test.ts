import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { contributionsOf } from '../../server/export/cafeData'
import { exportCafe } from '../../server/export/exporter'
import { contributionsXlsx, sheetName } from '../../server/export/xlsx'
import { frenchCafeData, FIXTURE_TEXTS } from '../fixtures/frenchCafe'

type Data = ReturnType<typeof frenchCafeData>

async function workbookOf(data: Data, timeZone = 'Europe/Brussels'): Promise<ExcelJS.Workbook> {
  const def = data.definition
  const body = await contributionsXlsx({ title: def.title, language: def.language, questions: def.questions, contributions: contributionsOf(data), harvest: data.harvest, timeZone, createdAt: data.createdAt })
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(body as unknown as ExcelJS.Buffer)
  return wb
}

/** The sheet as objects keyed by header, with the values exceljs read back (their types included). */
function records(ws: ExcelJS.Worksheet): Array<Record<string, ExcelJS.CellValue>> {
  const headers = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String)
  const out: Array<Record<string, ExcelJS.CellValue>> = []
  ws.eachRow((row, n) => {
    if (n === 1) return
    out.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i + 1).value])))
  })
  return out
}

describe('contributions XLSX', () => {
  it('one sheet with every contribution, real numbers, booleans and dates', async () => {
    const data = frenchCafeData()
    const wb = await workbookOf(data)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Contributions', 'Q1 Le travail en réseau. Pour q', 'Q2 Le travail en réseau. Avec q'])
    const all = records(wb.getWorksheet('Contributions')!)
    expect(all).toHaveLength(contributionsOf(data).length)
    expect(all.map((r) => r.texte).filter(Boolean).sort()).toEqual([...FIXTURE_TEXTS].sort())
    const temps = all.find((r) => r.texte === 'Le temps')!
    expect(temps).toMatchObject({
      table: 'Table 1', question: 'Le travail en réseau. Pour quoi faire ?', tour: 1, auteur: 'Amélie', organisation: 'AMO Rixensart', secteur: 'Aide à la jeunesse',
      type: 'note', thème: 'Les freins', 'point clé': true, étoiles: 2, votes: 3,
    })
    // 13:50:01 UTC is 14:50:01 in Brussels in December: the Excel date shows the room's clock.
    expect(temps['créé le']).toEqual(new Date(Date.UTC(2011, 11, 9, 14, 50, 1)))
    expect(all.find((r) => r.texte === 'Manque de temps pour se rencontrer')).toMatchObject({ thème: 'Les freins', 'point clé': true, 'fusionné avec': 'Le temps' })
    expect(all.find((r) => r.texte === 'L’argent, les moyens financiers')?.['point clé']).toBe(false)
    expect(all.filter((r) => r.type === 'dessin')).toHaveLength(1)
    const ws = wb.getWorksheet('Contributions')!
    expect(ws.getCell('O2').numFmt).toBe('dd/mm/yyyy hh:mm')
    expect(ws.getCell('O2').type).toBe(ExcelJS.ValueType.Date)
    expect(ws.getCell('D2').type).toBe(ExcelJS.ValueType.Number)
  })

  it('frozen header with filters, and a sheet per question with its own contributions', async () => {
    const data = frenchCafeData()
    const wb = await workbookOf(data)
    const byQuestion = contributionsOf(data).reduce<Record<string, number>>((n, c) => ({ ...n, [c.questionId]: (n[c.questionId] ?? 0) + 1 }), {})
    for (const [i, ws] of wb.worksheets.entries()) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
      expect(ws.getRow(1).font?.bold).toBe(true)
      expect(ws.autoFilter).toBeTruthy()
      if (i === 0) continue
      const rows = records(ws)
      expect(rows).toHaveLength(byQuestion[`q${i}`]!)
      expect(Object.keys(rows[0]!)).not.toContain('question')
    }
    expect(records(wb.worksheets[2]!).map((r) => r.texte)).toContain('Le jeune : le premier partenaire')
  })

  it('a note that looks like a formula is a string cell, never a formula; control characters cannot break the file', async () => {
    const data = frenchCafeData()
    const [first, second] = data.tablecloths[0]!.items
    if (first!.kind !== 'stroke') first!.text = '=HYPERLINK("http://evil","x")'
    if (second!.kind !== 'stroke') second!.text = 'collé\u000Bdepuis PowerPoint'
    const ws = (await workbookOf(data)).getWorksheet('Contributions')!
    let formulas = 0
    ws.eachRow((row) => row.eachCell((cell) => { if (cell.type === ExcelJS.ValueType.Formula) formulas++ }))
    expect(formulas).toBe(0)
    const cell = ws.getColumn(9).values.find((v) => typeof v === 'string' && v.includes('HYPERLINK'))
    expect(cell).toBe('=HYPERLINK("http://evil","x")')
    expect(ws.getColumn(9).values).toContain('collé\uFFFDdepuis PowerPoint')
  })

  it('an English café in English, a time out of Excel\'s range as text', async () => {
    const data = frenchCafeData()
    data.definition = { ...data.definition, language: 'en' }
    const note = data.tablecloths[0]!.items[0]!
    note.createdAt = 8.64e15
    const rows = records((await workbookOf(data, 'UTC')).getWorksheet('Contributions')!)
    expect(rows.find((r) => r.text === 'Le temps')).toMatchObject({ 'key point': true, round: 1, 'created at': '275760-09-13 00:00:00' })
  })

  it('the export and the zip carry it', async () => {
    const file = await exportCafe('xlsx', frenchCafeData())
    expect(file.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(file.filename).toBe('world-cafe-assuetudes-2011-12-09-contributions.xlsx')
    expect([...file.body.subarray(0, 2)]).toEqual([0x50, 0x4b])
  })

  it('sheet names Excel accepts: 31 characters, no []:*?/\\, unique', () => {
    const taken = new Set<string>()
    expect(sheetName('Q1', 'Pour quoi faire ? [tous/toutes]', taken)).toBe('Q1 Pour quoi faire tous toutes')
    const a = sheetName('Q2', 'x'.repeat(40), taken)
    const b = sheetName('Q2', 'x'.repeat(40), taken)
    expect(a).toHaveLength(31)
    expect(b).not.toBe(a)
    expect(b.length).toBeLessThanOrEqual(31)
  })
})
