/**
 * Photos of paper tablecloths against the real server: a host photographs their table's paper at the
 * end of a round, the facilitator's team sees it, types contributions from it in the harvest, and the
 * photo and those contributions come out in the zip, the DOCX, the PDF and the CSV. And every way of
 * sending what the app never would is refused with its reason.
 */
import { strFromU8, unzipSync } from 'fflate'
import { afterEach, describe, expect, it } from 'vitest'
import { svgToPng } from '../../server/export/tableclothImage'
import { harvestDocName, setQuestionImages } from '../../shared/harvest'
import { addNote } from '../../shared/tablecloth'
import { MAX_PHOTO_BYTES } from '../../shared/photos'
import type { PhotoMeta } from '../../shared/photos'
import { addTranscription, readTranscriptions } from '../../shared/transcriptions'
import { eventually } from '../helpers/eventually'
import { docxParagraphs, docxPart, pdfText } from '../helpers/readBack'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'
import { openTablecloth, request } from '../helpers/server'

let s: Scenario | null = null
afterEach(async () => { await s?.close(); s = null })

/** A real PNG of `width` × `height` pixels: a "photo" of a paper tablecloth with words on it. */
export function paperPng(width = 320, height = 200, words = 'Mutualiser'): Buffer {
  return svgToPng(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="#f4efe2"/><circle cx="60" cy="60" r="40" fill="#b91c1c"/><text x="20" y="${height - 30}" font-size="28" fill="#1d4ed8">${words}</text></svg>`)
}

const upload = (url: string, cafeId: string, credential: string | null, query: string, body: Uint8Array, type = 'image/png') =>
  fetch(`${url}/api/cafes/${cafeId}/photos?${query}`, {
    method: 'POST', body: new Uint8Array(body), headers: { 'content-type': type, ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
  })
const get = (url: string, path: string, key: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } })

/** Makes the first person host of table t1 and returns their token. */
async function hostOfT1(sc: Scenario): Promise<{ token: string; name: string }> {
  const host = sc.people.find((p) => sc.tableOf(p.participantId) === 't1')!
  expect(await request(sc.facilitator, 'participant:setHost', { participantId: host.participantId, tableId: 't1' })).toMatchObject({ ok: true })
  return { token: host.participantToken, name: host.name }
}

/** The size of every image painted on each page of a PDF. */
async function pdfImages(buf: Uint8Array): Promise<Array<Array<{ width: number; height: number }>>> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
  const pdf = await pdfjs.getDocument({ data: new Uint8Array(buf), useWorkerFetch: false, isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise
  try {
    const pages: Array<Array<{ width: number; height: number }>> = []
    for (let n = 1; n <= pdf.numPages; n++) {
      const ops = await (await pdf.getPage(n)).getOperatorList()
      const found: Array<{ width: number; height: number }> = []
      ops.fnArray.forEach((fn, i) => {
        if (fn === pdfjs.OPS.paintImageXObject) { const [, width, height] = ops.argsArray[i] as [string, number, number]; found.push({ width, height }) }
      })
      pages.push(found)
    }
    return pages
  } finally {
    await pdf.destroy()
  }
}

describe('photos of paper tablecloths', () => {
  it('a host sends the photo of their table; the team sees it, types from it, and it is in the zip, DOCX, PDF and CSV', async () => {
    s = await runningCafe()
    const host = await hostOfT1(s)
    const png = paperPng(320, 200)
    const sent = await upload(s.t.url, s.cafeId, host.token, 'tableId=t1&round=1', png, 'image/jpeg') // the claimed type does not matter
    expect(sent.status).toBe(201)
    const meta = (await sent.json()) as PhotoMeta
    expect(meta).toMatchObject({ tableId: 't1', questionId: 'q1', round: 1, type: 'image/png', width: 320, height: 200, bytes: png.byteLength, by: { kind: 'host', name: host.name } })

    const list = await get(s.t.url, `/api/cafes/${s.cafeId}/photos`, s.facilitatorKey)
    expect(list.status).toBe(200)
    expect(((await list.json()) as { photos: PhotoMeta[] }).photos.map((p) => p.id)).toEqual([meta.id])
    const bytes = await get(s.t.url, `/api/cafes/${s.cafeId}/photos/${meta.id}`, s.facilitatorKey)
    expect(bytes.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await bytes.arrayBuffer()).equals(png)).toBe(true)

    // The team types a contribution from the photo, in the harvest document.
    const harvest = await openTablecloth(s.t.wsUrl, harvestDocName(s.cafeId), { facilitatorKey: s.facilitatorKey })
    addTranscription(harvest.doc, { photoId: meta.id, tableId: 't1', questionId: 'q1', round: 1, text: 'Partager les locaux entre associations' }, Date.now())
    await eventually(async () => {
      const r = await get(s!.t.url, `/api/cafes/${s!.cafeId}/contributions`, s!.facilitatorKey)
      const body = (await r.json()) as { contributions: Array<{ text: string; authorName: string; tableName: string; round: number; kind: string; photoId?: string }> }
      expect(body.contributions).toContainEqual(expect.objectContaining({ text: 'Partager les locaux entre associations', authorName: 'Photo de la nappe', tableName: 'Table 1', round: 1, kind: 'note', photoId: meta.id }))
    })
    harvest.destroy()

    const zip = unzipSync(new Uint8Array(await (await get(s.t.url, `/api/cafes/${s.cafeId}/export?format=zip`, s.facilitatorKey)).arrayBuffer()))
    const photoFile = zip['photos/table-1_q1_tour-1.png']
    expect(photoFile && Buffer.from(photoFile).equals(png)).toBe(true)
    expect(strFromU8(zip['contributions.csv']!)).toContain('Photo de la nappe')

    // The DOCX carries the photo itself (its bytes in word/media) with its caption and alt text.
    const docx = new Uint8Array(await (await get(s.t.url, `/api/cafes/${s.cafeId}/export?format=docx`, s.facilitatorKey)).arrayBuffer())
    const media = Object.entries(unzipSync(docx, { filter: (f) => f.name.startsWith('word/media/') }))
    expect(media.some(([, data]) => Buffer.from(data).equals(png))).toBe(true)
    const captions = docxParagraphs(docx).map((p) => p.text)
    expect(captions).toContain('Les nappes')
    expect(captions.some((c) => c.startsWith('Table 1 — Le travail en réseau. Pour quoi faire ?') && c.includes('Photo de la nappe papier, tour 1'))).toBe(true)
    expect(docxPart(docx, 'word/document.xml')).toMatch(/<wp:docPr [^>]*descr="Table 1 — [^"]*Photo de la nappe papier, tour 1/)

    // The PDF paints it at its own pixel size, on a page captioned with table, question and round.
    const pdf = new Uint8Array(await (await get(s.t.url, `/api/cafes/${s.cafeId}/export?format=pdf`, s.facilitatorKey)).arrayBuffer())
    expect((await pdfImages(pdf)).flat()).toContainEqual({ width: 320, height: 200 })
    expect((await pdfText(pdf)).replace(/\s+/g, ' ')).toContain('Photo de la nappe papier, tour 1')

    // The archive keeps the photo and what was typed from it; an import gives them back under new ids.
    const archive = await (await get(s.t.url, `/api/cafes/${s.cafeId}/export?format=json`, s.facilitatorKey)).json() as { photos: Array<{ id: string; data: string }>; transcriptions: unknown[] }
    expect(archive.photos).toHaveLength(1)
    expect(Buffer.from(archive.photos[0]!.data, 'base64').equals(png)).toBe(true)
    const imported = await fetch(`${s.t.url}/api/cafes/import`, { method: 'POST', body: JSON.stringify(archive), headers: { 'content-type': 'application/json' } })
    expect(imported.status).toBe(201)
    const copy = (await imported.json()) as { id: string; facilitatorKey: string }
    const copied = ((await (await get(s.t.url, `/api/cafes/${copy.id}/photos`, copy.facilitatorKey)).json()) as { photos: PhotoMeta[] }).photos
    expect(copied).toHaveLength(1)
    expect(copied[0]!.id).not.toBe(meta.id)
    const typed = await openTablecloth(s.t.wsUrl, harvestDocName(copy.id), { facilitatorKey: copy.facilitatorKey })
    expect(readTranscriptions(typed.doc)).toEqual([expect.objectContaining({ photoId: copied[0]!.id, text: 'Partager les locaux entre associations', tableId: 't1', round: 1 })])
    typed.destroy()

    // The facilitator deletes the photo: gone from the list and the exports; what was typed stays.
    expect((await fetch(`${s.t.url}/api/cafes/${s.cafeId}/photos/${meta.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.facilitatorKey}` } })).status).toBe(204)
    expect((await get(s.t.url, `/api/cafes/${s.cafeId}/photos/${meta.id}`, s.facilitatorKey)).status).toBe(404)
    const after = unzipSync(new Uint8Array(await (await get(s.t.url, `/api/cafes/${s.cafeId}/export?format=zip`, s.facilitatorKey)).arrayBuffer()))
    expect(Object.keys(after).filter((k) => k.startsWith('photos/'))).toEqual([])
    expect(strFromU8(after['contributions.csv']!)).toContain('Partager les locaux entre associations')
  })

  it('a question whose section shows its pictures gets them inside the synthesis: Markdown lines, DOCX and PDF images', async () => {
    s = await runningCafe()
    const host = await hostOfT1(s)
    const writer = s.people.find((p) => s!.tableOf(p.participantId) === 't1')!
    const cloth = await openTablecloth(s.t.wsUrl, s.docName('t1', 'q1'), { participantToken: writer.participantToken })
    addNote(cloth.doc, { author: writer.participantId, authorName: writer.name, round: 1, now: Date.now() }, { text: 'Se connaître', x: 10, y: 10 })
    const png = paperPng(300, 180, 'Papier')
    expect((await upload(s.t.url, s.cafeId, host.token, 'tableId=t1&round=1', png)).status).toBe(201)
    const harvest = await openTablecloth(s.t.wsUrl, harvestDocName(s.cafeId), { facilitatorKey: s.facilitatorKey })
    setQuestionImages(harvest.doc, 'q1', 1)
    const md = async () => (await (await get(s!.t.url, `/api/cafes/${s!.cafeId}/export?format=md`, s!.facilitatorKey)).text())
    await eventually(async () => expect(await md()).toContain('![Table 1 — Photo de la nappe papier, tour 1](photos/table-1_q1_tour-1.png)'))
    const docx = new Uint8Array(await (await get(s.t.url, `/api/cafes/${s.cafeId}/export?format=docx`, s.facilitatorKey)).arrayBuffer())
    const xml = docxPart(docx, 'word/document.xml')
    // Inside the question's section: before the appendix heading, with its caption as alt text.
    const inline = xml.indexOf('descr="Table 1 — Photo de la nappe papier, tour 1"')
    expect(inline).toBeGreaterThan(xml.indexOf('Le travail en réseau. Pour quoi faire ?'))
    expect(inline).toBeLessThan(xml.indexOf('>Les nappes<'))
    const pdf = new Uint8Array(await (await get(s.t.url, `/api/cafes/${s.cafeId}/export?format=pdf`, s.facilitatorKey)).arrayBuffer())
    const pages = await pdfImages(pdf)
    // On the synthesis's first page (inline), and again on a page of its own after the final tablecloth.
    expect(pages[0]).toContainEqual({ width: 300, height: 180 })
    expect(pages.flat().filter((i) => i.width === 300 && i.height === 180)).toHaveLength(2)

    // The final state instead: the drawn tablecloth (a PNG drawn for the export) in its section.
    setQuestionImages(harvest.doc, 'q1', 'final')
    await eventually(async () => expect(await md()).toContain('](nappes/table-1_q1_final.png)'))
    const docx2 = new Uint8Array(await (await get(s.t.url, `/api/cafes/${s.cafeId}/export?format=docx`, s.facilitatorKey)).arrayBuffer())
    const xml2 = docxPart(docx2, 'word/document.xml')
    expect(xml2.indexOf('descr="Table 1 — État final"')).toBeGreaterThan(-1)
    expect(xml2.indexOf('descr="Table 1 — État final"')).toBeLessThan(xml2.indexOf('>Les nappes<'))
    harvest.destroy()
    cloth.destroy()
  })

  it('refuses what the app would never send, each with its reason', async () => {
    s = await runningCafe()
    const host = await hostOfT1(s)
    const other = s.people.find((p) => s!.tableOf(p.participantId) !== 't1')!
    const png = paperPng(64, 48)
    const url = s.t.url, id = s.cafeId
    const reason = async (res: Response) => ({ status: res.status, ...(((await res.json()) as { error: { reason: string; fields?: Record<string, string> } }).error) })

    expect(await reason(await upload(url, id, null, 'tableId=t1&round=1', png))).toMatchObject({ status: 401, reason: 'key_missing' })
    expect(await reason(await upload(url, id, 'not-a-token', 'tableId=t1&round=1', png))).toMatchObject({ status: 401, reason: 'bad_credential' })
    // A host photographs their own table only; a guest at another table photographs nothing.
    expect(await reason(await upload(url, id, host.token, 'tableId=t2&round=1', png))).toMatchObject({ status: 403, reason: 'facilitator_only' })
    expect(await reason(await upload(url, id, other.participantToken, 'tableId=t1&round=1', png))).toMatchObject({ status: 403, reason: 'facilitator_only' })
    // Not a round that has not begun, nor a table that does not exist.
    expect(await reason(await upload(url, id, s.facilitatorKey, 'tableId=t1&round=2', png))).toMatchObject({ status: 404, reason: 'no_round' })
    expect(await reason(await upload(url, id, s.facilitatorKey, 'tableId=t9&round=1', png))).toMatchObject({ status: 404, reason: 'no_table' })
    expect(await reason(await upload(url, id, s.facilitatorKey, 'tableId=t1&round=1&x=1', png))).toMatchObject({ status: 400, reason: 'bad_data' })
    // What the bytes are decides, not the claimed type: text, an SVG, a truncated PNG are refused.
    for (const body of [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), Buffer.from('hello'), png.subarray(0, 20), new Uint8Array(0)]) {
      expect(await reason(await upload(url, id, s.facilitatorKey, 'tableId=t1&round=1', body, 'image/jpeg'))).toMatchObject({ status: 400, reason: 'bad_data', fields: { photo: expect.any(String) } })
    }
    // Too heavy: refused from its announced length, before it is read.
    expect(await reason(await upload(url, id, s.facilitatorKey, 'tableId=t1&round=1', new Uint8Array(MAX_PHOTO_BYTES + 1)))).toMatchObject({ status: 400, reason: 'body_too_large' })
    // Only the facilitator's team sees or deletes photos.
    expect((await upload(url, id, host.token, 'tableId=t1&round=1', png)).status).toBe(201)
    expect(await reason(await get(url, `/api/cafes/${id}/photos`, host.token))).toMatchObject({ status: 403, reason: 'facilitator_only' })
    expect(await reason(await fetch(`${url}/api/cafes/${id}/photos/abcdefgh12345678`, { method: 'DELETE', headers: { authorization: `Bearer ${host.token}` } }))).toMatchObject({ status: 403 })
    expect(await reason(await get(url, `/api/cafes/${id}/photos/../../x`, s.facilitatorKey))).toMatchObject({ status: 404 })
    // A host adds a few retakes of their table's round, not an unbounded number.
    for (let i = 0; i < 4; i++) expect((await upload(url, id, host.token, 'tableId=t1&round=1', png)).status).toBe(201)
    expect(await reason(await upload(url, id, host.token, 'tableId=t1&round=1', png))).toMatchObject({ status: 400, reason: 'bad_data', fields: { photo: expect.stringContaining('per round') } })
  })

  it('a host photographs the round that just ended during the change of tables, and not once the café is over', async () => {
    s = await runningCafe()
    const host = await hostOfT1(s)
    const png = paperPng(64, 48)
    expect(await request(s.facilitator, 'round:skip')).toMatchObject({ ok: true })
    await eventually(() => expect(s!.state().lifecycle.phase).toBe('transition'))
    expect((await upload(s.t.url, s.cafeId, host.token, 'tableId=t1&round=1', png)).status).toBe(201)
    expect(await request(s.facilitator, 'cafe:end')).toMatchObject({ ok: true })
    expect(await request(s.facilitator, 'cafe:close')).toMatchObject({ ok: true })
    await eventually(() => expect(s!.state().lifecycle.phase).toBe('closed'))
    const late = await upload(s.t.url, s.cafeId, host.token, 'tableId=t1&round=1', png)
    expect(late.status).toBe(409)
    expect(((await late.json()) as { error: { reason: string } }).error.reason).toBe('cafe_over')
    // The facilitator still can, for the harvest.
    expect((await upload(s.t.url, s.cafeId, s.facilitatorKey, 'tableId=t2&round=1', png)).status).toBe(201)
  })
})
