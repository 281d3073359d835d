/** The spreadsheets and every character, through the real server and its export threads. */
import ExcelJS from 'exceljs'
import { afterEach, describe, expect, it } from 'vitest'
import { buildArchive } from '../../server/export/archive'
import { contributionsOf } from '../../server/export/cafeData'
import { csvDate, exportTimeZone } from '../../server/export/csv'
import { frenchCafeData, FIXTURE_TEXTS } from '../fixtures/frenchCafe'
import { parseCsv } from '../helpers/csv'
import { pdfText, pdfTextRuns } from '../helpers/readBack'
import type { TestServer } from '../helpers/server'
import { startServer } from '../helpers/server'

let t: TestServer | null = null
afterEach(async () => { await t?.close(); t = null })

type Data = ReturnType<typeof frenchCafeData>

async function imported(url: string, data: Data) {
  const res = await fetch(`${url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(buildArchive(data)) })
  expect(res.status).toBe(201)
  const created = (await res.json()) as { id: string; facilitatorKey: string }
  return (format: string) => fetch(`${url}/api/cafes/${created.id}/export?format=${format}`, { headers: { authorization: `Bearer ${created.facilitatorKey}` } })
}

describe('spreadsheet exports', () => {
  it('XLSX: every contribution with its types, read back with exceljs', async () => {
    t = await startServer()
    const data = frenchCafeData()
    const res = await (await imported(t.url, data))('xlsx')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(res.headers.get('content-disposition')).toContain('world-cafe-assuetudes-2011-12-09-contributions.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(await res.arrayBuffer())
    expect(wb.worksheets).toHaveLength(1 + data.definition.questions.length)
    const ws = wb.worksheets[0]!
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['café', 'table', 'question', 'tour', 'auteur', 'organisation', 'secteur', 'type', 'texte', 'thème', 'point clé', 'fusionné avec', 'étoiles', 'votes', 'créé le'])
    expect(ws.rowCount - 1).toBe(contributionsOf(data).length)
    const texts: string[] = []
    ws.eachRow((row, n) => {
      if (n === 1) return
      expect(typeof row.getCell(4).value).toBe('number')
      expect(typeof row.getCell(11).value).toBe('boolean')
      expect(row.getCell(15).value).toBeInstanceOf(Date)
      if (row.getCell(9).value) texts.push(String(row.getCell(9).value))
    })
    expect(texts.sort()).toEqual([...FIXTURE_TEXTS].sort())
  })

  it('CSV of a French café: cut at semicolons, BOM kept, sector and key point, local dates', async () => {
    t = await startServer()
    const data = frenchCafeData()
    const res = await (await imported(t.url, data))('csv')
    const body = Buffer.from(await res.arrayBuffer())
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const rows = parseCsv(body.toString('utf8'), ';')
    expect(rows[0]).toHaveLength(15)
    expect(rows.slice(1)).toHaveLength(contributionsOf(data).length)
    const temps = rows.find((r) => r[8] === 'Le temps')!
    expect([temps[6], temps[10], temps[14]]).toEqual(['Aide à la jeunesse', 'oui', csvDate(data.tablecloths[0]!.items[0]!.createdAt, 'fr', exportTimeZone())])
  })

  it('PDF made on the export thread: emoji and CJK from a note (a key point, so bold) are there, set in the fallback fonts', async () => {
    t = await startServer()
    const data = frenchCafeData()
    const note = data.tablecloths[0]!.items[0]!
    if (note.kind !== 'stroke') note.text = 'Le temps ⏰ 👩‍💻 合作 협력'
    const exportOf = await imported(t.url, data)
    const pdf = Buffer.from(await (await exportOf('pdf')).arrayBuffer())
    const text = await pdfText(pdf)
    for (const s of ['⏰', '👩‍💻', '合作', '협력']) expect(text).toContain(s)
    const fonts = new Set((await pdfTextRuns(pdf)).map((r) => r.font))
    for (const f of ['NotoEmoji-Bold', 'NotoSansHans-Bold', 'NotoSansKR-Bold']) expect(fonts).toContain(f)
  }, 60_000)
})
