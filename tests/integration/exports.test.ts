/** The export and import API against the real server: keys, formats, round trips, round-end snapshots. */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ManualClock } from '../../server/clock'
import { buildArchive } from '../../server/export/archive'
import { ROUND_END_GRACE_MS } from '../../shared/constants'
import { addTheme, harvestDocName, placeContributions, setKeyPoint } from '../../shared/harvest'
import { CLOSE_CODES } from '../../shared/closeCodes'
import { addNote, readItems } from '../../shared/tablecloth'
import { eventually } from '../helpers/eventually'
import { frenchCafeData } from '../fixtures/frenchCafe'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'
import type { TestServer } from '../helpers/server'
import { authProtocols, openTablecloth, rawYjsSocket, request, startServer } from '../helpers/server'

let t: TestServer | null = null
let s: Scenario | null = null
afterEach(async () => { await s?.close(); s = null; await t?.close(); t = null })

const GOLDEN = readFileSync(new URL('../golden/synthese-fixture.md', import.meta.url), 'utf8')

async function importFixture(url: string) {
  const archive = buildArchive(frenchCafeData())
  const res = await fetch(`${url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(archive) })
  expect(res.status).toBe(201)
  return { archive, created: (await res.json()) as { id: string; facilitatorKey: string; joinCode: string } }
}

const get = (url: string, path: string, key?: string) => fetch(`${url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} })

