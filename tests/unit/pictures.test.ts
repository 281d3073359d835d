/**
 * Pictures in the harvest and the exports: images told by their bytes, the Markdown image lines the
 * synthesis may hold (and every way user text must not become one), drawings' light copies for their
 * thumbnails, contributions typed from photos, and the DOCX and PDF read back with their pictures.
 */
import { unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { renderDocx } from '../../server/export/docx'
import { exportImage } from '../../server/export/exportImages'
import { renderPdf } from '../../server/export/pdf'
import { svgToPng } from '../../server/export/tableclothImage'
import { parseCafeInput } from '../../shared/cafe'
import { DRAWING_POINTS, DRAWING_STROKES, gatherContributions } from '../../shared/contributions'
import { escapeMarkdown, imageMarkdown, imageOf, parseMarkdown } from '../../shared/markdown'
import { photoNames, snapshotsOfRounds, synthesisPictures } from '../../shared/pictureNames'
import { MAX_PHOTO_SIDE_PX, photoProblem, photoRound, sniffImage } from '../../shared/photos'
import type { TableclothItem } from '../../shared/tablecloth'
import { addTranscription, deleteTranscription, editTranscription, readTranscriptions, transcriptionContributions } from '../../shared/transcriptions'
import { docxParagraphs, docxPart, pdfText } from '../helpers/readBack'
import { twoTableCafe } from '../helpers/server'

const png = (w: number, h: number, fill = '#b91c1c') => svgToPng(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" fill="${fill}"/></svg>`)
/** The head of a baseline JPEG: SOI, an APP0 segment, then SOF0 with its height and width. */
const jpegHead = (w: number, h: number) => new Uint8Array([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
  0xff, 0xda, 0x00, 0x0c,
])

describe('images told by their bytes', () => {
  it('knows a PNG and a JPEG and their sizes, whatever they claim to be; nothing else', () => {
    expect(sniffImage(png(37, 21))).toEqual({ type: 'image/png', width: 37, height: 21 })
    expect(sniffImage(jpegHead(2000, 1500))).toEqual({ type: 'image/jpeg', width: 2000, height: 1500 })
    expect(sniffImage(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull()
    expect(sniffImage(new TextEncoder().encode('GIF89a......'))).toBeNull()
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff]))).toBeNull()
    expect(sniffImage(png(10, 10).subarray(0, 20))).toBeNull()
    expect(photoProblem(new Uint8Array(0))).toBe('empty')
    expect(photoProblem(jpegHead(MAX_PHOTO_SIDE_PX + 1, 10))).toBe('too_large')
    expect(photoProblem(jpegHead(MAX_PHOTO_SIDE_PX, 10))).toBeNull()
  })

  it('a photo taken now is of the round being played, else of the one that just ended', () => {
    expect(photoRound({ phase: 'lobby' })).toBeNull()
    expect(photoRound({ phase: 'round', round: 2, timer: { status: 'paused', remainingMs: 1, durationMs: 2 } })).toBe(2)
    expect(photoRound({ phase: 'transition', completedRound: 2, endsAt: null })).toBe(2)
    expect(photoRound({ phase: 'harvest', completedRounds: 3 })).toBe(3)
    expect(photoRound({ phase: 'harvest', completedRounds: 0 })).toBeNull()
  })
})

describe('image lines in the synthesis', () => {
  it('a paragraph that is exactly one image of the export becomes an image block, its caption unescaped', () => {
    const line = imageMarkdown('Table 1 — [État] *final*', 'nappes/table-1_q1_final.png')
    expect(parseMarkdown(`## Q1\n\n${line}\n\nAprès.`)).toEqual([
      { type: 'heading', level: 2, content: [{ text: 'Q1' }] },
      { type: 'image', alt: 'Table 1 — [État] *final*', path: 'nappes/table-1_q1_final.png' },
      { type: 'paragraph', content: [{ text: 'Après.' }] },
    ])
    expect(imageOf('![Photo](photos/table-1_q2_tour-3-2.jpg)')).toEqual({ alt: 'Photo', path: 'photos/table-1_q2_tour-3-2.jpg' })
  })

  it('anything else stays text: other URLs, unsafe paths, an image inside a sentence, escaped user text', () => {
    for (const md of [
      '![x](https://evil.example/a.png)', '![x](/etc/passwd.png)', '![x](../secret.png)', '![x](nappes/../../a.png)',
      '![x](nappes/a.svg)', '![x](nappes/a.png?x=1)', '![x](javascript:alert(1).png)', 'Voir ![x](nappes/a.png) ici',
      '![x](nappes/a.png) ![y](nappes/b.png)', escapeMarkdown('![x](nappes/a.png)'), '![x](data:image/png;base64,AAAA)',
    ]) {
      expect(parseMarkdown(md).every((b) => b.type !== 'image'), md).toBe(true)
    }
    expect(() => imageMarkdown('x', 'https://evil.example/a.png')).toThrow()
  })
})

