/**
 * The stage of each attack (bench/attack.ts): a fresh server in a child process (SQLite in a temporary
 * folder), a café of three tables in round 1 with the attacker, a tablemate whose notes are the target
 * (the victim) and a second tablemate at table 1, the two canaries at table 2. What an attack needs
 * beforehand (a ~1 MB tablecloth, a big café to export) is made here through honest clients. Then the
 * server is restarted on the same data, so that its event-loop histogram starts again from the attack's
 * stage and not from its building.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { io as ioClient } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import * as authProtocol from 'y-protocols/auth'
import { PROTOCOL_VERSION } from '../shared/constants'
import { YJS_AUTH_PREFIX, YJS_SUBPROTOCOL } from '../shared/closeCodes'
import type { Ack } from '../shared/errors'
import type { CafeView, ClientToServerEvents, ServerToClientEvents } from '../shared/protocol'
import { addNote, readItems, tableclothDocName } from '../shared/tablecloth'
import { bigArchive } from '../tests/helpers/bigArchive'
import type { ChildServer } from '../tests/helpers/child'
import { freePort, startBuiltChild } from '../tests/helpers/child'
import type { AttackName, Person } from './attackList'
import { MESSAGE, until } from './attackWire'

export type IoSocket = Socket<ServerToClientEvents, ClientToServerEvents>
export type Credential = { facilitatorKey: string } | { participantToken: string }

export interface Stage {
  server: ChildServer
  port: number
  url: string
  wsUrl: string
  dataDir: string
  cafe: { id: string; joinCode: string; facilitatorKey: string }
  round: number
  attacker: Person
  victim: Person
  filler: Person
  canaries: [Person, Person]
  attackDoc: string
  canaryDoc: string
  /** The victim's notes as written, to check after the attack that nobody changed them. */
  victimNotes: Array<{ id: string; text: string; x: number; y: number }>
  exportCafe: { id: string; facilitatorKey: string } | null
}

const SERVER_ENV = { LOG_LEVEL: 'warn', DOC_IDLE_SECONDS: '5' }

/**
 * A stock y-websocket client (as the web app's), resolved once synced. The server's refusals of its
 * updates go to `onRefused` (the stock provider would print them).
 */
export async function openProvider(wsUrl: string, docName: string, credential: Credential, onRefused: (reason: string) => void = () => {}): Promise<{ doc: Y.Doc; provider: WebsocketProvider; destroy(): void }> {
  const doc = new Y.Doc()
  const secret = 'facilitatorKey' in credential ? `f.${credential.facilitatorKey}` : `p.${credential.participantToken}`
  const provider = new WebsocketProvider(`${wsUrl}/yjs`, docName, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true, maxBackoffTime: 500,
    protocols: [YJS_SUBPROTOCOL, `${YJS_AUTH_PREFIX}${secret}`],
  })
  provider.messageHandlers[MESSAGE.auth] = (_encoder, decoder) => authProtocol.readAuthMessage(decoder, doc, (_doc, reason) => onRefused(reason))
  if (!(await until(() => provider.synced, 20_000))) throw new Error(`no sync on ${docName}`)
  return { doc, provider, destroy: () => { provider.destroy(); doc.destroy() } }
}

/** A Socket.IO connection, resolved with the first café state. */
export async function connectIo(url: string, cafeId: string, credential: Credential): Promise<{ socket: IoSocket; state: () => CafeView }> {
  const socket: IoSocket = ioClient(url, { transports: ['websocket'], forceNew: true, auth: { protocol: PROTOCOL_VERSION, cafeId, ...credential } })
  let latest: CafeView | null = null
  socket.on('cafe:state', (v) => { latest = v })
  await new Promise<void>((resolve, reject) => { socket.once('connect_error', reject); socket.once('cafe:state', () => resolve()) })
  return { socket, state: () => latest! }
}

export async function request(socket: IoSocket, event: keyof ClientToServerEvents, payload: unknown = {}): Promise<Ack<unknown>> {
  return (socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<Ack<unknown>> } }).timeout(10_000).emitWithAck(event, payload)
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** Writes `count` notes of `chars` characters as `who`, `batch` per update, and waits until the server holds them. */
async function writeNotes(stage: Stage, who: Person, count: number, chars: number, batch: number): Promise<Stage['victimNotes']> {
  const tc = await openProvider(stage.wsUrl, stage.attackDoc, { participantToken: who.token }, (reason) => console.warn(`setup: ${who.name}'s notes refused (${reason})`))
  const written: Stage['victimNotes'] = []
  try {
    for (let done = 0; done < count; done += batch) {
      tc.doc.transact(() => {
        for (let i = done; i < Math.min(count, done + batch); i++) {
          const text = `${who.name} ${i} `.padEnd(chars, 'idée partagée ')
          const x = (i % 20) * 220, y = Math.floor(i / 20) * 170
          written.push({ id: addNote(tc.doc, { author: who.id, authorName: who.name, round: stage.round, now: Date.now() }, { text, x, y }), text, x, y })
        }
      })
    }
    const reader = await openProvider(stage.wsUrl, stage.attackDoc, { facilitatorKey: stage.cafe.facilitatorKey })
    const ids = new Set(written.map((w) => w.id))
    const held = await until(() => readItems(reader.doc).filter((i) => ids.has(i.id)).length === ids.size, 30_000, 50)
    reader.destroy()
    if (!held) throw new Error(`the server did not take ${who.name}'s ${count} notes`)
    return written
  } finally {
    tc.destroy()
  }
}

