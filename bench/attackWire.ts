/**
 * A hand-made y-websocket client for the attack benchmark: raw frames (y-protocols `PROTOCOL.md`) on
 * one WebSocket, and what the server answered on it (refusal reasons, SyncStep2 answers, presence).
 */
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import { YJS_AUTH_PREFIX, YJS_SUBPROTOCOL } from '../shared/closeCodes'

/** Message types of the y-websocket wire format. */
export const MESSAGE = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const

export function updateFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE.sync)
  syncProtocol.writeUpdate(e, update)
  return encoding.toUint8Array(e)
}

/** A SyncStep1 with an empty state vector: "send me everything". */
export function step1Frame(): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE.sync)
  syncProtocol.writeSyncStep1(e, new Y.Doc())
  return encoding.toUint8Array(e)
}

export interface AwarenessEntry { clientId: number; clock: number; state: unknown }

export function awarenessFrame(entries: AwarenessEntry[]): Uint8Array {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, entries.length)
  for (const x of entries) {
    encoding.writeVarUint(inner, x.clientId)
    encoding.writeVarUint(inner, x.clock)
    encoding.writeVarString(inner, JSON.stringify(x.state))
  }
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE.awareness)
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
  return encoding.toUint8Array(e)
}

export interface RawConn {
  ws: WebSocket
  /** `open`, or why it never opened: `http 429`, `error ECONNRESET`… */
  outcome: string
  closed: Promise<{ code: number; reason: string }>
  isOpen(): boolean
  /** Reasons of the server's `permission-denied` messages. */
  refusals: string[]
  /** SyncStep2 answers received, and the updates they carried (kept only when `keepStep2`). */
  step2Count: number
  step2Bytes: number
  lastStep2: Uint8Array | null
  /** Presence the server told us about: client id → its clock and whose it is (`user.id`, set by the server). */
  presence: Map<number, { clock: number; person: string | null }>
}

/** Opens `/yjs/<docName>` with a participant's token; resolves once it is open or has failed. */
export function openRaw(wsUrl: string, docName: string, token: string, opts: { keepStep2?: boolean } = {}): Promise<RawConn> {
  const ws = new WebSocket(`${wsUrl}/yjs/${docName}`, [YJS_SUBPROTOCOL, `${YJS_AUTH_PREFIX}p.${token}`])
  const conn: RawConn = {
    ws, outcome: 'open', closed: null as unknown as RawConn['closed'], isOpen: () => ws.readyState === WebSocket.OPEN,
    refusals: [], step2Count: 0, step2Bytes: 0, lastStep2: null, presence: new Map(),
  }
  conn.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  ws.on('message', (data: Buffer) => read(conn, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), opts.keepStep2 ?? false))
  return new Promise((resolve) => {
    ws.once('open', () => resolve(conn))
    ws.on('error', (err) => {
      const status = /Unexpected server response: (\d+)/.exec(err.message)?.[1]
      if (ws.readyState !== WebSocket.OPEN && conn.outcome === 'open') conn.outcome = status ? `http ${status}` : `error ${(err as NodeJS.ErrnoException).code ?? err.message}`
      resolve(conn)
    })
    ws.once('close', () => resolve(conn))
  })
}

function read(conn: RawConn, m: Uint8Array, keepStep2: boolean): void {
  try {
    const d = decoding.createDecoder(m)
    const type = decoding.readVarUint(d)
    if (type === MESSAGE.auth) {
      if (decoding.readVarUint(d) === 0) conn.refusals.push(decoding.readVarString(d))
    } else if (type === MESSAGE.sync) {
      if (decoding.readVarUint(d) !== syncProtocol.messageYjsSyncStep2) return
      conn.step2Count++
      conn.step2Bytes += m.length
      if (keepStep2) conn.lastStep2 = decoding.readVarUint8Array(d)
    } else if (type === MESSAGE.awareness) {
      const inner = decoding.createDecoder(decoding.readVarUint8Array(d))
      const n = decoding.readVarUint(inner)
      for (let i = 0; i < n; i++) {
        const id = decoding.readVarUint(inner)
        const clock = decoding.readVarUint(inner)
        const state = JSON.parse(decoding.readVarString(inner)) as { user?: { id?: string } } | null
        if (state) conn.presence.set(id, { clock, person: state.user?.id ?? null })
      }
    }
  } catch { /* not ours to judge: the server's answers are only counted */ }
}

/**
 * Sends one frame and resolves once the socket took it (false if it was closed meanwhile), on a later
 * turn of the event loop: a loop of small frames must not starve the process's other connections.
 */
export function sendFrame(conn: RawConn, frame: Uint8Array): Promise<boolean> {
  if (!conn.isOpen()) return Promise.resolve(false)
  return new Promise((resolve) => conn.ws.send(frame, (err) => setImmediate(() => resolve(!err))))
}

/** Closes (if open) and resolves with the close code, or null if the server does not close it in `ms`. */
export async function closeRaw(conn: RawConn, ms = 2000): Promise<number | null> {
  if (conn.ws.readyState === WebSocket.OPEN || conn.ws.readyState === WebSocket.CONNECTING) conn.ws.close()
  const timer = new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref())
  const closed = await Promise.race([conn.closed, timer])
  if (closed === null) conn.ws.terminate()
  return closed?.code ?? null
}

/** Waits until `pred()` holds or `ms` pass; true if it held. */
export async function until(pred: () => boolean, ms: number, stepMs = 10): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!pred()) {
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, stepMs))
  }
  return true
}
