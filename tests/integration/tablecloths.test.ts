import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { addNote, readItems } from '../../shared/tablecloth'
import { CLOSE_CODES, YJS_SUBPROTOCOL } from '../../shared/closeCodes'
import { CLIENTS_ROOT } from '../../shared/tableclothRules'
import { MESSAGE_AWARENESS } from '../../server/yjs/TableclothServer'
import { ManualClock } from '../../server/clock'
import { MAX_YJS_FRAME_BYTES, ROUND_END_GRACE_MS } from '../../shared/constants'
import { eventually } from '../helpers/eventually'
import { docFromStep2, syncStep1Frame, updateFrame } from '../helpers/yjsFrames'
import { authProtocols, openTablecloth, rawYjsSocket, request, twoTableCafe } from '../helpers/server'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'

let s: Scenario
const opened: Array<{ destroy(): void }> = []
afterEach(async () => {
  for (const o of opened.splice(0)) o.destroy()
  await s?.close()
})

const open = async (docName: string, credential: Parameters<typeof openTablecloth>[2]) => {
  const tc = await openTablecloth(s.t.wsUrl, docName, credential)
  opened.push(tc)
  return tc
}
const who = (i: number) => ({ participantToken: s.people[i]!.participantToken })
const author = (i: number) => ({ author: s.people[i]!.participantId, authorName: s.people[i]!.name, round: 1, now: Date.now() })
const texts = (doc: Y.Doc) => readItems(doc).map((i) => ('text' in i ? i.text : i.kind)).sort()

