/**
 * What a hand-made client can write must not break an export or make the archive unimportable
 * (findings of the review of the harvest change).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { buildArchive, parseArchive } from '../../server/export/archive'
import { contributionsOf, synthesisMarkdown } from '../../server/export/cafeData'
import { EXPORT_FORMATS, exportCafe } from '../../server/export/exporter'
import { addFreeSection, addTheme, deleteFreeSection, placeContributions, readHarvest } from '../../shared/harvest'
import { itemsMap, readItems } from '../../shared/tablecloth'
import { parseCsv } from '../helpers/csv'
import { docxXml, pdfText } from '../helpers/readBack'
import { frenchCafeData } from '../fixtures/frenchCafe'

/** Items as a hostile client could leave them in a Y.Doc, read back the way the server reads them. */
function hostileItems() {
  const doc = new Y.Doc()
  doc.transact(() => {
    const note = new Y.Map<unknown>()
    itemsMap(doc).set('n:1.x', note)
    note.set('kind', 'note'); note.set('author', 'amelie'); note.set('authorName', 'A'.repeat(5000)); note.set('round', 1)
    note.set('createdAt', 1e20); note.set('x', 1e9); note.set('y', -1e12); note.set('color', 'url(javascript:alert(1))')
    note.set('text', new Y.Text('Un mot\u000B collé depuis PowerPoint'))
    const stars = new Y.Map<boolean>(); note.set('stars', stars)
    const votes = new Y.Map<number>(); note.set('votes', votes)
    stars.set('', true); votes.set('bruno', -3); votes.set('chloe', 2)
    const stroke = new Y.Map<unknown>()
    itemsMap(doc).set('s1', stroke)
    stroke.set('kind', 'stroke'); stroke.set('author', 'chloe'); stroke.set('authorName', 'Chloé'); stroke.set('round', 1); stroke.set('createdAt', 5)
    stroke.set('x', 0); stroke.set('y', 0); stroke.set('color', '#123456'); stroke.set('width', 4)
    stroke.set('points', [...Array.from({ length: 150_000 }, (_, i) => i % 500), Number.NaN])
    stroke.set('stars', new Y.Map()); stroke.set('votes', new Y.Map())
  })
  return readItems(doc)
}

describe('exports of hostile content', () => {
  it('reads hostile items into bounded, valid values', () => {
    const [note, stroke] = hostileItems().sort((a, b) => a.kind.localeCompare(b.kind))
    expect(note).toMatchObject({ createdAt: 8.64e15, x: 100_000, y: -100_000, color: '#1f2937', stars: [], votes: 2, votesBy: { chloe: 2 } })
    expect(note!.authorName).toHaveLength(200)
    expect(stroke?.kind === 'stroke' && stroke.points.length).toBe(60_000)
  })

  it('every format is produced, and the archive imports again', async () => {
    const data = frenchCafeData()
    data.tablecloths[0]!.items.push(...hostileItems())
    for (const format of EXPORT_FORMATS) {
      expect((await exportCafe(format, data)).body.length, format).toBeGreaterThan(0)
    }
    const rows = parseCsv((await exportCafe('csv', data)).body.toString('utf8'))
    expect(rows.find((r) => r[8]?.includes('collé depuis PowerPoint'))?.[14]).toMatch(/^1[23]\/09\/275760 /)
    // A vertical tab pasted from PowerPoint would make the .docx unreadable to Word.
    expect(docxXml((await exportCafe('docx', data)).body)).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/)
    const archive = JSON.parse(JSON.stringify(buildArchive(data)))
    expect(parseArchive(archive)).toMatchObject({ ok: true })
  }, 30_000)

  it('a pasted 20,000-character word is in the PDF', async () => {
    const data = frenchCafeData()
    const word = `data:image/png;base64,${'iVBORw0KGgo'.repeat(1800)}`
    const note = data.tablecloths[1]!.items[0]!
    if (note.kind !== 'stroke') note.text = word
    const text = (await pdfText((await exportCafe('pdf', data)).body)).replace(/[\s\u200B]+/g, '')
    // It spans pages (their footers come in between): its beginning and its end are there.
    expect(text).toContain(word.slice(0, 200))
    expect(text).toContain(word.slice(-200))
  }, 20_000)

  it('a free section deleted while someone filed a note in it: the note goes back to sort, not lost', () => {
    const a = new Y.Doc(), b = new Y.Doc()
    const section = addFreeSection(a, 'Comment ?')
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    deleteFreeSection(a, section)
    const theme = addTheme(b, `f:${section}`, 'Pistes')
    placeContributions(b, ['t2:q2:n012'], theme)
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b))
    const data = frenchCafeData()
    data.harvest = readHarvest(a)
    expect(data.harvest.themes.map((t) => t.name)).not.toContain('Pistes')
    const md = synthesisMarkdown(data)
    expect(md).toContain('Rencontre une fois par an')
    expect(contributionsOf(data).length).toBeGreaterThan(0)
  })
})
