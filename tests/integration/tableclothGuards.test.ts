/**
 * The server guards the tablecloths: hand-made Yjs clients try what the UI never sends, through a real
 * server. Every refusal is whole, named, and leaves the tablemates' words as their authors wrote them.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { addNote, deleteItem, itemsMap, readItems, removeItem, setItemText } from '../../shared/tablecloth'
import { ManualClock } from '../../server/clock'
import { MESSAGE_AWARENESS, MESSAGE_SYNC, YJS_CONNECTION_LIMITS } from '../../server/yjs/TableclothServer'
import { CLOSE_CODES } from '../../shared/closeCodes'
import { ROUND_END_GRACE_MS } from '../../shared/constants'
import { TABLECLOTH_LIMITS } from '../../shared/tableclothRules'
import { eventually } from '../helpers/eventually'
import { refusals, syncStep1Frame as step1Frame, updateFrame } from '../helpers/yjsFrames'
import { authProtocols, openTablecloth, rawYjsSocket, request, twoTableCafe } from '../helpers/server'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'

let s: Scenario
const opened: Array<{ destroy(): void }> = []
afterEach(async () => {
  for (const o of opened.splice(0)) o.destroy()
  await s?.close()
})

const who = (i: number) => ({ participantToken: s.people[i]!.participantToken })
const facilitator = () => ({ facilitatorKey: s.facilitatorKey })
const author = (i: number, round = 1, now = Date.now()) => ({ author: s.people[i]!.participantId, authorName: s.people[i]!.name, round, now })
const open = async (docName: string, credential: Parameters<typeof openTablecloth>[2]) => {
  const tc = await openTablecloth(s.t.wsUrl, docName, credential)
  opened.push(tc)
  return tc
}

const step2Count = (messages: Uint8Array[]) => messages.filter((m) => m[0] === MESSAGE_SYNC && m[1] === syncProtocol.messageYjsSyncStep2).length

/** A hand-made client: a Y.Doc with the server's state, whose next change is sent as one raw frame. */
async function handMade(docName: string, credential: Parameters<typeof openTablecloth>[2]) {
  const reader = await open(docName, credential)
  const raw = await rawYjsSocket(s.t.wsUrl, docName, authProtocols(credential))
  opened.push({ destroy: () => raw.ws.close() })
  const local = new Y.Doc()
  return {
    raw,
    /** Applies fn to a fresh copy of what the server has, and sends exactly what it changed. */
    async send(fn: (doc: Y.Doc) => void): Promise<void> {
      Y.applyUpdate(local, Y.encodeStateAsUpdate(reader.doc))
      const before = Y.encodeStateVector(local)
      fn(local)
      raw.ws.send(updateFrame(Y.encodeStateAsUpdate(local, before)))
    },
    reset() { local.destroy() },
  }
}

const textOf = (i: { kind: string } & Partial<{ text: string }>) => ('text' in i ? i.text : i.kind)

/** The server's own copy, read through a facilitator that just connected. */
async function serverItems(docName: string) {
  const probe = await openTablecloth(s.t.wsUrl, docName, facilitator())
  try { return readItems(probe.doc, { includeRemoved: true }) } finally { probe.destroy() }
}