describe('tablecloths over y-websocket', () => {
  it('two participants at a table see each other\'s notes live', async () => {
    s = await runningCafe()
    const [a, , c] = [0, 1, 2]
    expect(s.tableOf(s.people[a]!.participantId)).toBe(s.tableOf(s.people[c]!.participantId))
    const doc = s.docOf(s.people[a]!.participantId)
    const A = await open(doc, who(a))
    const C = await open(doc, who(c))
    const serverClient = s.t.server.tablecloths.readDoc(doc, (d) => d.clientID)
    const printed = vi.spyOn(console, 'log')
    addNote(A.doc, author(a), { text: 'Mutualiser les ressources', x: 10, y: 20 })
    addNote(C.doc, author(c), { text: 'Se connaître — prendre le temps', x: 50, y: 20 })
    await eventually(() => expect(texts(C.doc)).toEqual(['Mutualiser les ressources', 'Se connaître — prendre le temps']))
    await eventually(() => expect(texts(A.doc)).toEqual(texts(C.doc)))
    // The binding, written in the writer's own transaction, is not taken by Yjs for another client using
    // the server's id: no "[yjs] Changed the client-id" on the console (outside the log), the same id kept.
    expect(printed.mock.calls.filter((args) => args.some((x) => String(x).includes('[yjs]')))).toEqual([])
    printed.mockRestore()
    expect(s.t.server.tablecloths.readDoc(doc, (d) => d.clientID)).toBe(serverClient)
    const note = readItems(C.doc).find((i) => i.author === s.people[a]!.participantId)!
    expect(note).toMatchObject({ kind: 'note', authorName: 'Amélie', round: 1 })
    // The server binds each writer's Yjs client to them with their first write: every copy has it, the writer's too.
    const bound = { [String(A.doc.clientID)]: s.people[a]!.participantId, [String(C.doc.clientID)]: s.people[c]!.participantId }
    for (const copy of [A.doc, C.doc]) await eventually(() => expect(copy.getMap(CLIENTS_ROOT).toJSON()).toEqual(bound))
    const fresh = await open(doc, { facilitatorKey: s.facilitatorKey })
    await eventually(() => expect(fresh.doc.getMap(CLIENTS_ROOT).toJSON()).toEqual(bound))
  })

  it('a participant of another table reads but cannot write, even with hand-crafted frames', async () => {
    s = await runningCafe()
    const a = 0, b = 1
    const tableA = s.tableOf(s.people[a]!.participantId)
    expect(s.tableOf(s.people[b]!.participantId)).not.toBe(tableA)
    const doc = s.docName(tableA, tableA === 't1' ? 'q1' : 'q2')
    const A = await open(doc, who(a))
    addNote(A.doc, author(a), { text: 'écrit par A', x: 0, y: 0 })
    const B = await open(doc, who(b))
    await eventually(() => expect(texts(B.doc)).toEqual(['écrit par A']))
    // Through the stock provider: the write stays local to B.
    addNote(B.doc, author(b), { text: 'intrus via provider', x: 0, y: 0 })
    // Hand-crafted: an Update and a SyncStep2, each carrying a note.
    const raw = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(b)))
    const forged = new Y.Doc()
    addNote(forged, author(b), { text: 'intrus via update', x: 0, y: 0 })
    raw.ws.send(updateFrame(Y.encodeStateAsUpdate(forged)))
    const forged2 = new Y.Doc()
    addNote(forged2, author(b), { text: 'intrus via step2', x: 0, y: 0 })
    raw.ws.send(updateFrame(Y.encodeStateAsUpdate(forged2), syncProtocol.messageYjsSyncStep2))
    // The server handles one connection's frames in order: once it answers this, the forgeries were handled.
    raw.ws.send(syncStep1Frame())
    const serverDoc = await eventually(() => { const d = docFromStep2(raw.messages.slice(1)); expect(d).not.toBeNull(); return d! })
    expect(texts(serverDoc)).toEqual(['écrit par A'])
    addNote(A.doc, author(a), { text: 'encore A', x: 0, y: 0 })
    await eventually(() => expect(texts(B.doc)).toContain('encore A'))
    expect(texts(A.doc)).toEqual(['encore A', 'écrit par A'])
    raw.ws.close()
  })

  it('write access moves with the rotation (after the 15 s grace for the last words)', async () => {
    const clock = new ManualClock(Date.now())
    s = await runningCafe({ server: { clock } })
    const a = 0
    const t1 = s.tableOf(s.people[a]!.participantId)
    const q = (t: string) => (t === 't1' ? 'q1' : 'q2')
    expect((await request(s.facilitator, 'round:skip')).ok).toBe(true)
    const t2 = s.tableOf(s.people[a]!.participantId)
    expect(t2).not.toBe(t1)
    expect((await request(s.facilitator, 'round:start')).ok).toBe(true)
    clock.advance(ROUND_END_GRACE_MS + 1)
    const oldDoc = await open(s.docName(t1, q(t1)), who(a))
    const newDoc = await open(s.docName(t2, q(t2)), who(a))
    const watcher = await open(s.docName(t2, q(t2)), { facilitatorKey: s.facilitatorKey })
    const watcherOld = await open(s.docName(t1, q(t1)), { facilitatorKey: s.facilitatorKey })
    addNote(oldDoc.doc, { ...author(a), round: 2 }, { text: 'trop tard', x: 0, y: 0 })
    addNote(newDoc.doc, { ...author(a), round: 2 }, { text: 'nouvelle table', x: 0, y: 0 })
    await eventually(() => expect(texts(watcher.doc)).toEqual(['nouvelle table']))
    // Flush the old connection's frames through the server before checking nothing arrived.
    const probe = await rawYjsSocket(s.t.wsUrl, s.docName(t1, q(t1)), authProtocols({ facilitatorKey: s.facilitatorKey }))
    probe.ws.send(syncStep1Frame())
    await eventually(() => expect(docFromStep2(probe.messages)).not.toBeNull())
    expect(texts(docFromStep2(probe.messages)!)).toEqual([])
    expect(texts(watcherOld.doc)).toEqual([])
    probe.ws.close()
  })

  it('refuses strangers, wrong tokens, unknown documents and old clients with named close codes', async () => {
    s = await runningCafe()
    const doc = s.docName('t1', 'q1')
    expect(await (await rawYjsSocket(s.t.wsUrl, doc, [YJS_SUBPROTOCOL])).closed).toMatchObject({ code: CLOSE_CODES.unauthorized.code })
    expect(await (await rawYjsSocket(s.t.wsUrl, doc, [])).closed).toMatchObject({ code: CLOSE_CODES.unauthorized.code })
    expect(await (await rawYjsSocket(s.t.wsUrl, doc, authProtocols({ participantToken: 'x'.repeat(43) }))).closed).toMatchObject({ code: 4401 })
    expect(await (await rawYjsSocket(s.t.wsUrl, doc, authProtocols({ facilitatorKey: 'y'.repeat(43) }))).closed).toMatchObject({ code: 4401 })
    expect(await (await rawYjsSocket(s.t.wsUrl, s.docName('t1', 'q2'), authProtocols(who(0)))).closed).toMatchObject({ code: CLOSE_CODES.notFound.code })
    expect(await (await rawYjsSocket(s.t.wsUrl, 'not-a-doc', authProtocols(who(0)))).closed).toMatchObject({ code: 4404 })
    const old = await rawYjsSocket(s.t.wsUrl, doc, ['nappe.v0', `nappe.auth.p.${s.people[0]!.participantToken}`])
    expect(await old.closed).toMatchObject({ code: CLOSE_CODES.protocolMismatch.code, reason: 'protocol-mismatch-reload' })
    // A participant of another café cannot open this café's tablecloths either.
    const other = await runningCafe()
    try {
      const foreign = await rawYjsSocket(s.t.wsUrl, doc, authProtocols({ participantToken: other.people[0]!.participantToken }))
      expect(await foreign.closed).toMatchObject({ code: 4401 })
    } finally { await other.close() }
  })

  it('awareness cannot be spoofed: ids are bound to their connection, and the user is who the server says', async () => {
    s = await runningCafe()
    const a = 0, c = 2
    const doc = s.docOf(s.people[a]!.participantId)
    const A = await open(doc, who(a))
    const C = await open(doc, who(c))
    A.provider.awareness.setLocalStateField('user', { name: 'Le facilitateur', id: 'facilitator', color: '#f00' })
    await eventually(() => expect(C.provider.awareness.getStates().get(A.doc.clientID)?.user).toEqual({ name: 'Amélie', id: s.people[a]!.participantId, role: 'participant', color: '#f00' }))
    // C forges an awareness update for A's client id on a raw connection: the connection is closed.
    const raw = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(c)))
    // An echo of A's state (same clock) is silently ignored, as stock clients send those all the time.
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, MESSAGE_AWARENESS)
    const forged = (clock: number) => {
      const inner = encoding.createEncoder()
      encoding.writeVarUint(inner, 1)
      encoding.writeVarUint(inner, A.doc.clientID)
      encoding.writeVarUint(inner, clock)
      encoding.writeVarString(inner, JSON.stringify({ user: { name: 'Amélie' }, cursor: { x: 1 } }))
      return encoding.toUint8Array(inner)
    }
    const current = C.provider.awareness.meta.get(A.doc.clientID)!.clock
    const echo = encoding.createEncoder()
    encoding.writeVarUint(echo, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(echo, forged(current))
    raw.ws.send(encoding.toUint8Array(echo))
    // A newer clock for somebody else's id is a forgery.
    encoding.writeVarUint8Array(e, forged(current + 100))
    raw.ws.send(encoding.toUint8Array(e))
    expect(await raw.closed).toMatchObject({ code: CLOSE_CODES.forbidden.code })
    expect(C.provider.awareness.getStates().get(A.doc.clientID)?.cursor).toBeUndefined()
  })

  it('malformed and oversized frames close only that connection; every other table keeps working', async () => {
    s = await runningCafe()
    const a = 0, c = 2
    const doc = s.docOf(s.people[a]!.participantId)
    const A = await open(doc, who(a))
    const C = await open(doc, who(c))
    const cases: Array<[string, (ws: import('ws').WebSocket) => void, number]> = [
      ['unknown message type', (ws) => ws.send(new Uint8Array([42, 1, 2])), 4400],
      ['unknown sync type', (ws) => ws.send(new Uint8Array([0, 9, 0])), 4400],
      ['truncated frame', (ws) => ws.send(new Uint8Array([0, 0])), 4400],
      ['text frame', (ws) => ws.send('hello'), 4400],
      ['awareness with broken JSON', (ws) => { const e = encoding.createEncoder(); encoding.writeVarUint(e, 1); const inner = encoding.createEncoder(); encoding.writeVarUint(inner, 1); encoding.writeVarUint(inner, 77); encoding.writeVarUint(inner, 1); encoding.writeVarString(inner, '{nope'); encoding.writeVarUint8Array(e, encoding.toUint8Array(inner)); ws.send(encoding.toUint8Array(e)) }, 4400],
      ['frame over the Yjs frame limit', (ws) => ws.send(new Uint8Array(MAX_YJS_FRAME_BYTES + 10)), CLOSE_CODES.messageTooBig.code],
    ]
    for (const [label, sendBad, code] of cases) {
      const raw = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(c)))
      sendBad(raw.ws)
      expect((await raw.closed).code, label).toBe(code)
    }
    // A garbage update is refused with a named reason; the connection stays open.
    const raw = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(c)))
    raw.ws.send(updateFrame(new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02])))
    await eventually(() => expect(raw.messages.some((m) => m[0] === 2 && new TextDecoder().decode(m).includes('bad-item'))).toBe(true))
    expect(raw.ws.readyState).toBe(raw.ws.OPEN)
    raw.ws.close()
    addNote(A.doc, author(a), { text: 'toujours là', x: 0, y: 0 })
    await eventually(() => expect(texts(C.doc)).toEqual(['toujours là']))
    expect((await fetch(`${s.t.url}/healthz`)).status).toBe(200)
  })

  it('unloads a document nobody is connected to, and memory does not grow round after round', async () => {
    s = await runningCafe({ cafe: { title: 'Cinq tours', shape: 'classic', tables: [{ name: 'A' }, { name: 'B' }], questions: ['1', '2', '3', '4', '5'].map((n) => ({ text: `Question ${n}` })), roundMinutes: 1 } })
    const a = 0
    for (let round = 1; round <= 5; round++) {
      const table = s.tableOf(s.people[a]!.participantId)
      const tc = await openTablecloth(s.t.wsUrl, s.docName(table, `q${round}`), who(a))
      addNote(tc.doc, { ...author(a), round }, { text: `tour ${round}`, x: 0, y: 0 })
      const watcher = await openTablecloth(s.t.wsUrl, s.docName(table, `q${round}`), { facilitatorKey: s.facilitatorKey })
      await eventually(() => expect(texts(watcher.doc)).toEqual([`tour ${round}`]))
      expect(s.t.server.tablecloths.loadedDocs).toBe(1)
      tc.destroy()
      watcher.destroy()
      await eventually(() => expect(s.t.server.tablecloths.loadedDocs).toBe(0))
      if (round < 5) {
        expect((await request(s.facilitator, 'round:skip')).ok).toBe(true)
        expect((await request(s.facilitator, 'round:start')).ok).toBe(true)
      }
    }
    // Reloaded from the database, nothing is missing.
    const table = s.tableOf(s.people[a]!.participantId)
    const back = await open(s.docName(table, 'q5'), { facilitatorKey: s.facilitatorKey })
    expect(texts(back.doc)).toEqual(['tour 5'])
  })
})

