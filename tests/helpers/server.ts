/** Starts the real server on port 0 with a temporary data folder, and drives it with real clients. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { io as ioClient } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { parseConfig } from '../../server/config'
import type { Config } from '../../server/config'
import { createServer } from '../../server/createServer'
import type { NappeServer, ServerDeps } from '../../server/createServer'
import { silentLogger } from '../../server/log'
import { SqliteStore } from '../../server/store/SqliteStore'
import type { Store } from '../../server/store/Store'
import { PROTOCOL_VERSION } from '../../shared/constants'
import { YJS_AUTH_PREFIX, YJS_SUBPROTOCOL } from '../../shared/closeCodes'
import type { CafeInput } from '../../shared/cafe'
import type { Ack } from '../../shared/errors'
import type { ClientToServerEvents, ServerToClientEvents, CafeView } from '../../shared/protocol'
import type { LifecycleState } from '../../shared/lifecycle'
import { tableclothDocName } from '../../shared/tablecloth'
import { eventually, once } from './eventually'

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>

export interface TestServer {
  server: NappeServer
  url: string
  wsUrl: string
  dataDir: string
  store: Store
  close(): Promise<void>
}

export function tempDir(prefix = 'nappe-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export async function startServer(opts: Partial<Omit<ServerDeps, 'config'>> & { config?: Partial<Config>; dataDir?: string; port?: number } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir()
  const config: Config = { ...parseConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir }), clientDir: null, docIdleMs: 0, ...opts.config }
  const store = opts.store ?? new SqliteStore(join(dataDir, 'nappe.sqlite'))
  const server = createServer({ ...opts, config, store, log: opts.log ?? silentLogger })
  const { port } = await server.listen(opts.port ?? 0, '127.0.0.1')
  const url = `http://127.0.0.1:${port}`
  return {
    server, url, wsUrl: `ws://127.0.0.1:${port}`, dataDir, store,
    async close() {
      await server.close()
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export const twoTableCafe: CafeInput = {
  title: 'World Café Assuétudes',
  date: '2011-12-09',
  place: 'Wavre',
  language: 'fr',
  shape: 'table-question',
  tables: [{ name: 'Table 1', capacity: 6 }, { name: 'Table 2', capacity: 6 }],
  questions: [{ text: 'Le travail en réseau. Pour quoi faire ?' }, { text: 'Le travail en réseau. Avec qui ?' }],
  roundMinutes: 10,
}

export interface CreatedCafe { id: string; joinCode: string; joinUrl: string; facilitatorKey: string; facilitatorUrl: string }

export async function createCafe(url: string, input: CafeInput = twoTableCafe): Promise<CreatedCafe> {
  const res = await fetch(`${url}/api/cafes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) })
  if (res.status !== 201) throw new Error(`create café: ${res.status} ${await res.text()}`)
  return (await res.json()) as CreatedCafe
}

export interface Joined { cafeId: string; participantId: string; participantToken: string }

export async function joinCafe(url: string, code: string, displayName: string, extra: { organisation?: string; sector?: string } = {}): Promise<Joined> {
  const res = await fetch(`${url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, displayName, ...extra }) })
  if (res.status !== 201) throw new Error(`join: ${res.status} ${await res.text()}`)
  return (await res.json()) as Joined
}

export type Credential = { facilitatorKey: string } | { participantToken: string }

/** A connected Socket.IO client, resolved once the server said `session:ready` and sent the state. */
export async function connect(url: string, cafeId: string, credential: Credential, extraAuth: Record<string, unknown> = {}, opts: { cafePath?: boolean } = {}): Promise<{ socket: TestSocket; state: () => CafeView }> {
  const socket: TestSocket = ioClient(url, {
    transports: ['websocket'], auth: { protocol: PROTOCOL_VERSION, cafeId, ...credential, ...extraAuth }, reconnectionDelay: 100, reconnectionDelayMax: 500,
    // The café's own path, as the web app connects (a proxy routes by it: server/socket/cafePath.ts).
    ...(opts.cafePath ? { path: `/c/${cafeId}/socket.io/` } : {}),
  })
  let latest: CafeView | null = null
  socket.on('cafe:state', (v) => { latest = v })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect_error', (err) => reject(err))
    socket.once('cafe:state', () => resolve())
  })
  return { socket, state: () => latest! }
}

