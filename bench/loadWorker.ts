/**
 * One client process of the load benchmark (see bench/load.ts): simulates a share of the participants
 * with real Socket.IO and y-websocket clients and writes what it saw to a JSON file.
 */
import { writeFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { io as ioClient } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { PROTOCOL_VERSION } from '../shared/constants'
import { YJS_AUTH_PREFIX, YJS_SUBPROTOCOL } from '../shared/closeCodes'
import type { CafeView, ClientToServerEvents, ServerToClientEvents } from '../shared/protocol'
import { addNote, tableclothDocName } from '../shared/tablecloth'

export interface WorkerConfig {
  url: string; cafeId: string; joinCode: string; count: number; index: number; noteMs: number; out: string
  /** Join and connect on the café's own paths (through a proxy to several nodes). */
  cafePaths: boolean
}
export interface WorkerReport {
  /** This client process's own event-loop delay: when high, latencies measure the simulator. */
  loopDelay: { p99Ms: number; maxMs: number }
  notes: Array<[id: string, doc: string, author: string, createdAt: number]>
  /** From when a participant had a tablecloth as their current one and synced, until it was closed. */
  holdings: Array<[pid: string, doc: string, from: number, to: number | null]>
  receipts: Array<[pid: string, noteId: string, at: number]>
  /** Receipts that came only from the catch-up asked before a tablecloth was closed (missed live). */
  caughtUp: number
}

type IoSocket = Socket<ServerToClientEvents, ClientToServerEvents>
interface Tablecloth { docName: string; doc: Y.Doc; provider: WebsocketProvider; synced: boolean; holding: WorkerReport['holdings'][number] | null; catchingUp: boolean }
interface Person { id: string; name: string; token: string; socket: IoSocket; current: Tablecloth | null; next: Tablecloth | null; state: CafeView | null }

process.setMaxListeners(0)
// y-websocket's resync timer reads the global WebSocket, which Node 20 does not have.
;(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket
/** Like the web app: a client asks the server for what it may have missed this often. */
const RESYNC_MS = 20_000
const config = JSON.parse(process.argv[2]!) as WorkerConfig
const wsUrl = config.url.replace(/^http/, 'ws')
const report: WorkerReport = { loopDelay: { p99Ms: 0, maxMs: 0 }, notes: [], holdings: [], receipts: [], caughtUp: 0 }
const loop = monitorEventLoopDelay({ resolution: 10 })
loop.enable()
const people: Person[] = []
let writing = false
const timers: NodeJS.Timeout[] = []

function openTablecloth(p: Person, docName: string): Tablecloth {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(`${wsUrl}/yjs`, docName, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    protocols: [YJS_SUBPROTOCOL, `${YJS_AUTH_PREFIX}p.${p.token}`],
    resyncInterval: RESYNC_MS,
  })
  const tc: Tablecloth = { docName, doc, provider, synced: false, holding: null, catchingUp: false }
  provider.on('sync', (isSynced: boolean) => {
    if (!isSynced || tc.synced) return
    tc.synced = true
    if (p.current === tc) startHolding(p, tc)
  })
  const items = doc.getMap<Y.Map<unknown>>('items')
  items.observe((event) => {
    const now = Date.now()
    for (const [key, change] of event.changes.keys) {
      if (change.action === 'add' && items.get(key)?.get('author') !== p.id) {
        report.receipts.push([p.id, key, now])
        if (tc.catchingUp) report.caughtUp++
      }
    }
  })
  return tc
}

function startHolding(p: Person, tc: Tablecloth): void {
  if (tc.holding || !tc.synced) return
  tc.holding = [p.id, tc.docName, Date.now(), null]
  report.holdings.push(tc.holding)
}

function docFor(state: CafeView, personId: string): string | null {
  const lc = state.lifecycle
  const round = lc.phase === 'round' ? lc.round : lc.phase === 'transition' ? lc.completedRound + 1 : lc.phase === 'lobby' ? 1 : null
  const table = state.participants.find((x) => x.id === personId)?.tableId
  const question = round && table ? state.definition.rounds[round - 1]?.questionByTable[table] : undefined
  return table && question ? tableclothDocName(config.cafeId, table, question) : null
}

function moveTo(p: Person, docName: string): void {
  if (p.current?.docName === docName) return
  const old = p.current
  if (old) {
    // Keep the old tablecloth a little (the last notes of the round still arrive on it), then close it
    // once it has caught up with the server.
    setTimeout(() => void closeTablecloth(old), 3000 + Math.random() * 3000)
  }
  p.current = p.next?.docName === docName ? p.next : openTablecloth(p, docName)
  p.next = null
  startHolding(p, p.current)
}

/**
 * Asks the server for anything this copy lacks (a SyncStep1, answered with a SyncStep2) and closes the
 * tablecloth once the answer is in: what it held until then counts as received.
 */
async function closeTablecloth(tc: Tablecloth): Promise<void> {
  const ws = tc.provider.ws as unknown as import('ws').WebSocket | null
  if (ws && ws.readyState === ws.OPEN) {
    tc.catchingUp = true
    await new Promise<void>((resolve) => {
      const done = setTimeout(resolve, 10_000)
      const onMessage = (data: Buffer) => {
        if (data[0] === 0 && data[1] === syncProtocol.messageYjsSyncStep2) { clearTimeout(done); ws.off('message', onMessage); setImmediate(resolve) }
      }
      ws.on('message', onMessage)
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, 0)
      syncProtocol.writeSyncStep1(e, tc.doc)
      ws.send(encoding.toUint8Array(e))
    })
  }
  if (tc.holding) tc.holding[3] = Date.now()
  tc.provider.destroy(); tc.doc.destroy()
}