export async function stopServer(server: ChildServer): Promise<void> {
  if (server.proc.exitCode !== null || server.proc.signalCode !== null) return
  server.proc.kill('SIGTERM')
  const killer = setTimeout(() => server.proc.kill('SIGKILL'), 15_000)
  await server.exited
  clearTimeout(killer)
}

export async function setUpStage(attack: AttackName, opts: { smoke: boolean }): Promise<Stage> {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'nappe-attack-'))
  const url = `http://127.0.0.1:${port}`
  let server = await startBuiltChild(port, dataDir, SERVER_ENV)
  const cafe = await postJson<Stage['cafe']>(`${url}/api/cafes`, {
    title: 'Attack benchmark', language: 'en', shape: 'classic', advance: 'manual', roundMinutes: 60, transitionSeconds: 0,
    tables: [{ id: 't1', name: 'Table 1' }, { id: 't2', name: 'Table 2' }, { id: 't3', name: 'Table 3' }],
    questions: [{ text: 'What for?' }, { text: 'With whom?' }],
  })
  const facilitator = await connectIo(url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
  const ok = async (event: keyof ClientToServerEvents, payload: unknown = {}) => {
    const a = await request(facilitator.socket, event, payload)
    if (!a.ok) throw new Error(`${event}: ${a.error.message}`)
  }
  await ok('cafe:open')
  const names = ['Attacker', 'Victim', 'Filler', 'Canary A', 'Canary B']
  const people: Person[] = []
  for (const name of names) {
    const j = await postJson<{ participantId: string; participantToken: string }>(`${url}/api/join`, { code: cafe.joinCode, displayName: name })
    people.push({ id: j.participantId, name, token: j.participantToken })
  }
  await ok('round:start')
  if (!(await until(() => facilitator.state().lifecycle.phase === 'round', 10_000))) throw new Error('round 1 did not start')
  // The attacker's table is t1, the canaries' t2.
  const wanted = new Map(people.map((p, i) => [p.id, i < 3 ? 't1' : 't2']))
  for (const [participantId, tableId] of wanted) {
    if (facilitator.state().participants.find((p) => p.id === participantId)?.tableId !== tableId) await ok('participant:move', { participantId, tableId })
  }
  if (!(await until(() => facilitator.state().participants.every((p) => !wanted.has(p.id) || p.tableId === wanted.get(p.id)), 10_000))) throw new Error('seating not as asked')
  const state = facilitator.state()
  if (state.lifecycle.phase !== 'round') throw new Error('round 1 did not start')
  const round = state.lifecycle.round
  const doc = (tableId: string) => tableclothDocName(cafe.id, tableId, state.definition.rounds[round - 1]!.questionByTable[tableId]!)
  const stage: Stage = {
    server, port, url, wsUrl: `ws://127.0.0.1:${port}`, dataDir, cafe, round,
    attacker: people[0]!, victim: people[1]!, filler: people[2]!, canaries: [people[3]!, people[4]!],
    attackDoc: doc('t1'), canaryDoc: doc('t2'), victimNotes: [], exportCafe: null,
  }
  if (attack === 'step1-flood') {
    // About 1 MB of notes on the attacker's table, written by two tablemates.
    stage.victimNotes = await writeNotes(stage, stage.victim, 290, 1800, 50)
    await writeNotes(stage, stage.filler, 290, 1800, 50)
  } else {
    stage.victimNotes = await writeNotes(stage, stage.victim, 20, 40, 20)
  }
  if (attack === 'export-flood') {
    const archive = bigArchive({ tables: opts.smoke ? 2 : 4 })
    stage.exportCafe = await postJson<{ id: string; facilitatorKey: string }>(`${url}/api/cafes/import`, JSON.stringify(archive)).then((c) => ({ id: c.id, facilitatorKey: c.facilitatorKey }))
  }
  facilitator.socket.close()
  await stopServer(server)
  server = await startBuiltChild(port, dataDir, SERVER_ENV)
  stage.server = server
  return stage
}