describe('the server guards every word on a tablecloth', () => {
  it('refuses a tablemate deleting, rewriting, re-authoring or re-rounding a note, with a named reason each time', async () => {
    s = await runningCafe()
    const [a, c] = [0, 2]
    const doc = s.docOf(s.people[a]!.participantId)
    expect(s.docOf(s.people[c]!.participantId)).toBe(doc)
    const A = await open(doc, who(a))
    const noteId = addNote(A.doc, author(a), { text: 'Mutualiser les ressources', x: 10, y: 20 })
    await eventually(async () => expect((await serverItems(doc)).map((i) => i.id)).toEqual([noteId]))

    const attacks: Array<[string, (d: Y.Doc) => void]> = [
      ['delete', (d) => deleteItem(d, noteId)],
      ['rewrite', (d) => setItemText(d, noteId, 'Chloé était là')],
      ['re-author', (d) => { (itemsMap(d).get(noteId) as Y.Map<unknown>).set('author', s.people[c]!.participantId) }],
      ['re-name', (d) => { (itemsMap(d).get(noteId) as Y.Map<unknown>).set('authorName', 'Chloé') }],
      ['re-round', (d) => { (itemsMap(d).get(noteId) as Y.Map<unknown>).set('round', 2) }],
      ['replace', (d) => { itemsMap(d).set(noteId, new Y.Map()) }],
    ]
    for (const [label, attack] of attacks) {
      const C = await handMade(doc, who(c))
      await C.send(attack)
      await eventually(() => expect(refusals(C.raw.messages), label).toEqual(['not-owner']))
      C.reset()
    }
    const [note] = await serverItems(doc)
    expect(note).toMatchObject({ id: noteId, text: 'Mutualiser les ressources', author: s.people[a]!.participantId, authorName: 'Amélie', round: 1, x: 10, y: 20 })
    expect(readItems(A.doc)).toMatchObject([{ text: 'Mutualiser les ressources', authorName: 'Amélie' }])
  })

  it('refuses a forged author even as the first update after the tablecloth was (re)loaded', async () => {
    s = await runningCafe()
    const [a, c] = [0, 2]
    const doc = s.docOf(s.people[a]!.participantId)
    const A = await openTablecloth(s.t.wsUrl, doc, who(a))
    addNote(A.doc, author(a), { text: 'avant le rechargement', x: 0, y: 0 })
    await eventually(async () => expect(await serverItems(doc)).toHaveLength(1))
    A.destroy()
    await eventually(() => expect(s.t.server.tablecloths.loadedDocs).toBe(0))
    // The first frame on the freshly loaded document: a note in Amélie's name.
    const raw = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(c)))
    opened.push({ destroy: () => raw.ws.close() })
    const forged = new Y.Doc()
    addNote(forged, author(a), { text: 'signé Amélie ?', x: 0, y: 0 })
    raw.ws.send(updateFrame(Y.encodeStateAsUpdate(forged)))
    await eventually(() => expect(refusals(raw.messages)).toEqual(['not-owner']))
    expect((await serverItems(doc)).map(textOf)).toEqual(['avant le rechargement'])
  })

  it('refuses a delete set aimed at a tablemate\'s future edits, and the tablemate\'s next note arrives whole', async () => {
    s = await runningCafe()
    const [a, c] = [0, 2]
    const doc = s.docOf(s.people[a]!.participantId)
    const A = await open(doc, who(a))
    addNote(A.doc, author(a), { text: 'un', x: 0, y: 0 })
    await eventually(async () => expect(await serverItems(doc)).toHaveLength(1))
    const raw = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(c)))
    opened.push({ destroy: () => raw.ws.close() })
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 0) // no structs
    encoding.writeVarUint(e, 1) // one client in the delete set: Amélie's
    encoding.writeVarUint(e, A.doc.clientID)
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint(e, Y.getState(A.doc.store, A.doc.clientID))
    encoding.writeVarUint(e, 10_000)
    raw.ws.send(updateFrame(encoding.toUint8Array(e)))
    await eventually(() => expect(refusals(raw.messages)).toEqual(['future-delete']))
    addNote(A.doc, author(a), { text: 'deux', x: 0, y: 0 })
    await eventually(async () => expect((await serverItems(doc)).map(textOf).sort()).toEqual(['deux', 'un']))
  })

  it('refuses hundreds of notes in one frame (thousands do not fit in a frame) without stalling the other tables', async () => {
    s = await runningCafe()
    const [a, b, c] = [0, 1, 2]
    const doc = s.docOf(s.people[a]!.participantId)
    const other = s.docOf(s.people[b]!.participantId)
    expect(other).not.toBe(doc)
    const C = await handMade(doc, who(c))
    const B = await open(other, who(b))
    const D = await open(other, who(3))
    const started = performance.now()
    await C.send((d) => d.transact(() => { for (let i = 0; i < 400; i++) addNote(d, author(c), { text: `n${i}`, x: 0, y: 0 }) }))
    addNote(B.doc, author(b), { text: 'la table voisine continue', x: 0, y: 0 })
    await eventually(() => expect(readItems(D.doc).map(textOf)).toEqual(['la table voisine continue']))
    await eventually(() => expect(refusals(C.raw.messages)).toEqual(['too-many-items']))
    expect(performance.now() - started).toBeLessThan(15_000)
    expect(await serverItems(doc)).toEqual([])
    expect(TABLECLOTH_LIMITS.itemsPerPersonRound).toBeLessThan(400)
  })

  it('answers a flood of full-state requests a few at a time, not hundreds of megabytes at once', async () => {
    s = await runningCafe()
    const a = 0
    const doc = s.docOf(s.people[a]!.participantId)
    const A = await open(doc, who(a))
    A.doc.transact(() => { for (let i = 0; i < 200; i++) addNote(A.doc, author(a), { text: `idée ${i} `.repeat(20), x: i, y: 0 }) })
    await eventually(async () => expect(await serverItems(doc)).toHaveLength(200))
    const raw = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(1)))
    opened.push({ destroy: () => raw.ws.close() })
    for (let i = 0; i < 200; i++) raw.ws.send(step1Frame())
    // Once the server has read every request it answers one more: a health check answered meanwhile shows it kept up.
    expect((await fetch(`${s.t.url}/healthz`)).status).toBe(200)
    await eventually(() => expect(step2Count(raw.messages)).toBeGreaterThanOrEqual(10))
    expect(step2Count(raw.messages)).toBeLessThanOrEqual(11)
    expect(raw.ws.readyState).toBe(raw.ws.OPEN)
    // A new connection brings no new allowance: the person is limited, not the connection.
    const again = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(1)))
    opened.push({ destroy: () => again.ws.close() })
    for (let i = 0; i < 50; i++) again.ws.send(step1Frame())
    expect((await fetch(`${s.t.url}/healthz`)).status).toBe(200)
    expect(step2Count(again.messages)).toBeLessThanOrEqual(1)
  })

  it('one person cannot hold more tablecloth connections than a phone ever needs', async () => {
    s = await runningCafe()
    const doc = s.docOf(s.people[0]!.participantId)
    const socks = []
    for (let i = 0; i < YJS_CONNECTION_LIMITS.maxOpenPerPerson; i++) socks.push(await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(0))))
    for (const r of socks) opened.push({ destroy: () => r.ws.close() })
    const extra = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(0)))
    expect((await extra.closed).code).toBe(CLOSE_CODES.rateLimited.code)
    // Someone else at the table is not affected, and a closed one frees a place.
    const other = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(2)))
    opened.push({ destroy: () => other.ws.close() })
    expect(other.ws.readyState).toBe(other.ws.OPEN)
    socks[0]!.ws.close()
    await socks[0]!.closed
    await eventually(async () => {
      const again = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(0)))
      opened.push({ destroy: () => again.ws.close() })
      expect(again.ws.readyState).toBe(again.ws.OPEN)
    })
  })

  it('a moderator removes and restores; nobody deletes a participant\'s note for good', async () => {
    s = await runningCafe()
    const a = 0
    const doc = s.docOf(s.people[a]!.participantId)
    const A = await open(doc, who(a))
    const noteId = addNote(A.doc, author(a), { text: 'hors sujet ?', x: 0, y: 0 })
    await eventually(async () => expect(await serverItems(doc)).toHaveLength(1))
    const F = await handMade(doc, facilitator())
    await F.send((d) => deleteItem(d, noteId))
    await eventually(() => expect(refusals(F.raw.messages)).toEqual(['soft-delete-only']))
    const M = await open(doc, facilitator())
    removeItem(M.doc, noteId, 'facilitator', Date.now())
    await eventually(() => expect(readItems(A.doc)).toEqual([]))
    const [kept] = await serverItems(doc)
    expect(kept).toMatchObject({ text: 'hors sujet ?', removed: { by: 'facilitator' } })
  })
})

