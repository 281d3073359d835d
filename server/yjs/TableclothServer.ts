/**
 * The Yjs endpoint: the y-websocket wire protocol (y-protocols sync + awareness) on `/yjs/<docName>`,
 * with authorization. Credentials travel in the WebSocket subprotocol list, never in the URL.
 *
 * Rules enforced here: strangers are refused (4401); everyone in the café may read; only participants
 * seated at the table during a round on its question, and facilitators, may write; read-only
 * connections have SyncStep2 and Update dropped; awareness entries are bound to the connection that
 * first used their client id and carry the server's idea of who the user is.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, WebSocket } from 'ws'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as authProtocol from 'y-protocols/auth'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { CLOSE_CODES, YJS_AUTH_PREFIX, YJS_SUBPROTOCOL } from '../../shared/closeCodes'
import type { CloseCodeName } from '../../shared/closeCodes'
import { MAX_FRAME_BYTES } from '../../shared/constants'
import { initHarvest, parseHarvestDocName } from '../../shared/harvest'
import { initTablecloth, itemsMap, parseDocName } from '../../shared/tablecloth'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import type { Logger } from '../log'
import type { DurableWriter } from '../store/DurableWriter'

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3

/** Compact a document's update log after this many appended updates. */
const COMPACT_EVERY_UPDATES = 500
const PING_INTERVAL_MS = 30_000
/** Awareness (cursors, presence) is broadcast at most this often per document. */
const AWARENESS_BATCH_MS = 50
/** Work on the event loop slower than this is logged (it holds every table up). */
const SLOW_MS = 50
/** `Y.encodeStateAsUpdate(new Y.Doc())` is [0, 0]. */
const EMPTY_UPDATE_BYTES = 2
/** A connection may own this many awareness client ids (a tab normally has one). */
const MAX_AWARENESS_IDS_PER_CONN = 4

interface Identity { role: 'facilitator' | 'participant'; participantId: string | null; name: string }

interface Conn {
  ws: WebSocket
  cafe: CafeRuntime
  who: Identity
  /** A table's tablecloth, or the café's harvest (facilitators only). */
  kind: 'tablecloth' | 'harvest'
  tableId: string
  questionId: string
  clientIds: Set<number>
  alive: boolean
  toldReadOnly: boolean
}

interface LiveDoc {
  name: string
  doc: Y.Doc
  awareness: awarenessProtocol.Awareness
  conns: Map<WebSocket, Conn>
  owners: Map<number, Conn>
  lastSeq: number
  sinceCompaction: number
  unloadTimer: NodeJS.Timeout | null
  /** Accepted (and stored) updates waiting to be sent, flushed once per turn of the event loop. */
  outbox: Array<{ update: Uint8Array; origin: unknown }>
  flushScheduled: boolean
  /** Awareness client ids changed since the last awareness broadcast. */
  awarenessChanged: Set<number>
  awarenessTimer: NodeJS.Timeout | null
}

export interface TableclothServerOptions {
  writer: DurableWriter
  log: Logger
  resolveCafe(cafeId: string): CafeRuntime | null
  /** How long an unused document stays in memory before it is compacted and unloaded. */
  docIdleMs: number
}

export class TableclothServer {
  readonly wss: WebSocketServer
  private docs = new Map<string, LiveDoc>()
  private compactQueue = new Set<string>()
  private idleQueue = new Set<string>()
  private compactScheduled = false
  private pingTimer: NodeJS.Timeout