describe('exports API', () => {
  it('imports an archive and exports the same archive and the golden synthesis', async () => {
    t = await startServer()
    const { archive, created } = await importFixture(t.url)
    const json = await get(t.url, `/api/cafes/${created.id}/export?format=json`, created.facilitatorKey)
    expect(json.status).toBe(200)
    expect(json.headers.get('content-disposition')).toContain('world-cafe-assuetudes-2011-12-09-archive.json')
    expect(await json.json()).toEqual(JSON.parse(JSON.stringify(archive)))
    const md = await get(t.url, `/api/cafes/${created.id}/export?format=md`, created.facilitatorKey)
    expect(md.headers.get('content-type')).toBe('text/markdown; charset=utf-8')
    expect(await md.text()).toBe(GOLDEN)
    // The imported café waits in the harvest: nobody can join it with its new code.
    expect((await get(t.url, `/api/join/${created.joinCode}`)).status).toBe(404)
  })

  it('leaves out of the exports a registered person who never came (marked absent), not one who came late', async () => {
    s = await runningCafe({ names: ['Amélie', 'Bruno'], start: false })
    const added = await request<{ participants: Array<{ id: string }> }>(s.facilitator, 'participant:add', { people: [{ displayName: 'Jamais venu', organisation: 'Nulle part' }, { displayName: 'Venu tard' }] })
    expect(added.ok).toBe(true)
    const [never, late] = added.ok ? added.data.participants.map((p) => p.id) : []
    expect((await request(s.facilitator, 'participant:setPresent', { participantId: never, present: false })).ok).toBe(true)
    expect((await request(s.facilitator, 'participant:setPresent', { participantId: late, present: false })).ok).toBe(true)
    expect((await request(s.facilitator, 'round:start')).ok).toBe(true)
    expect((await request(s.facilitator, 'participant:setPresent', { participantId: late, present: true })).ok).toBe(true)
    expect((await request(s.facilitator, 'cafe:end')).ok).toBe(true)
    const archive = await (await get(s.t.url, `/api/cafes/${s.cafeId}/export?format=json`, s.facilitatorKey)).json() as { participants: Array<{ displayName: string }> }
    expect(archive.participants.map((p) => p.displayName).sort()).toEqual(['Amélie', 'Bruno', 'Venu tard'])
    const md = await (await get(s.t.url, `/api/cafes/${s.cafeId}/export?format=md`, s.facilitatorKey)).text()
    expect(md).not.toContain('Nulle part')
  })

  it('wants the facilitator key in a Bearer header: 401 without, 403 when wrong, 400 for an unknown format', async () => {
    t = await startServer()
    const { created } = await importFixture(t.url)
    const path = `/api/cafes/${created.id}/export?format=md`
    const none = await get(t.url, path)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer')
    expect((await get(t.url, `${path}&key=${created.facilitatorKey}`)).status).toBe(401)
    const wrong = await get(t.url, path, 'x'.repeat(43))
    expect(wrong.status).toBe(403)
    expect(await wrong.json()).toMatchObject({ error: { code: 'forbidden' } })
    const bad = await get(t.url, `/api/cafes/${created.id}/export?format=exe`, created.facilitatorKey)
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.message).toContain('md, docx, pdf, csv, xlsx, json, zip')
    expect((await get(t.url, `/api/cafes/${created.id}/export?format=md&format=pdf`, created.facilitatorKey)).status).toBe(400)
    expect((await get(t.url, '/api/cafes/nope/export?format=md', created.facilitatorKey)).status).toBe(404)
    expect((await get(t.url, `/api/cafes/${created.id}/contributions`, 'x'.repeat(43))).status).toBe(403)
  })

  it('refuses what is not an archive, with a clear message, and creates nothing', async () => {
    t = await startServer()
    const post = (body: string) => fetch(`${t!.url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const cafesBefore = t.server.registry.all().length
    expect(await (await post('{"hello":1}')).json()).toMatchObject({ error: { code: 'bad_request', message: 'This is not a Nappe café archive.' } })
    const newer = { ...buildArchive(frenchCafeData()), schemaVersion: 99 }
    expect((await (await post(JSON.stringify(newer))).json()).error.message).toContain('newer version of Nappe')
    const broken = buildArchive(frenchCafeData())
    broken.tablecloths[0]!.items[0]!.color = 'url(javascript:alert(1))'
    const res = await post(JSON.stringify(broken))
    expect(res.status).toBe(400)
    expect((await res.json()).error.fields).toHaveProperty(['tablecloths.0.items.0.color'])
    const stray = buildArchive(frenchCafeData())
    stray.tablecloths.push({ tableId: 't9', questionId: 'q1', items: [] })
    expect((await (await post(JSON.stringify(stray))).json()).error.message).toContain('t9')
    expect((await post('{not json')).status).toBe(400)
    const twice = buildArchive(frenchCafeData())
    twice.snapshots.push(twice.snapshots[0]!)
    expect((await (await post(JSON.stringify(twice))).json()).error.message).toContain('twice')
    expect(t.server.registry.all().length).toBe(cafesBefore)
    // Imports are counted per address: the 11th in a minute waits.
    for (let i = 0; i < 4; i++) expect((await post('{}')).status).toBe(400)
    const limited = await post('{}')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('keeps every tablecloth as it was when each round ended (after the write grace), for the images', async () => {
    const clock = new ManualClock(Date.now())
    s = await runningCafe({ server: { clock } })
    const [a] = s.people
    const doc = s.docOf(a!.participantId)
    const tc = await openTablecloth(s.t.wsUrl, doc, { participantToken: a!.participantToken })
    addNote(tc.doc, { author: a!.participantId, authorName: a!.name, round: 1, now: clock.now() }, { text: 'écrit au tour 1', x: 0, y: 0 })
    expect((await request(s.facilitator, 'round:skip')).ok).toBe(true)
    // A last word within the grace period still belongs to the end of round 1.
    addNote(tc.doc, { author: a!.participantId, authorName: a!.name, round: 1, now: clock.now() }, { text: 'dernier mot', x: 0, y: 100 })
    const writer = s.t.server.writer
    const cafe = s.t.server.registry.get(s.cafeId)!
    await eventually(() => expect(s!.t.server.tablecloths.readDoc(doc, readItems)).toHaveLength(2))
    expect(writer.listSnapshots(s.cafeId)).toEqual([])
    clock.advance(ROUND_END_GRACE_MS + 1)
    const snaps = writer.listSnapshots(s.cafeId)
    expect(snaps.map((x) => [x.docName, x.round])).toEqual([[doc, 1]])
    expect(cafe.record.snapshotRounds).toBe(1)
    const d = new Y.Doc()
    Y.applyUpdate(d, snaps[0]!.state)
    expect(readItems(d).map((i) => (i.kind === 'stroke' ? '' : i.text)).sort()).toEqual(['dernier mot', 'écrit au tour 1'])
    tc.destroy()
  })

  it('serves the harvest document to facilitators only, and the console export reflects the themes', async () => {
    s = await runningCafe()
    const [a] = s.people
    const tc = await openTablecloth(s.t.wsUrl, s.docOf(a!.participantId), { participantToken: a!.participantToken })
    const noteId = addNote(tc.doc, { author: a!.participantId, authorName: a!.name, round: 1, now: Date.now() }, { text: 'Le temps manque', x: 0, y: 0 })
    const refused = await rawYjsSocket(s.t.wsUrl, harvestDocName(s.cafeId), authProtocols({ participantToken: a!.participantToken }))
    expect((await refused.closed).code).toBe(CLOSE_CODES.forbidden.code)
    const h = await openTablecloth(s.t.wsUrl, harvestDocName(s.cafeId), { facilitatorKey: s.facilitatorKey })
    const theme = addTheme(h.doc, 'q:q1', 'Les freins')
    const key = `${s.tableOf(a!.participantId)}:q1:${noteId}`
    placeContributions(h.doc, [key], theme)
    setKeyPoint(h.doc, key, true)
    await eventually(async () => {
      const md = await (await get(s!.t.url, `/api/cafes/${s!.cafeId}/export?format=md`, s!.facilitatorKey)).text()
      expect(md).toContain('#### Les freins\n\nUne idée est évoquée : **le temps manque**.')
    }, { timeoutMs: 40_000 }) // the first export starts the export thread (cold on a fresh clone)
    const data = await (await get(s.t.url, `/api/cafes/${s.cafeId}/contributions`, s.facilitatorKey)).json()
    expect(data.contributions).toMatchObject([{ key, text: 'Le temps manque', authorName: a!.name, round: 1 }])
    expect(data.people).toHaveLength(4)
    expect(JSON.stringify(data.people)).not.toContain(a!.name)
    h.destroy()
    tc.destroy()
  }, 60_000)
})
