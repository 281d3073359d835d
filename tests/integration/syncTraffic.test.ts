/**
 * What travels on the Yjs connection besides the edits themselves, through a real server.
 *
 * A phone that drew a lot while offline holds more than one Yjs frame may carry (MAX_YJS_FRAME_BYTES).
 * Sent whole, the server closes the connection (1009) at every reconnection and the words never
 * arrive; the app's socket (client/src/transport/splittingSocket.ts) sends it in pieces instead.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import WebSocket from 'ws'
import * as decoding from 'lib0/decoding'
import { WebsocketProvider } from 'y-websocket'
import { splittingWebSocket } from '../../client/src/transport/splittingSocket'
import { MAX_YJS_FRAME_BYTES } from '../../shared/constants'
import { addNote, addStroke, moveItem, readItems } from '../../shared/tablecloth'
import { TABLECLOTH_LIMITS } from '../../shared/tableclothRules'
import { eventually } from '../helpers/eventually'
import { authProtocols, openTablecloth, rawYjsSocket } from '../helpers/server'
import { docFromStep2, syncStep1Frame, updateFrame } from '../helpers/yjsFrames'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'

let s: Scenario
const cleanup: Array<() => void> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0)) fn()
  await s?.close()
})

/** Pointer coordinates are fractional: 9 bytes a number on the wire. */
const scribble = (points: number, seed: number) => Array.from({ length: points * 3 }, (_, i) => (i % 3 === 2 ? 0.5 : Math.cos(i * 0.21 + seed) * 250 + 0.31415926))

/** What Ana wrote while offline: three long drawings and twenty notes, about three frames' worth. */
function offlineWork(): Y.Doc {
  const doc = new Y.Doc()
  const ana = { author: s.people[0]!.participantId, authorName: s.people[0]!.name, round: 1, now: Date.now() }
  for (let k = 0; k < 3; k++) addStroke(doc, ana, { points: scribble(TABLECLOTH_LIMITS.strokeNumbers / 3, k), x: 10 * k, y: 10 * k })
  for (let i = 0; i < 20; i++) addNote(doc, ana, { text: `écrit hors ligne ${i}`, x: 20 * i, y: 300 })
  return doc
}

function connect(doc: Y.Doc, Socket: typeof WebSocket): { closes: number[]; provider: WebsocketProvider } {
  const provider = new WebsocketProvider(`${s.t.wsUrl}/yjs`, s.docOf(s.people[0]!.participantId), doc, {
    WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    protocols: authProtocols({ participantToken: s.people[0]!.participantToken }),
    maxBackoffTime: 200,
  })
  const closes: number[] = []
  provider.on('connection-close', (e: { code: number } | null) => { if (e) closes.push(e.code) })
  cleanup.push(() => provider.destroy())
  return { closes, provider }
}

async function serverItems() {
  const probe = await openTablecloth(s.t.wsUrl, s.docOf(s.people[0]!.participantId), { facilitatorKey: s.facilitatorKey })
  const items = readItems(probe.doc)
  probe.destroy()
  return items
}

