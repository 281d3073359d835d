/**
 * Golden tests of every export format, built from a French fixture café (tests/fixtures/frenchCafe.ts).
 * The Markdown must match tests/golden/synthese-fixture.md exactly (`UPDATE_GOLDEN=1` rewrites it after a
 * deliberate change; read the diff before committing it).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { strFromU8, unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { buildArchive } from '../../server/export/archive'
import { contributionsOf } from '../../server/export/cafeData'
import { exportCafe, tableclothImages } from '../../server/export/exporter'
import { parseMarkdown } from '../../shared/markdown'
import { csvDate, exportTimeZone } from '../../server/export/csv'
import { parseCsv } from '../helpers/csv'
import { docxParagraphs, pdfText } from '../helpers/readBack'
import { FIXTURE_TEXTS, HOSTILE_TEXTS, frenchCafeData } from '../fixtures/frenchCafe'

const GOLDEN = new URL('../golden/synthese-fixture.md', import.meta.url)
const squash = (s: string) => s.replace(/\s+/g, ' ')
/** A phrase is in the text, its first letter in either case (inside a sentence it loses its capital). */
const has = (text: string, t: string) => text.includes(t) || text.includes(t.charAt(0).toLowerCase() + t.slice(1))

describe('exports of the French fixture café', () => {
  it('Markdown: exactly the golden synthesis', async () => {
    const md = (await exportCafe('md', frenchCafeData())).body.toString('utf8')
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, md)
    expect(md).toBe(readFileSync(GOLDEN, 'utf8'))
    // The structure of the CLPS example: title, synthesis, a section per question, themes as headings, key points in bold.
    const blocks = parseMarkdown(md)
    const headings = blocks.filter((b) => b.type === 'heading').map((b) => [b.level, b.content.map((r) => r.text).join('')])
    expect(headings).toEqual([
      [1, 'World Café Assuétudes'], [2, 'Synthèse'],
      [3, 'Question 1 : Le travail en réseau. Pour quoi faire ?'], [4, 'Les freins'], [4, 'Les facilitants'],
      [3, 'Question 2 : Le travail en réseau. Avec qui ?'], [4, 'Les acteurs cités'],
      [3, 'Comment ?'], [4, 'Pistes pour construire le réseau'],
    ])
    expect(md).toContain('#### Les freins\n\n**Le temps** est le plus souvent cité (à deux tables) : manque de temps pour se rencontrer')
    expect(md).toContain('Organisations représentées : AMO Rixensart, Athénée de Wavre, Centre de santé, CPAS de Wavre et Ligue des familles.')
    expect(md).not.toMatch(/Amélie|Bruno|Chloé|Denis|Éloïse|François/) // no names in the synthesis
  })

  it('Markdown: every contribution is there (merged duplicates counted), and hostile notes stay text', async () => {
    const md = (await exportCafe('md', frenchCafeData())).body.toString('utf8')
    const text = parseMarkdown(md).flatMap((b) => (b.type === 'list' ? b.items : b.type === 'image' ? [] : [b.content])).map((c) => c.map((r) => r.text).join('')).join('\n')
    for (const t of FIXTURE_TEXTS) expect(has(text, t), t).toBe(true)
    for (const h of HOSTILE_TEXTS) expect(text).toContain(h)
    // Only escaped: `\<img` and `\](` are literal text to any Markdown renderer.
    expect(md).not.toMatch(/(^|[^\\])<img/m)
    expect(md).not.toMatch(/(^|[^\\])\]\(javascript:/m)
  })

  it('DOCX: real headings, bold key points, bullet lists, every text with its accents', async () => {
    const paras = docxParagraphs((await exportCafe('docx', frenchCafeData())).body)
    const byText = (t: string) => paras.find((p) => p.text === t)
    expect(byText('World Café Assuétudes')?.style).toMatch(/Heading1|Title/)
    expect(byText('Question 1 : Le travail en réseau. Pour quoi faire ?')?.style).toBe('Heading3')
    expect(byText('Les freins')?.style).toBe('Heading4')
    expect(byText('Comment ?')?.style).toBe('Heading3')
    const keyPoint = paras.find((p) => p.text.startsWith('Le temps'))!
    expect(keyPoint.list).toBe(false) // prose, the key point bold inside the sentence
    expect(keyPoint.runs.find((r) => r.text === 'Le temps')?.bold).toBe(true)
    const all = paras.map((p) => p.text).join('\n')
    for (const t of FIXTURE_TEXTS) expect(has(all, t), t).toBe(true)
    expect(paras.find((p) => p.text.startsWith('Les parents, la famille'))?.list).toBe(true) // the theme written as a list
  })

  it('PDF: embedded fonts, headings and every text with its accents', async () => {
    const pdf = (await exportCafe('pdf', frenchCafeData())).body
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf.includes('/FontFile2')).toBe(true)
    const text = squash(await pdfText(pdf))
    for (const t of ['World Café Assuétudes', 'Synthèse', 'Question 1 : Le travail en réseau. Pour quoi faire ?', 'Les freins', 'Les facilitants', 'Comment ?']) expect(text).toContain(t)
    for (const t of FIXTURE_TEXTS) expect(has(text, squash(t)), t).toBe(true)
  })

  it('CSV: BOM, one row per contribution with provenance and theme, formulas defused', async () => {
    const data = frenchCafeData()
    const csv = (await exportCafe('csv', data)).body.toString('utf8')
    expect(csv.startsWith('\uFEFF')).toBe(true)
    const rows = parseCsv(csv, ';')
    expect(rows[0]).toEqual(['café', 'table', 'question', 'tour', 'auteur', 'organisation', 'secteur', 'type', 'texte', 'thème', 'point clé', 'fusionné avec', 'étoiles', 'votes', 'créé le'])
    const body = rows.slice(1)
    expect(body).toHaveLength(contributionsOf(data).length)
    expect(body.map((r) => r[8]).filter(Boolean).sort()).toEqual([...FIXTURE_TEXTS].sort())
    const temps = body.find((r) => r[8] === 'Le temps')!
    expect(temps).toEqual(['World Café Assuétudes', 'Table 1', 'Le travail en réseau. Pour quoi faire ?', '1', 'Amélie', 'AMO Rixensart', 'Aide à la jeunesse', 'note', 'Le temps', 'Les freins', 'oui', '', '2', '3', csvDate(data.tablecloths[0]!.items[0]!.createdAt, 'fr', exportTimeZone())])
    // The merged duplicate carries the theme of what it joined; the drawing has its own row.
    expect(body.find((r) => r[8]?.startsWith('Manque de temps'))?.[9]).toBe('Les freins')
    expect(body.filter((r) => r[7] === 'dessin')).toHaveLength(1)
    expect(body.find((r) => r[8] === HOSTILE_TEXTS[0])).toBeTruthy()
  })

  it('CSV: a note that a spreadsheet would run as a formula is written as text', async () => {
    const data = frenchCafeData()
    const note = data.tablecloths[0]!.items[0]!
    if (note.kind === 'stroke') throw new Error('fixture')
    note.text = '=HYPERLINK("http://evil","x")'
    const rows = parseCsv((await exportCafe('csv', data)).body.toString('utf8'))
    expect(rows.find((r) => r[8]?.includes('HYPERLINK'))?.[8]).toBe(`'=HYPERLINK("http://evil","x")`)
  })

  it('images: one per tablecloth and round plus the final ones, hostile text escaped', () => {
    const images = tableclothImages(frenchCafeData())
    expect(images.map((i) => i.path)).toEqual([
      'nappes/table-1_q1_tour-1', 'nappes/table-2_q1_tour-1', 'nappes/table-1_q2_tour-2', 'nappes/table-2_q2_tour-2',
      'nappes/table-1_q1_final', 'nappes/table-2_q1_final', 'nappes/table-1_q2_final', 'nappes/table-2_q2_final',
    ])
    const final = images.find((i) => i.path === 'nappes/table-1_q1_final')!
    expect(final.svg).toContain('&lt;img src=x')
    expect(final.svg).not.toMatch(/<img|<image|<script|\sonerror=|href=/i)
    // The end of round 1 did not have what was written later.
    expect(images[0]!.svg).not.toContain('onerror')
  })

  it('zip: every format and an SVG and PNG of every image', async () => {
    const zip = unzipSync(new Uint8Array((await exportCafe('zip', frenchCafeData())).body))
    const names = Object.keys(zip)
    for (const n of ['synthese.md', 'synthese.docx', 'synthese.pdf', 'contributions.csv', 'contributions.xlsx', 'archive.json']) expect(names).toContain(n)
    expect(names.filter((n) => n.endsWith('.svg'))).toHaveLength(8)
    expect(names.filter((n) => n.endsWith('.png'))).toHaveLength(8)
    expect([...zip['nappes/table-1_q1_final.png']!.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47])
    expect(strFromU8(zip['synthese.md']!)).toBe(readFileSync(GOLDEN, 'utf8'))
  })

  it('JSON archive: versioned, participants under archive ids, no secrets', async () => {
    const data = frenchCafeData()
    const archive = JSON.parse((await exportCafe('json', data)).body.toString('utf8'))
    expect(archive).toEqual(JSON.parse(JSON.stringify(buildArchive(data))))
    expect(archive.format).toBe('nappe.cafe-archive')
    expect(archive.schemaVersion).toBe(1)
    expect(archive.participants.map((p: { id: string }) => p.id)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
    expect(archive.tablecloths[0].items[0]).toMatchObject({ author: 'p1', authorName: 'Amélie', text: 'Le temps', stars: ['p3', 'p4'], votesBy: { p3: 2, p4: 1 } })
    expect(archive.harvest.placements['t1:q1:n001']).toBe('freins')
    expect(archive.harvest.placements['t1:q1:drawing:1:p3']).toBeUndefined()
    expect(JSON.stringify(archive)).not.toMatch(/token|key"|facilitatorKey/i)
  })
})