describe('tablecloths made ready before a rotation opens them', () => {
  it('round 1\'s are stored once the café opens and the next round\'s at the announcement, before anyone opens them; opening one writes nothing more', async () => {
    const clock = new ManualClock(Date.now())
    // Classic: each round has its own question, so round 2 writes on new tablecloths.
    s = await runningCafe({ server: { clock }, cafe: { ...twoTableCafe, shape: 'classic' } })
    const cafe = s.t.server.registry.get(s.cafeId)!
    const stored = (name: string) => s.t.server.writer.loadDoc(name).updates.length
    const round1 = cafe.roundDocNames(1)
    expect(round1.length).toBeGreaterThan(0)
    await eventually(() => expect(round1.map(stored)).toEqual(round1.map(() => 1)))
    // What was stored is the tablecloth's start: whoever opens it finds it, and the server adds nothing.
    const doc = s.docOf(s.people[0]!.participantId)
    const tc = await open(doc, who(0))
    expect(tc.doc.getMap('meta').get('cafeId')).toBe(s.cafeId)
    expect(stored(doc)).toBe(1)
    // Round 2's, 30 s before the move.
    const round2 = cafe.roundDocNames(2).filter((n) => !round1.includes(n))
    expect(round2.length).toBeGreaterThan(0)
    expect(round2.map(stored)).toEqual(round2.map(() => 0))
    clock.advance(cafe.definition.rounds[0]!.durationMs - 30_000)
    await eventually(() => expect(round2.map(stored)).toEqual(round2.map(() => 1)))
    await eventually(() => expect(cafe.record.nextSeating).not.toBeNull())
  })
})