/** Sends a request and returns its ack. */
export async function request<T = unknown>(socket: TestSocket, event: keyof ClientToServerEvents, payload: unknown = {}): Promise<Ack<T>> {
  return (await (socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<Ack<T>> } }).timeout(5000).emitWithAck(event, payload))
}

export function authProtocols(credential: Credential): string[] {
  return 'facilitatorKey' in credential
    ? [YJS_SUBPROTOCOL, `${YJS_AUTH_PREFIX}f.${credential.facilitatorKey}`]
    : [YJS_SUBPROTOCOL, `${YJS_AUTH_PREFIX}p.${credential.participantToken}`]
}

/** A tablecloth opened with y-websocket's stock WebsocketProvider, resolved once synced. */
export async function openTablecloth(wsUrl: string, docName: string, credential: Credential, wait = true): Promise<{ doc: Y.Doc; provider: WebsocketProvider; destroy(): void }> {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(`${wsUrl}/yjs`, docName, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    protocols: authProtocols(credential),
    maxBackoffTime: 300,
  })
  if (wait && !provider.synced) await once(provider, 'sync')
  return { doc, provider, destroy: () => { provider.destroy(); doc.destroy() } }
}

/** A raw WebSocket on the Yjs endpoint, for hand-crafted frames. Resolves when open. */
export async function rawYjsSocket(wsUrl: string, docName: string, protocols: string[]): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }>; messages: Uint8Array[] }> {
  const ws = new WebSocket(`${wsUrl}/yjs/${docName}`, protocols)
  const messages: Uint8Array[] = []
  ws.on('message', (d) => messages.push(new Uint8Array(d as Buffer)))
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); ws.once('close', () => resolve()) })
  return { ws, closed, messages }
}

/**
 * The two-table café, created and opened by its facilitator (connected), with Amélie, Bruno and Chloé
 * joined (Amélie and Chloé at t1 once round 1 starts). `cleanups` closes the facilitator's socket.
 */
export async function openCafeOfThree(url: string, cleanups: Array<() => unknown>): Promise<{ cafe: CreatedCafe; fac: Awaited<ReturnType<typeof connect>>; a: Joined; b: Joined; c: Joined }> {
  const cafe = await createCafe(url, twoTableCafe)
  const fac = await connect(url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
  cleanups.push(() => { fac.socket.close() })
  await request(fac.socket, 'cafe:open')
  const a = await joinCafe(url, cafe.joinCode, 'Amélie')
  const b = await joinCafe(url, cafe.joinCode, 'Bruno')
  const c = await joinCafe(url, cafe.joinCode, 'Chloé')
  return { cafe, fac, a, b, c }
}

/** Starts round 1 of openCafeOfThree's café; resolves once Amélie and Chloé sit at t1, with its timer's end and their tablecloth. */
export async function startRoundOne({ cafe, fac, a, c }: Awaited<ReturnType<typeof openCafeOfThree>>): Promise<{ endsAt: number; docName: string }> {
  const started = await request<{ lifecycle: LifecycleState }>(fac.socket, 'round:start')
  if (!started.ok || started.data.lifecycle.phase !== 'round' || started.data.lifecycle.timer.status !== 'running') throw new Error('round 1 did not start')
  const tableOf = (id: string) => fac.state().participants.find((p) => p.id === id)?.tableId
  await eventually(() => { if (tableOf(a.participantId) !== 't1' || tableOf(c.participantId) !== 't1') throw new Error('Amélie and Chloé are not at t1 yet') })
  return { endsAt: started.data.lifecycle.timer.endsAt, docName: tableclothDocName(cafe.id, 't1', 'q1') }
}