const def = (() => { const r = parseCafeInput(twoTableCafe); if (!r.ok) throw new Error('fixture'); return r.value })()
const stroke = (id: string, author: string, round: number, points: number[], x = 100, y = 50): TableclothItem => ({
  id, kind: 'stroke', author, authorName: author, round, createdAt: 1, x, y, color: '#1d4ed8', stars: [], votes: 0, votesBy: {}, points, width: 4,
})

describe('drawings carry their strokes for a thumbnail', () => {
  it('in tablecloth coordinates, with their box, one drawing per person and round', () => {
    const [d] = gatherContributions(def, [], [{ tableId: 't1', questionId: 'q1', items: [
      stroke('s1', 'p1', 1, [0, 0, 0.5, 10, 20, 0.5]), stroke('s2', 'p1', 1, [5, 5, 0.5], 200, 300),
    ] }])
    expect(d).toMatchObject({ kind: 'drawing', strokes: 2, drawing: { strokes: [{ points: [100, 50, 110, 70], width: 4, color: '#1d4ed8' }, { points: [205, 305] }], box: [100, 50, 205, 305] } })
  })

  it('bounded however much was drawn, and a colour that is not a plain colour is not kept', () => {
    const long = Array.from({ length: 4000 }, (_, i) => [i, Math.sin(i / 50) * 100, 0.5]).flat()
    const items = Array.from({ length: 100 }, (_, i) => ({ ...stroke(`s${i}`, 'p1', 1, long), color: i === 0 ? 'url(https://evil.example/x)' : '#15803d' }))
    const [d] = gatherContributions(def, [], [{ tableId: 't1', questionId: 'q1', items }])
    expect(d!.strokes).toBe(100)
    expect(d!.drawing!.strokes).toHaveLength(DRAWING_STROKES)
    const points = d!.drawing!.strokes.reduce((n, s) => n + s.points.length / 2, 0)
    expect(points).toBeLessThanOrEqual(DRAWING_POINTS + 2 * DRAWING_STROKES)
    expect(d!.drawing!.strokes[0]!.color).toBe('#1f2937')
    expect(JSON.stringify(d).length).toBeLessThan(10_000)
  })
})

describe('contributions typed from a photo', () => {
  it('are contributions of the photo\'s table, question and round, author "photo", sorted in with the others', () => {
    const doc = new Y.Doc()
    const id = addTranscription(doc, { photoId: 'ph-000000001', tableId: 't1', questionId: 'q1', round: 2, text: '  Mutualiser les locaux  ' }, 500)!
    expect(addTranscription(doc, { photoId: 'ph-000000001', tableId: 't1', questionId: 'q1', round: 2, text: '   ' }, 600)).toBeNull()
    const typed = transcriptionContributions(def, readTranscriptions(doc))
    expect(typed).toEqual([expect.objectContaining({ key: `t1:q1:photo:${id}`, tableName: 'Table 1', round: 2, authorId: 'photo', authorName: 'Photo de la nappe', kind: 'note', text: 'Mutualiser les locaux', photoId: 'ph-000000001' })])
    const note: TableclothItem = { id: 'n1', kind: 'note', author: 'p1', authorName: 'Amélie', round: 1, createdAt: 900, x: 0, y: 0, color: '#fef08a', stars: [], votes: 0, votesBy: {}, text: 'Au tour 1' }
    const all = gatherContributions(def, [], [{ tableId: 't1', questionId: 'q1', items: [note] }], typed)
    expect(all.map((c) => c.text)).toEqual(['Au tour 1', 'Mutualiser les locaux'])
    editTranscription(doc, id, 'Mutualiser les salles')
    expect(readTranscriptions(doc)[0]!.text).toBe('Mutualiser les salles')
    deleteTranscription(doc, id)
    expect(readTranscriptions(doc)).toEqual([])
  })

  it('an entry that is not one (written by hand into the document) is skipped', () => {
    const doc = new Y.Doc()
    const m = doc.getMap<unknown>('transcriptions')
    m.set('bad1', 'text')
    const entry = new Y.Map<unknown>()
    for (const [k, v] of Object.entries({ photoId: 'ph', tableId: 't1', questionId: 'q1', round: 0, text: 'x', createdAt: 1 })) entry.set(k, v)
    m.set('bad2', entry)
    expect(readTranscriptions(doc)).toEqual([])
  })
})