describe('an offline backlog larger than a frame', () => {
  it('is refused at every reconnection when sent whole (the failure the app avoids)', async () => {
    s = await runningCafe({ names: ['Ana', 'Bruno'] })
    const doc = offlineWork()
    expect(Y.encodeStateAsUpdate(doc).length).toBeGreaterThan(2 * MAX_YJS_FRAME_BYTES)
    const { closes } = connect(doc, WebSocket)
    await eventually(() => expect(closes.filter((c) => c === 1009).length).toBeGreaterThanOrEqual(2))
    expect(await serverItems()).toHaveLength(0)
  })

  it('arrives whole through the app\'s socket, in frames under the limit', async () => {
    s = await runningCafe({ names: ['Ana', 'Bruno'] })
    const doc = offlineWork()
    const frames: number[] = []
    const Counting = class extends WebSocket {
      override send(data: never, ...rest: never[]) { frames.push((data as Uint8Array).length); return (super.send as (...a: unknown[]) => void)(data, ...rest) }
    }
    const { closes } = connect(doc, splittingWebSocket(Counting))
    await eventually(async () => expect(await serverItems()).toHaveLength(23), { timeoutMs: 15_000 })
    expect(closes).toEqual([])
    expect(Math.max(...frames)).toBeLessThanOrEqual(MAX_YJS_FRAME_BYTES)
    expect(frames.filter((n) => n > 64 * 1024).length).toBeGreaterThanOrEqual(3)
    const items = await serverItems()
    expect(items.filter((i) => i.kind === 'stroke').map((i) => (i as { points: number[] }).points.length)).toEqual([12_000, 12_000, 12_000])
    expect(items.every((i) => i.author === s.people[0]!.participantId)).toBe(true)
  })
})

describe('the acknowledgement', () => {
  const isStep1 = (m: Uint8Array) => m[0] === 0 && m[1] === 0

  it('reaches a client that answers only when the server lacks something (the app), once after a write', async () => {
    s = await runningCafe({ names: ['Ana', 'Bruno'] })
    const ana = { author: s.people[0]!.participantId, authorName: s.people[0]!.name, round: 1, now: Date.now() }
    const raw = await rawYjsSocket(s.t.wsUrl, s.docOf(ana.author), authProtocols({ participantToken: s.people[0]!.participantToken }))
    cleanup.push(() => raw.ws.close())
    await eventually(() => expect(raw.messages.filter(isStep1)).toHaveLength(1)) // on connect
    // Like the app: it asks for the server's state and never answers a SyncStep1 when it has nothing new.
    const doc = new Y.Doc()
    raw.ws.send(syncStep1Frame())
    await eventually(() => expect(docFromStep2(raw.messages)).not.toBeNull())
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(docFromStep2(raw.messages)!))
    const sent: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => sent.push(u))
    const id = addNote(doc, ana, { text: 'une note', x: 1, y: 1 })
    moveItem(doc, id, 40, 40)
    for (const u of sent) raw.ws.send(updateFrame(u))
    // About a second later, one SyncStep1 whose state vector holds what Ana wrote.
    await eventually(() => expect(raw.messages.filter(isStep1)).toHaveLength(2), { timeoutMs: 4000 })
    const ack = raw.messages.filter(isStep1)[1]!
    const sv = Y.decodeStateVector(decoding.readVarUint8Array(decoding.createDecoder(ack.subarray(2))))
    expect(sv.get(doc.clientID)).toBe(Y.getState(doc.store, doc.clientID))
    await new Promise((r) => setTimeout(r, 2500))
    expect(raw.messages.filter(isStep1)).toHaveLength(2)
  })

  it('is not sent to a stock client, which answers every SyncStep1 with its whole delete set', async () => {
    s = await runningCafe({ names: ['Ana', 'Bruno'] })
    const doc = new Y.Doc()
    const { provider } = connect(doc, WebSocket)
    await new Promise<void>((resolve) => provider.once('sync', () => resolve()))
    const step1s: number[] = []
    ;(provider.ws as unknown as WebSocket).on('message', (data: ArrayBuffer | Buffer) => {
      if (isStep1(new Uint8Array(data as ArrayBuffer))) step1s.push(Date.now())
    })
    const id = addNote(doc, { author: s.people[0]!.participantId, authorName: s.people[0]!.name, round: 1, now: Date.now() }, { text: 'une note', x: 1, y: 1 })
    moveItem(doc, id, 40, 40) // a move replaces x and y: the client's updates now carry a delete set
    await eventually(async () => expect((await serverItems())[0]).toMatchObject({ x: 40, y: 40 }))
    await new Promise((r) => setTimeout(r, 2500))
    expect(step1s).toHaveLength(0)
  })
})