  constructor(private opts: TableclothServerOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith('nappe.v')) ?? false,
    })
    this.pingTimer = setInterval(() => this.ping(), PING_INTERVAL_MS)
    this.pingTimer.unref()
  }

  /** Number of documents in memory (for tests and /healthz). */
  get loadedDocs(): number { return this.docs.size }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        this.accept(ws, req)
      } catch (err) {
        this.opts.log.error('yjs connection setup failed', { err })
        close(ws, 'malformed')
      }
    })
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    ws.on('error', (err) => this.opts.log.debug('yjs socket error', { err }))
    // No Nappe subprotocol at all: not one of our clients. Another version of ours: ask for a reload.
    if (ws.protocol === '') return close(ws, 'unauthorized')
    if (ws.protocol !== YJS_SUBPROTOCOL) return close(ws, 'protocolMismatch')
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    let requested: string
    try { requested = decodeURIComponent(path.replace(/^\/yjs\//, '')) } catch { return close(ws, 'notFound') }
    const harvestOf = parseHarvestDocName(requested)
    const ids = harvestOf === null ? parseDocName(requested) : { cafeId: harvestOf, tableId: '', questionId: '' }
    if (!ids) return close(ws, 'notFound')
    const cafe = this.opts.resolveCafe(ids.cafeId)
    const who = cafe ? authenticate(cafe, req.headers['sec-websocket-protocol']) : null
    if (!cafe || !who) return close(ws, 'unauthorized')
    // The harvest is the facilitator's team's workspace: participants may not even read it.
    if (harvestOf !== null && who.role !== 'facilitator') return close(ws, 'forbidden')
    if (harvestOf === null && !cafe.hasTablecloth(ids.tableId, ids.questionId)) return close(ws, 'notFound')

    const kind = harvestOf === null ? 'tablecloth' : 'harvest'
    const live = this.load(requested, kind === 'harvest' ? initHarvest : (doc) => initTablecloth(doc, ids))
    const conn: Conn = { ws, cafe, who, kind, tableId: ids.tableId, questionId: ids.questionId, clientIds: new Set(), alive: true, toldReadOnly: false }
    live.conns.set(ws, conn)
    if (live.unloadTimer) { clearTimeout(live.unloadTimer); live.unloadTimer = null }
    ws.on('pong', () => { conn.alive = true })
    ws.on('close', () => this.disconnect(live, conn))
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return close(ws, 'malformed')
      this.receive(live, conn, toUint8(data))
    })

    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    syncProtocol.writeSyncStep1(encoder, live.doc)
    send(conn, encoding.toUint8Array(encoder))
    const states = live.awareness.getStates()
    if (states.size > 0) send(conn, awarenessMessage(live.awareness, [...states.keys()]))
  }

  /** May this connection change the document right now? Checked on every message: rotation moves it. */
  private mayWrite(conn: Conn): boolean {
    if (conn.who.role === 'facilitator') return true
    if (conn.kind === 'harvest') return false
    return conn.cafe.participantMayWrite(conn.who.participantId!, conn.tableId, conn.questionId)
  }

  private receive(live: LiveDoc, conn: Conn, message: Uint8Array): void {
    try {
      const decoder = decoding.createDecoder(message)
      const type = decoding.readVarUint(decoder)
      switch (type) {
        case MESSAGE_SYNC: {
          const syncType = decoding.readVarUint(decoder)
          if (syncType === syncProtocol.messageYjsSyncStep1) {
            const encoder = encoding.createEncoder()
            encoding.writeVarUint(encoder, MESSAGE_SYNC)
            syncProtocol.writeSyncStep2(encoder, live.doc, decoding.readVarUint8Array(decoder))
            send(conn, encoding.toUint8Array(encoder))
          } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
            const update = decoding.readVarUint8Array(decoder)
            // An empty update (a reader answering our SyncStep1) needs no refusal.
            if (!this.mayWrite(conn)) return update.length > EMPTY_UPDATE_BYTES ? this.refuseWrite(conn) : undefined
            Y.applyUpdate(live.doc, update, conn)
          } else {
            return close(conn.ws, 'malformed')
          }
          break
        }
        case MESSAGE_AWARENESS: {
          const filtered = filterAwareness(live, conn, decoding.readVarUint8Array(decoder))
          if (filtered === 'spoofed') return close(conn.ws, 'forbidden')
          awarenessProtocol.applyAwarenessUpdate(live.awareness, filtered, conn)
          break
        }
        case MESSAGE_QUERY_AWARENESS:
          send(conn, awarenessMessage(live.awareness, [...live.awareness.getStates().keys()]))
          break
        case MESSAGE_AUTH:
          break
        default:
          return close(conn.ws, 'malformed')
      }
    } catch (err) {
      this.opts.log.warn('malformed yjs message', { docName: live.name, err })
      close(conn.ws, 'malformed')
    }
  }

  private refuseWrite(conn: Conn): void {
    if (conn.toldReadOnly) return
    conn.toldReadOnly = true
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_AUTH)
    authProtocol.writePermissionDenied(encoder, 'read-only')
    send(conn, encoding.toUint8Array(encoder))
  }

  private load(name: string, init: (doc: Y.Doc) => void): LiveDoc {
    const existing = this.docs.get(name)
    if (existing) return existing
    const started = performance.now()
    const doc = new Y.Doc()
    const stored = this.opts.writer.loadDoc(name)
    if (stored.updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(stored.updates))
    const ms = performance.now() - started
    if (ms > SLOW_MS) this.opts.log.warn('slow document load', { docName: name, updates: stored.updates.length, ms: Math.round(ms) })
    const awareness = new awarenessProtocol.Awareness(doc)
    awareness.setLocalState(null)
    const live: LiveDoc = {
      name, doc, awareness, conns: new Map(), owners: new Map(), lastSeq: stored.lastSeq, sinceCompaction: stored.updates.length, unloadTimer: null,
      outbox: [], flushScheduled: false, awarenessChanged: new Set(), awarenessTimer: null,
    }
    this.docs.set(name, live)

    doc.on('update', (update: Uint8Array, origin: unknown) => {
      // Durable first, then broadcast: whatever a tablemate has seen is on disk (or queued if the disk fails).
      const seq = this.opts.writer.appendUpdate(name, update)
      if (seq !== null) live.lastSeq = seq
      if (++live.sinceCompaction >= COMPACT_EVERY_UPDATES) this.queueCompaction(name)
      live.outbox.push({ update, origin })
      this.scheduleFlush(live)
    })
    awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      for (const id of [...added, ...updated, ...removed]) live.awarenessChanged.add(id)
      if (live.awarenessTimer === null) live.awarenessTimer = setTimeout(() => this.flushAwareness(live), AWARENESS_BATCH_MS)
    })
    // Provenance cannot be forged: an item a participant adds carries their own id and name.
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      const conn = tr.origin
      if (!(conn && typeof conn === 'object' && 'who' in conn)) return
      const { who } = conn as Conn
      if (who.role !== 'participant' || (conn as Conn).kind !== 'tablecloth') return
      const items = itemsMap(doc)
      const keys = tr.changed.get(items as unknown as Y.AbstractType<Y.YEvent<any>>) // eslint-disable-line @typescript-eslint/no-explicit-any
      if (!keys) return
      const forged: Y.Map<unknown>[] = []
      for (const key of keys) {
        const item = key === null ? undefined : items.get(key)
        if (item instanceof Y.Map && (item.get('author') !== who.participantId || item.get('authorName') !== who.name)) forged.push(item)
      }
      if (forged.length > 0) {
        doc.transact(() => {
          for (const item of forged) { item.set('author', who.participantId); item.set('authorName', who.name) }
        }, 'server')
      }
    })
    init(doc)
    return live
  }

  /**
   * Runs `fn` on a document as it is now: the live one when loaded, else one read from the store for
   * the occasion (and dropped after). For the exports and round-end snapshots; `fn` must not keep it.
   */
  readDoc<T>(name: string, fn: (doc: Y.Doc) => T): T {
    const live = this.docs.get(name)
    if (live) return fn(live.doc)
    const doc = new Y.Doc()
    try {
      const stored = this.opts.writer.loadDoc(name)
      if (stored.updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(stored.updates))
      return fn(doc)
    } finally {
      doc.destroy()
    }
  }

  /** Keeps the tablecloths of a round as they are now (for the round-by-round images). */
  snapshot(cafeId: string, round: number, docNames: readonly string[], now: number): void {
    for (const docName of docNames) {
      const state = this.readDoc(docName, (doc) => (itemsMap(doc).size > 0 ? Y.encodeStateAsUpdate(doc) : null))
      if (state) this.opts.writer.saveSnapshot(cafeId, { docName, round, state, takenAt: now })
    }
  }

  /**
   * Sends what the document received during this turn of the event loop. Under load many updates land
   * in one turn: they go out merged, as one message per connection instead of one per update and
   * connection (each send is a system call). A lone update is not echoed to the connection it came from.
   */
  private scheduleFlush(live: LiveDoc): void {
    if (live.flushScheduled) return
    live.flushScheduled = true
    setImmediate(() => {
      live.flushScheduled = false
      const batch = live.outbox
      live.outbox = []
      if (batch.length === 0 || live.conns.size === 0) return
      const update = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((b) => b.update))
      const skip = batch.length === 1 ? batch[0]!.origin : null
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      syncProtocol.writeUpdate(encoder, update)
      const message = encoding.toUint8Array(encoder)
      for (const c of live.conns.values()) if (c !== skip) send(c, message)
    })
  }

  /** Cursors and presence go out at most every AWARENESS_BATCH_MS, all changes of that window in one message. */
  private flushAwareness(live: LiveDoc): void {
    live.awarenessTimer = null
    const changed = [...live.awarenessChanged]
    live.awarenessChanged.clear()
    if (changed.length === 0 || live.conns.size === 0) return
    const message = awarenessMessage(live.awareness, changed)
    for (const c of live.conns.values()) send(c, message)
  }

  private disconnect(live: LiveDoc, conn: Conn): void {
    if (!live.conns.delete(conn.ws)) return
    if (conn.clientIds.size > 0) {
      for (const id of conn.clientIds) live.owners.delete(id)
      awarenessProtocol.removeAwarenessStates(live.awareness, [...conn.clientIds], null)
    }
    if (live.conns.size === 0 && this.docs.get(live.name) === live) {
      live.unloadTimer = setTimeout(() => { live.unloadTimer = null; this.queueIdle(live.name) }, this.opts.docIdleMs)
      live.unloadTimer.unref()
    }
  }

  private unload(live: LiveDoc): void {
    if (live.conns.size > 0) return
    this.compact(live)
    this.docs.delete(live.name)
    this.compactQueue.delete(live.name)
    if (live.awarenessTimer) clearTimeout(live.awarenessTimer)
    live.awareness.destroy()
    live.doc.destroy()
  }

  private queueCompaction(name: string): void {
    this.compactQueue.add(name)
    this.drainQueue()
  }

  /** A document nobody uses any more: compacted and unloaded in its turn (see drainQueue). */
  private queueIdle(name: string): void {
    this.idleQueue.add(name)
    this.drainQueue()
  }

  /**
   * Compactions and unloads run away from the hot path, one document per turn of the event loop, so that
   * the forty tablecloths left at a rotation do not hold up the edits arriving in between.
   */
  private drainQueue(): void {
    if (this.compactScheduled) return
    this.compactScheduled = true
    const next = () => {
      const [idle] = this.idleQueue
      const [busy] = idle === undefined ? this.compactQueue : []
      if (idle === undefined && busy === undefined) { this.compactScheduled = false; return }
      if (idle !== undefined) {
        this.idleQueue.delete(idle)
        const live = this.docs.get(idle)
        if (live && live.conns.size === 0) this.unload(live)
      } else {
        this.compactQueue.delete(busy!)
        const live = this.docs.get(busy!)
        if (live) this.compact(live)
      }
      setImmediate(next)
    }
    setImmediate(next)
  }

  private compact(live: LiveDoc): void {
    if (live.lastSeq === 0 || live.sinceCompaction <= 1) return
    const started = performance.now()
    if (this.opts.writer.compactDoc(live.name, Y.encodeStateAsUpdate(live.doc), live.lastSeq)) live.sinceCompaction = 1
    const ms = performance.now() - started
    if (ms > SLOW_MS) this.opts.log.warn('slow compaction', { docName: live.name, ms: Math.round(ms) })
  }

  /** Closes every tablecloth connection of a participant (they left or were removed). */
  closeParticipant(cafeId: string, participantId: string): void {
    for (const live of this.docs.values()) {
      for (const c of live.conns.values()) {
        if (c.cafe.id === cafeId && c.who.participantId === participantId) close(c.ws, 'removed')
      }
    }
  }

  private ping(): void {
    for (const live of this.docs.values()) {
      for (const c of live.conns.values()) {
        if (!c.alive) { c.ws.terminate(); continue }
        c.alive = false
        c.ws.ping()
      }
    }
  }

  /** Server shutdown: compact everything, tell clients to come back, free memory. */
  close(): void {
    clearInterval(this.pingTimer)
    for (const live of [...this.docs.values()]) {
      for (const c of live.conns.values()) close(c.ws, 'serverShutdown')
      if (live.unloadTimer) clearTimeout(live.unloadTimer)
      if (live.awarenessTimer) clearTimeout(live.awarenessTimer)
      this.compact(live)
      live.awareness.destroy()
      live.doc.destroy()
    }
    this.docs.clear()
    for (const ws of this.wss.clients) ws.terminate()
    this.wss.close()
  }
}