describe('the pictures\' names, the same for the studio and the exports', () => {
  it('zip paths and captions per question and round; a second photo of a table and round gets -2', () => {
    const photo = (tableId: string, round: number) => ({ tableId, questionId: 'q1', round, type: 'image/jpeg' as const })
    const photos = photoNames(def, [photo('t1', 1), photo('t1', 1), photo('t2', 1)])
    expect(photos.map((p) => p.path)).toEqual(['photos/table-1_q1_tour-1.jpg', 'photos/table-1_q1_tour-1-2.jpg', 'photos/table-2_q1_tour-1.jpg'])
    expect(photos[0]!.caption).toBe('Table 1 — Le travail en réseau. Pour quoi faire ? (Photo de la nappe papier, tour 1)')
    // Given in any order, listed by round then table order.
    const refs = synthesisPictures(def, { snapshots: [...snapshotsOfRounds(def, 1)].reverse(), finals: [{ tableId: 't2', questionId: 'q2' }, { tableId: 't1', questionId: 'q1' }], photos: photos.slice(2) })
    expect(refs).toEqual([
      { questionId: 'q1', round: 1, path: 'nappes/table-1_q1_tour-1.png', caption: 'Table 1 — Fin du tour 1' },
      { questionId: 'q2', round: 1, path: 'nappes/table-2_q2_tour-1.png', caption: 'Table 2 — Fin du tour 1' },
      { questionId: 'q1', round: 'final', path: 'nappes/table-1_q1_final.png', caption: 'Table 1 — État final' },
      { questionId: 'q2', round: 'final', path: 'nappes/table-2_q2_final.png', caption: 'Table 2 — État final' },
      { questionId: 'q1', round: 1, path: 'photos/table-2_q1_tour-1.jpg', caption: 'Table 2 — Photo de la nappe papier, tour 1' },
    ])
    // Every one of them is a path an image line may name.
    for (const r of refs) expect(imageOf(imageMarkdown(r.caption, r.path))).toEqual({ alt: r.caption, path: r.path })
  })
})

describe('DOCX and PDF read back with their pictures', () => {
  const md = ['# Synthèse', '', '## Question 1', '', 'Avant.', '', imageMarkdown('Table 1 — État final', 'nappes/table-1_q1_final.png'), '',
    imageMarkdown('Table 2 — manquante', 'nappes/absente.png'), '', 'Après.'].join('\n')
  const final = png(400, 300)
  const photo = png(120, 80, '#15803d')
  const files = new Map([['nappes/table-1_q1_final.png', exportImage('nappes/table-1_q1_final.png', 'Table 1 — État final', final)!]])
  const appendix = [exportImage('photos/table-2_q1_tour-1.png', 'Table 2 — Photo de la nappe papier, tour 1', photo)!]

  it('the DOCX embeds the image where the synthesis names it, fitted to the page, with its alt text, and the appendix after', async () => {
    const buf = await renderDocx({ title: 'Synthèse', language: 'fr', blocks: parseMarkdown(md), images: files, appendix: { title: 'Les nappes', images: appendix } })
    const media = Object.values(unzipSync(new Uint8Array(buf), { filter: (f) => f.name.startsWith('word/media/') }))
    expect(media.some((m) => Buffer.from(m).equals(final))).toBe(true)
    expect(media.some((m) => Buffer.from(m).equals(photo))).toBe(true)
    const texts = docxParagraphs(buf).map((p) => p.text)
    // The caption under the image; the missing one as its caption, in italics; then the appendix.
    expect(texts.indexOf('Table 1 — État final')).toBeGreaterThan(texts.indexOf('Avant.'))
    expect(texts.indexOf('Table 2 — manquante')).toBeLessThan(texts.indexOf('Après.'))
    expect(texts.slice(texts.indexOf('Les nappes'))).toContain('Table 2 — Photo de la nappe papier, tour 1')
    const xml = docxPart(buf, 'word/document.xml')
    expect(xml).toMatch(/<wp:docPr [^>]*descr="Table 1 — État final"/)
    // 400 × 300 px fits the text width as it is (never enlarged beyond 600 px): 400 px = 3,810,000 EMU.
    expect(xml).toContain('<wp:extent cx="3810000" cy="2857500"/>')
  })

  it('the PDF paints the image inside the synthesis with its caption below, and the photo on a page of its own', async () => {
    const buf = await renderPdf({ title: 'Synthèse', language: 'fr', blocks: parseMarkdown(md), files, images: appendix.map((i) => ({ caption: i.caption, png: i.data })) })
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
    const pdf = await pdfjs.getDocument({ data: new Uint8Array(buf), useWorkerFetch: false, isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise
    const sizes: Array<Array<[number, number]>> = []
    for (let n = 1; n <= pdf.numPages; n++) {
      const ops = await (await pdf.getPage(n)).getOperatorList()
      sizes.push(ops.fnArray.flatMap((fn, i) => (fn === pdfjs.OPS.paintImageXObject ? [[(ops.argsArray[i] as number[])[1]!, (ops.argsArray[i] as number[])[2]!] as [number, number]] : [])))
    }
    await pdf.destroy()
    expect(sizes[0]).toEqual([[400, 300]])
    expect(sizes.at(-1)).toEqual([[120, 80]])
    const text = (await pdfText(buf)).replace(/\s+/g, ' ')
    expect(text).toMatch(/Avant\. Table 1 — État final Table 2 — manquante Après\./)
    expect(text).toContain('Table 2 — Photo de la nappe papier, tour 1')
  })
})
