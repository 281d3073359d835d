/**
 * The simulated participant of `npm run bench:peers` (bench/peers.ts): a raw y-protocols client over `ws`,
 * light enough never to be the bottleneck. It speaks the y-websocket framing (Nappe and
 * @y/websocket-server) or Hocuspocus's (a document name before every message, an auth message first).
 *
 * It never applies what it receives: its Y.Doc holds only its own notes (written with the tablecloth
 * model's `addNote`, so that Nappe's rules accept them), and a receipt is found by scanning the bytes for
 * the marker every note's text carries, `~pb~<writer>~<seq>~<sentAt>~` (strings travel as UTF-8 in an
 * update, merged or not). `sentAt` is `performance.timeOrigin + performance.now()`, the same clock in
 * every process of the machine, so the receiver computes the propagation time itself.
 */
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { addNote } from '../shared/tablecloth'

export type Framing = 'yws' | 'hocus'

export interface ClientSpec {
  id: number
  framing: Framing
  /** The WebSocket URL (Nappe: `/yjs/<doc>`, y-websocket: `/<doc>`, Hocuspocus: `/`). */
  url: string
  protocols: string[]
  docName: string
  docIndex: number
  /** As the tablecloth model wants it: Nappe refuses a note whose author is not the sender. */
  author: string
  authorName: string
  round: number
}

export const now = (): number => performance.timeOrigin + performance.now()

const MARKER = Buffer.from('~pb~')
const TILDE = 0x7e
const SYNC = 0, AUTH = 2, HOCUS_SYNC_REPLY = 4
const STEP1 = 0, STEP2 = 1, UPDATE = 2
const HOCUS_AUTH_TOKEN = 0, HOCUS_PERMISSION_DENIED = 1
const NAPPE_PERMISSION_DENIED = 0

export interface Receipt { writer: number; seq: number; sentAt: number }

/** Every marker in a message (several when the server merged updates). */
export function scanNotes(buf: Buffer, out: (r: Receipt) => void): void {
  let at = buf.indexOf(MARKER)
  while (at >= 0) {
    const a = at + MARKER.length
    const b = buf.indexOf(TILDE, a)
    const c = b < 0 ? -1 : buf.indexOf(TILDE, b + 1)
    const d = c < 0 ? -1 : buf.indexOf(TILDE, c + 1)
    if (d < 0) return
    out({ writer: Number(buf.toString('latin1', a, b)), seq: Number(buf.toString('latin1', b + 1, c)), sentAt: Number(buf.toString('latin1', c + 1, d)) })
    at = buf.indexOf(MARKER, d + 1)
  }
}

export class RawClient {
  readonly ws: WebSocket
  readonly doc = new Y.Doc()
  syncedAt: number | null = null
  closedAt: number | null = null
  refusals = 0
  private seq = 0
  private readonly head: Uint8Array

  constructor(
    readonly spec: ClientSpec,
    private readonly on: { synced?: (c: RawClient) => void; message?: (c: RawClient, data: Buffer) => void; closed?: (c: RawClient, code: number) => void } = {},
  ) {
    const e = encoding.createEncoder()
    if (spec.framing === 'hocus') encoding.writeVarString(e, spec.docName)
    this.head = encoding.toUint8Array(e)
    this.ws = new WebSocket(spec.url, spec.protocols, { perMessageDeflate: false })
    this.ws.binaryType = 'nodebuffer'
    this.ws.on('open', () => {
      if (spec.framing === 'hocus') this.send(AUTH, (m) => { encoding.writeVarUint(m, HOCUS_AUTH_TOKEN); encoding.writeVarString(m, 'bench') })
      this.send(SYNC, (m) => { encoding.writeVarUint(m, STEP1); encoding.writeVarUint8Array(m, Y.encodeStateVector(this.doc)) })
    })
    this.ws.on('message', (data: Buffer) => this.receive(data))
    this.ws.on('error', () => { /* reported by 'close' */ })
    this.ws.on('close', (code) => { this.closedAt = now(); this.on.closed?.(this, code) })
    this.doc.on('update', (update: Uint8Array) => this.send(SYNC, (m) => { encoding.writeVarUint(m, UPDATE); encoding.writeVarUint8Array(m, update) }))
  }

  /** Writes one note as the tablecloth model does; returns its sequence number. */
  write(): number {
    const seq = ++this.seq
    const s = this.spec
    addNote(this.doc, { author: s.author, authorName: s.authorName, round: s.round, now: Date.now() }, { text: `~pb~${s.id}~${seq}~${now().toFixed(3)}~`, x: seq % 1000, y: s.id % 1000 })
    return seq
  }

  get written(): number { return this.seq }

  close(): void { this.ws.close() }

  private send(type: number, body: (e: encoding.Encoder) => void): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    const e = encoding.createEncoder()
    encoding.writeUint8Array(e, this.head)
    encoding.writeVarUint(e, type)
    body(e)
    this.ws.send(encoding.toUint8Array(e))
  }

  private receive(data: Buffer): void {
    const d = decoding.createDecoder(data)
    if (this.spec.framing === 'hocus') decoding.readVarString(d)
    const type = decoding.readVarUint(d)
    if (type === SYNC || (this.spec.framing === 'hocus' && type === HOCUS_SYNC_REPLY)) {
      const step = decoding.readVarUint(d)
      if (step === STEP1) {
        // The server's state vector: answer only when it lacks some of this client's notes (as the web app does).
        const theirs = Y.decodeStateVector(decoding.readVarUint8Array(d)).get(this.doc.clientID) ?? 0
        if (theirs < Y.getState(this.doc.store, this.doc.clientID)) {
          const missing = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(new Map([[this.doc.clientID, theirs]])))
          this.send(SYNC, (m) => { encoding.writeVarUint(m, STEP2); encoding.writeVarUint8Array(m, missing) })
        }
        return
      }
      if (step === STEP2 && this.syncedAt === null) {
        this.syncedAt = now()
        this.on.synced?.(this)
      }
      this.on.message?.(this, data)
    } else if (type === AUTH) {
      const kind = decoding.readVarUint(d)
      if ((this.spec.framing === 'hocus' && kind === HOCUS_PERMISSION_DENIED) || (this.spec.framing === 'yws' && kind === NAPPE_PERMISSION_DENIED)) this.refusals++
    }
  }
}