describe('late words', () => {
  it('a note written during round 1 reaches its table after the rotation and the grace, keeps its round, and is marked late once the round is closed', async () => {
    const clock = new ManualClock(Date.now())
    s = await runningCafe({ server: { clock }, cafe: { ...twoTableCafe, roundMinutes: 60 } })
    const [a, b] = [0, 1]
    const t1 = s.tableOf(s.people[a]!.participantId)
    const q1 = t1 === 't1' ? 'q1' : 'q2'
    const doc = s.docName(t1, q1)
    expect(s.tableOf(s.people[b]!.participantId)).not.toBe(t1)
    // Written offline during round 1: a copy of the tablecloth that is not connected.
    const offline = new Y.Doc()
    const writtenAt = clock.now()
    addNote(offline, author(a, 1, writtenAt), { text: 'écrit hors ligne au tour 1', x: 0, y: 0 })
    expect((await request(s.facilitator, 'round:skip')).ok).toBe(true)
    expect((await request(s.facilitator, 'round:start')).ok).toBe(true)
    expect(s.tableOf(s.people[a]!.participantId)).not.toBe(t1)
    clock.advance(ROUND_END_GRACE_MS + TABLECLOTH_LIMITS.clockSkewMs + 60_000)

    const raw = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(a)))
    opened.push({ destroy: () => raw.ws.close() })
    raw.ws.send(updateFrame(Y.encodeStateAsUpdate(offline)))
    await eventually(async () => expect((await serverItems(doc)).map((i) => [textOf(i), i.round, i.author])).toEqual([['écrit hors ligne au tour 1', 1, s.people[a]!.participantId]]))
    const [late] = await serverItems(doc)
    expect(late!.lateAt).toBeTypeOf('number')
    expect(refusals(raw.messages)).toEqual([])

    // Nothing else opens: not a round-2 note at the old table, not someone who never sat there.
    const raw2 = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(a)))
    opened.push({ destroy: () => raw2.ws.close() })
    const round2 = new Y.Doc()
    addNote(round2, author(a, 2, clock.now()), { text: 'tour 2 à l\'ancienne table', x: 0, y: 0 })
    raw2.ws.send(updateFrame(Y.encodeStateAsUpdate(round2)))
    await eventually(() => expect(refusals(raw2.messages)).toEqual(['round-closed']))
    const rawB = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(b)))
    opened.push({ destroy: () => rawB.ws.close() })
    const stranger = new Y.Doc()
    addNote(stranger, author(b, 1, writtenAt), { text: 'jamais assis là', x: 0, y: 0 })
    rawB.ws.send(updateFrame(Y.encodeStateAsUpdate(stranger)))
    // Bruno may sit at this table in round 2, never in round 1: refused either way.
    await eventually(() => expect(refusals(rawB.messages)).toEqual([s.tableOf(s.people[b]!.participantId) === t1 ? 'round-closed' : 'read-only']))
    // A note claiming round 1 but written long after it ended is not a late word.
    const raw3 = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(a)))
    opened.push({ destroy: () => raw3.ws.close() })
    const backdated = new Y.Doc()
    addNote(backdated, author(a, 1, clock.now()), { text: 'antidaté', x: 0, y: 0 })
    raw3.ws.send(updateFrame(Y.encodeStateAsUpdate(backdated)))
    await eventually(() => expect(refusals(raw3.messages)).toEqual(['round-closed']))

    // After the café's rounds are over, late words still reach the harvest.
    expect((await request(s.facilitator, 'cafe:end')).ok).toBe(true)
    const after = new Y.Doc()
    addNote(after, author(a, 1, writtenAt + 1000), { text: 'arrivé pendant la récolte', x: 0, y: 0 })
    const raw4 = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(a)))
    opened.push({ destroy: () => raw4.ws.close() })
    raw4.ws.send(updateFrame(Y.encodeStateAsUpdate(after)))
    await eventually(async () => expect((await serverItems(doc)).find((i) => textOf(i) === 'arrivé pendant la récolte')?.lateAt).toBeTypeOf('number'))
  })
})