function authenticate(cafe: CafeRuntime, header: string | undefined): Identity | null {
  const offered = (header ?? '').split(',').map((s) => s.trim())
  const auth = offered.find((p) => p.startsWith(YJS_AUTH_PREFIX))
  if (!auth) return null
  const [kind, secret] = [auth.slice(YJS_AUTH_PREFIX.length, YJS_AUTH_PREFIX.length + 1), auth.slice(YJS_AUTH_PREFIX.length + 2)]
  if (!secret || secret.length > 200) return null
  if (kind === 'f' && cafe.isFacilitatorKey(secret)) return { role: 'facilitator', participantId: null, name: 'Facilitator' }
  if (kind === 'p') {
    const p = cafe.participantByToken(secret)
    if (p) return { role: 'participant', participantId: p.id, name: p.displayName }
  }
  return null
}

/**
 * Keeps only awareness entries for client ids this connection owns (binding a new id on first use) and
 * overwrites `user.id`, `user.name` and `user.role` with who the connection really is. Stock y-websocket
 * clients echo the states of others back to the server: entries for another connection's id are
 * dropped, and a newer clock than the server has for such an id is a forgery ('spoofed').
 */
function filterAwareness(live: LiveDoc, conn: Conn, update: Uint8Array): Uint8Array | 'spoofed' {
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  const kept: Array<{ clientId: number; clock: number; state: string }> = []
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const state: unknown = JSON.parse(decoding.readVarString(decoder))
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new Error('awareness state must be an object or null')
    const owner = live.owners.get(clientId)
    const known = live.awareness.meta.get(clientId)
    if (owner && owner !== conn) {
      if (known && clock > known.clock) return 'spoofed'
      continue
    }
    if (!owner) {
      if (known && clock <= known.clock) continue // an echo of someone who has left
      if (conn.clientIds.size >= MAX_AWARENESS_IDS_PER_CONN) return 'spoofed'
      live.owners.set(clientId, conn)
      conn.clientIds.add(clientId)
    }
    const clean = state === null ? null : {
      ...(state as Record<string, unknown>),
      user: {
        ...(typeof (state as { user?: unknown }).user === 'object' ? (state as { user: object }).user : {}),
        id: conn.who.participantId ?? 'facilitator', name: conn.who.name, role: conn.who.role,
      },
    }
    kept.push({ clientId, clock, state: JSON.stringify(clean) })
  }
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, kept.length)
  for (const e of kept) {
    encoding.writeVarUint(encoder, e.clientId)
    encoding.writeVarUint(encoder, e.clock)
    encoding.writeVarString(encoder, e.state)
  }
  return encoding.toUint8Array(encoder)
}

function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients))
  return encoding.toUint8Array(encoder)
}

function send(conn: Conn, message: Uint8Array): void {
  if (conn.ws.readyState !== WebSocket.OPEN) return
  conn.ws.send(message, (err) => { if (err) conn.ws.terminate() })
}

function close(ws: WebSocket, name: CloseCodeName): void {
  const { code, reason } = CLOSE_CODES[name]
  if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason)
}

function toUint8(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