async function join(i: number): Promise<Person> {
  const name = `W${config.index}-P${i}`
  // Through a proxy (--nodes), as the web app does: the café's id in every path, for the proxy to route by.
  const joinPath = config.cafePaths ? `/api/cafes/${config.cafeId}/join` : '/api/join'
  const res = await fetch(`${config.url}${joinPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: config.joinCode, displayName: name }) })
  const j = (await res.json()) as { participantId: string; participantToken: string }
  const socket: IoSocket = ioClient(config.url, {
    transports: ['websocket'], auth: { protocol: PROTOCOL_VERSION, cafeId: config.cafeId, participantToken: j.participantToken },
    ...(config.cafePaths ? { path: `/c/${config.cafeId}/socket.io/` } : {}),
  })
  const p: Person = { id: j.participantId, name, token: j.participantToken, socket, current: null, next: null, state: null }
  socket.on('cafe:state', (state) => {
    p.state = state
    const docName = docFor(state, p.id)
    if (docName) moveTo(p, docName)
  })
  socket.on('seat:next', (seat) => {
    if (p.current?.docName !== seat.docName && p.next?.docName !== seat.docName) p.next = openTablecloth(p, seat.docName)
  })
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  return p
}

function write(p: Person): void {
  const lc = p.state?.lifecycle
  const tc = p.current
  if (!writing || lc?.phase !== 'round' || !tc?.synced) return
  const now = Date.now()
  const id = addNote(tc.doc, { author: p.id, authorName: p.name, round: lc.round, now }, { text: `note from ${p.id}`, x: 0, y: 0 })
  report.notes.push([id, tc.docName, p.id, now])
}

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'go') {
    writing = true
    for (const p of people) {
      timers.push(setTimeout(() => { write(p); timers.push(setInterval(() => write(p), config.noteMs)) }, Math.random() * config.noteMs))
    }
  } else if (msg.type === 'stop') {
    writing = false
    for (const t of timers) { clearTimeout(t); clearInterval(t) }
    setTimeout(async () => {
      report.loopDelay = { p99Ms: Math.max(0, loop.percentile(99) / 1e6 - 10), maxMs: Math.max(0, loop.max / 1e6 - 10) }
      await Promise.all(people.flatMap((p) => (p.current ? [closeTablecloth(p.current)] : [])))
      writeFileSync(config.out, JSON.stringify(report))
      for (const p of people) { p.socket.close(); p.next?.provider.destroy() }
      process.send!({ type: 'done' })
      setTimeout(() => process.exit(0), 100)
    }, 2000)
  }
})

for (let i = 0; i < config.count; i++) people.push(await join(i))
const wait = setInterval(() => {
  if (people.every((p) => p.current?.synced)) {
    clearInterval(wait)
    process.send!({ type: 'ready' })
  }
}, 50)