describe('presence', () => {
  it('a tablemate\'s presence id stays theirs across a blip: another participant cannot take it, and the owner is never closed for it', async () => {
    s = await runningCafe()
    const [a, b, c] = [0, 1, 2]
    const doc = s.docOf(s.people[a]!.participantId)
    const A = await open(doc, who(a))
    const C = await open(doc, who(c))
    A.provider.awareness.setLocalStateField('cursor', { x: 1, y: 1 })
    await eventually(() => expect(C.provider.awareness.getStates().get(A.doc.clientID)?.user).toMatchObject({ name: 'Amélie' }))
    const closes: number[] = []
    A.provider.on('connection-close', (e: CloseEvent | null) => { if (e) closes.push(e.code) })
    // Amélie's connection blips; meanwhile Bruno (another table, a reader here) claims her id.
    A.provider.disconnect()
    const raw = await rawYjsSocket(s.t.wsUrl, doc, authProtocols(who(b)))
    opened.push({ destroy: () => raw.ws.close() })
    const inner = encoding.createEncoder()
    encoding.writeVarUint(inner, 1)
    encoding.writeVarUint(inner, A.doc.clientID)
    encoding.writeVarUint(inner, 1000)
    encoding.writeVarString(inner, JSON.stringify({ user: { name: 'Amélie' }, cursor: { x: 999, y: 999 } }))
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
    raw.ws.send(encoding.toUint8Array(e))
    expect((await raw.closed).code).toBe(CLOSE_CODES.forbidden.code)
    A.provider.connect()
    await eventually(() => expect(A.provider.wsconnected).toBe(true))
    A.provider.awareness.setLocalStateField('cursor', { x: 2, y: 2 })
    await eventually(() => expect(C.provider.awareness.getStates().get(A.doc.clientID)).toMatchObject({ cursor: { x: 2, y: 2 }, user: { name: 'Amélie' } }))
    expect(closes.filter((code) => code === CLOSE_CODES.forbidden.code)).toEqual([])
    addNote(A.doc, author(a), { text: 'toujours connectée', x: 0, y: 0 })
    await eventually(() => expect(readItems(C.doc).map(textOf)).toEqual(['toujours connectée']))
  })
})
