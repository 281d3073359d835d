/**
 * The Yjs endpoint: the y-websocket wire protocol (y-protocols sync + awareness) on `/yjs/<docName>`,
 * with authorization. Credentials travel in the WebSocket subprotocol list, never in the URL.
 *
 * Rules enforced here: strangers are refused (4401); everyone in the café may read; only participants
 * seated at the table during a round on its question, and facilitators, may write; read-only
 * connections have SyncStep2 and Update dropped; awareness entries are bound to the connection that
 * first used their client id and carry the server's idea of who the user is.
 */
import { randomInt } from 'node:crypto'
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
import { MAX_YJS_FRAME_BYTES } from '../../shared/constants'
import { initHarvest, parseHarvestDocName } from '../../shared/harvest'
import { cafeIdOfDocName, initTablecloth, itemsMap, parseDocName } from '../../shared/tablecloth'
import type { RefusalReason, RuleContext } from '../../shared/tableclothRules'
import { CLIENTS_ROOT, LATE_ROOT, checkUpdate } from '../../shared/tableclothRules'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import { everSat, locked, mayCreate, mayEdit, mayWriteNow } from '../cafes/tableclothAccess'
import type { Clock } from '../clock'
import { ConnectionLimiter, clientAddress } from '../socket/ConnectionLimiter'
import { TokenBuckets } from '../socket/TokenBuckets'
import type { Logger } from '../log'
import type { DurableWriter } from '../store/DurableWriter'
import { Heartbeat } from './Heartbeat'
import type { PresenceOwner } from './presenceFilter'
import { filterAwareness } from './presenceFilter'
import { UpgradeQueue } from './UpgradeQueue'

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3

/** Compact a document's update log after this many appended updates. */
const COMPACT_EVERY_UPDATES = 500
/** Awareness (cursors, presence) is broadcast at most this often per document. */
const AWARENESS_BATCH_MS = 50
/** Work on the event loop slower than this is logged (it holds every table up). */
const SLOW_MS = 50
/** `Y.encodeStateAsUpdate(new Y.Doc())` is [0, 0]. */
const EMPTY_UPDATE_BYTES = 2
/** After accepting a writer's update, the server tells it what it holds (a SyncStep1) at most this often. */
const ACK_EVERY_MS = 1000
/**
 * SyncStep1 requests a person may make in a burst (all their connections together: reopening one brings
 * no new allowance), and how fast it comes back. A phone needs one per tablecloth it opens, and one per
 * resync (20 s). A facilitator's console opens every table at once: each facilitator connection has its own.
 */
const STEP1_RATE = { burst: 10, perSecond: 0.5 }
const STEP1_RETRY_MS = 2000
/** A connection that reads slower than this much queued output is cut (it would hold the server's memory). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024
/** Refusals a connection may collect in a minute before it is closed (an honest client gets a few). */
const MAX_REFUSALS_PER_MINUTE = 60
/** The harvest document (facilitators only) may grow to this many bytes. */
const MAX_HARVEST_BYTES = 8 * 1024 * 1024
/**
 * Tablecloth connections. A phone holds two or three (its table, the next one, one still sending late
 * words); a conference of a thousand behind one NAT address reconnecting after a Wi-Fi blip must pass.
 */
export const YJS_CONNECTION_LIMITS = {
  maxOpenPerAddress: 6000,
  perAddress: { burst: 3000, perSecond: 100 },
  maxOpenPerPerson: 24,
  /** New connections per person: a page opening its tablecloths, reconnections after a blip. */
  perPerson: { burst: 30, perSecond: 2 },
  /** Bytes of updates per person: an hour of a table's writing is about 1.3 MB in all (docs/protocol.md). */
  updateBytesPerPerson: { burst: 1024 * 1024, perSecond: 64 * 1024 },
} as const

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
  /** Which of the heartbeat's slices pings it. */
  pingSlice: number
  toldReadOnly: boolean
  /** Times of this connection's recent refusals (for MAX_REFUSALS_PER_MINUTE). */
  refusals: number[]
  ackTimer: NodeJS.Timeout | null
  /**
   * The client answered a SyncStep1 of ours with a SyncStep2 that holds no structs: like y-websocket's
   * stock provider, it answers every one, with its whole delete set. It gets no acknowledgements (it
   * has no use for them, and each would come back as a delete set to check).
   */
  answersEveryStep1: boolean
  /** Whose SyncStep1 allowance this connection draws on, and a request waiting for it. */
  step1Key: string
  step1Waiting: { sv: Uint8Array; timer: NodeJS.Timeout } | null
}


interface LiveDoc {
  name: string
  doc: Y.Doc
  awareness: awarenessProtocol.Awareness
  conns: Map<WebSocket, Conn>
  owners: Map<number, PresenceOwner<Conn>>
  /** Bytes of the stored history (what TABLECLOTH_LIMITS.docBytes bounds). */
  bytes: number
  /**
   * The Yjs client id of what the server writes in a writer's own transaction (the binding of their
   * client ids, the marks of late words): not `doc.clientID`, or Yjs, seeing its own id advance in a
   * remote transaction, would take it for another client using it, print a warning and change it.
   */
  bindingClient: number
  /** The answer to a SyncStep1 asking for everything, until the document changes. */
  fullState: Uint8Array | null
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
  clock: Clock
  resolveCafe(cafeId: string): CafeRuntime | null
  /** How long an unused document stays in memory before it is compacted and unloaded. */
  docIdleMs: number
  /** How often each connection is pinged (Config.yjsPingMs). */
  pingIntervalMs: number
  /** Take the client's address from X-Forwarded-For (TRUST_PROXY). */
  trustProxy?: boolean
  limits?: typeof YJS_CONNECTION_LIMITS
}

/** Encoded once: a wave of refused upgrades costs no string encoding each. */
const TOO_MANY_UPGRADES = Buffer.from('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', 'latin1')

export class TableclothServer {
  readonly wss: WebSocketServer
  private docs = new Map<string, LiveDoc>()
  private compactQueue = new Set<string>()
  private idleQueue = new Set<string>()
  /** Tablecloths of a round about to be written on, to be given their first update before anyone opens them. */
  private prepareQueue = new Set<string>()
  private compactScheduled = false
  private readonly heartbeat: Heartbeat
  private readonly limits: typeof YJS_CONNECTION_LIMITS
  private readonly addresses: ConnectionLimiter
  /** Open tablecloth connections per person (`<cafeId>:<participantId>`). */
  private readonly perPerson = new Map<string, number>()
  private readonly step1 = new TokenBuckets(STEP1_RATE, () => this.opts.clock.now())
  private readonly arrivals: TokenBuckets
  private readonly updateBytes: TokenBuckets
  private facilitatorConns = 0
  private readonly upgrades = new UpgradeQueue((req, socket, head) => this.upgrade(req, socket, head))
  private readonly identities = new WeakMap<IncomingMessage, { cafe: CafeRuntime; who: Identity | null }>()

  constructor(private opts: TableclothServerOptions) {
    this.limits = opts.limits ?? YJS_CONNECTION_LIMITS
    this.addresses = new ConnectionLimiter(this.limits, () => opts.clock.now())
    this.arrivals = new TokenBuckets(this.limits.perPerson, () => opts.clock.now())
    this.updateBytes = new TokenBuckets(this.limits.updateBytesPerPerson, () => opts.clock.now())
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_YJS_FRAME_BYTES,
      // One frame per turn of the event loop: a client that sends many large frames at once cannot hold
      // the loop for all of them in a row.
      allowSynchronousEvents: false,
      handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith('nappe.v')) ?? false,
    })
    this.heartbeat = new Heartbeat(opts.pingIntervalMs, () => this.connections())
  }

  /** Number of documents in memory (for tests and /healthz). */
  get loadedDocs(): number { return this.docs.size }
  /** Upgrades waiting for their slice (tests, measurements). */
  get pendingUpgrades(): number { return this.upgrades.length }

  /** Takes a WebSocket upgrade on /yjs/: in its turn (UpgradeQueue), so that a rotation's arrivals do not hold up the notes. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgrades.push(req, socket, head)
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = clientAddress(req, this.opts.trustProxy ?? false)
    const person = this.participantKey(req)
    if (!this.addresses.admit(address) || (person !== null && !this.arrivals.take(person, 1))) {
      // Refused before any work: the stock client retries with its backoff.
      socket.end(TOO_MANY_UPGRADES)
      return
    }
    this.addresses.opened(address)
    let counted = true
    const release = () => { if (counted) { counted = false; this.addresses.closed(address) } }
    socket.once('close', release)
    // The handshake's answer and the server's first messages (its SyncStep1, the presence) leave in one
    // write: a rotation opens hundreds of connections in the same second, and each write is a system call.
    socket.cork()
    try {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.once('close', release)
        try {
          this.accept(ws, req)
        } catch (err) {
          this.opts.log.error('yjs connection setup failed', { err })
          close(ws, 'malformed')
        }
      })
    } finally {
      socket.uncork()
    }
  }

  /** `<cafeId>:<participantId>` of a participant's upgrade request, before any WebSocket work; else null. */
  private participantKey(req: IncomingMessage): string | null {
    const header = req.headers['sec-websocket-protocol']
    if (!header?.includes(`${YJS_AUTH_PREFIX}p.`)) return null
    const cafeId = /^\/yjs\/([A-Za-z0-9_-]{1,40})[.]/.exec(req.url ?? '')?.[1]
    const cafe = cafeId ? this.opts.resolveCafe(cafeId) : null
    const who = cafe ? this.identify(req, cafe) : null
    return cafe && who?.participantId ? `${cafe.id}:${who.participantId}` : null
  }

  /** Who the upgrade request's credential names in `cafe`, worked out (a hash of the secret) once per request. */
  private identify(req: IncomingMessage, cafe: CafeRuntime): Identity | null {
    const known = this.identities.get(req)
    if (known?.cafe === cafe) return known.who
    const who = authenticate(cafe, req.headers['sec-websocket-protocol'])
    this.identities.set(req, { cafe, who })
    return who
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
    const who = cafe ? this.identify(req, cafe) : null
    if (!cafe || !who) return close(ws, 'unauthorized')
    // The harvest is the facilitator's team's workspace: participants may not even read it.
    if (harvestOf !== null && who.role !== 'facilitator') return close(ws, 'forbidden')
    if (harvestOf === null && !cafe.hasTablecloth(ids.tableId, ids.questionId)) return close(ws, 'notFound')

    const person = `${cafe.id}:${who.participantId ?? 'facilitator'}`
    const open = this.perPerson.get(person) ?? 0
    if (who.role === 'participant' && open >= this.limits.maxOpenPerPerson) return close(ws, 'rateLimited')
    this.perPerson.set(person, open + 1)
    ws.once('close', () => {
      const n = (this.perPerson.get(person) ?? 1) - 1
      if (n <= 0) this.perPerson.delete(person)
      else this.perPerson.set(person, n)
    })

    const kind = harvestOf === null ? 'tablecloth' : 'harvest'
    const live = this.load(requested, kind === 'harvest' ? initHarvest : (doc) => initTablecloth(doc, ids))
    const conn: Conn = {
      ws, cafe, who, kind, tableId: ids.tableId, questionId: ids.questionId, clientIds: new Set(), alive: true, pingSlice: this.heartbeat.slice(), toldReadOnly: false,
      refusals: [], ackTimer: null, answersEveryStep1: false, step1Key: who.participantId ? `${cafe.id}:${who.participantId}` : `f:${++this.facilitatorConns}`, step1Waiting: null,
    }
    live.conns.set(ws, conn)
    if (live.unloadTimer) { clearTimeout(live.unloadTimer); live.unloadTimer = null }
    ws.on('pong', () => { conn.alive = true })
    ws.on('close', () => this.disconnect(live, conn))
    ws.on('message', (data, isBinary) => {
      // Frames still arriving on a connection the server closed are not worth any work.
      if (ws.readyState !== WebSocket.OPEN) return
      if (!isBinary) return close(ws, 'malformed')
      this.receive(live, conn, toUint8(data))
    })

    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    syncProtocol.writeSyncStep1(encoder, live.doc)
    // A client takes the server's state vector for "kept": it must only name what is durable.
    this.sendDurable(live, conn, encoding.toUint8Array(encoder))
    const states = live.awareness.getStates()
    if (states.size > 0) send(conn, awarenessMessage(live.awareness, [...states.keys()]))
  }

  /**
   * The rules a participant's update is checked against (shared/tableclothRules.ts), or null when they
   * may not write here at all (never seated at this tablecloth, gone, locked). Read on every message:
   * rotations move people.
   */
  private ruleContext(conn: Conn): RuleContext | null {
    const now = this.opts.clock.now()
    if (conn.who.role === 'facilitator') {
      return { writer: { role: 'facilitator', id: 'facilitator', name: conn.who.name }, now, docBytes: 0, mayCreate: () => true, mayEdit: () => true, mayReact: () => true }
    }
    const p = conn.cafe.participant(conn.who.participantId!)
    const record = conn.cafe.record
    const seat = { participantId: conn.who.participantId!, tableId: conn.tableId, questionId: conn.questionId }
    if (!p || locked(record, seat) || !everSat(record, seat)) return null
    return {
      writer: { role: 'participant', id: p.id, name: p.displayName }, now, docBytes: 0,
      mayCreate: (round, createdAt) => mayCreate(record, seat, round, createdAt, now),
      mayEdit: (round) => mayEdit(record, seat, round),
      mayReact: () => mayWriteNow(record, seat, now),
    }
  }

  /** Checks an update against the rules before anything is applied; refuses it whole, or applies it. */
  private acceptUpdate(live: LiveDoc, conn: Conn, update: Uint8Array): void {
    if (conn.kind === 'harvest') {
      if (conn.who.role !== 'facilitator') return this.refuse(conn, 'read-only', 'the harvest is for facilitators')
      if (live.bytes + update.length > MAX_HARVEST_BYTES) return this.refuse(conn, 'doc-too-big', 'the harvest document is full')
      Y.applyUpdate(live.doc, update, conn)
      return
    }
    // Decoding costs time in proportion to bytes: a person sending far more than a table writes is cut
    // (nothing is judged or lost: a stock client reconnects later and sends it again).
    if (conn.who.role === 'participant' && !this.updateBytes.take(conn.step1Key, update.length)) {
      this.opts.log.warn('yjs connection closed: too many update bytes', { cafeId: conn.cafe.id, participantId: conn.who.participantId })
      return close(conn.ws, 'rateLimited')
    }
    const ctx = this.ruleContext(conn)
    if (!ctx) return this.refuse(conn, 'read-only', 'you cannot write on this tablecloth')
    ctx.docBytes = live.bytes
    const started = performance.now()
    const verdict = checkUpdate(live.doc, update, ctx)
    const ms = performance.now() - started
    if (ms > SLOW_MS) this.opts.log.warn('slow update check', { docName: live.name, bytes: update.length, ms: Math.round(ms) })
    if (!verdict.ok) return this.refuse(conn, verdict.reason, verdict.detail)
    // All of it is here already (a stock client's answer to our acknowledgement, a resent update): not
    // applied (Yjs would only walk its delete set again), and not acknowledged, or the two would
    // ping-pong every second for as long as the connection lasts.
    if (verdict.noop) return
    // Bind the writer's new Yjs client ids to them, and mark words that came after their round was closed.
    const record = conn.cafe.record
    const late = verdict.created.filter((c) => c.round <= record.snapshotRounds || record.lifecycle.phase === 'harvest' || record.lifecycle.phase === 'closed')
    if (verdict.bindClients.length === 0 && late.length === 0) {
      Y.applyUpdate(live.doc, update, conn)
    } else {
      // In the same transaction: one update stored and sent (to the writer too, who lacks the server's
      // part), not two to store and merge. A rotation brings a first write from everyone in the same second.
      const doc = live.doc
      doc.transact(() => {
        Y.applyUpdate(doc, update)
        const own = doc.clientID
        doc.clientID = live.bindingClient
        try {
          const clients = doc.getMap(CLIENTS_ROOT)
          for (const id of verdict.bindClients) clients.set(String(id), ctx.writer.id)
          const marks = doc.getMap(LATE_ROOT)
          for (const c of late) marks.set(c.key, ctx.now)
        } finally {
          doc.clientID = own
        }
      }, 'server')
    }
    this.scheduleAck(conn)
  }

  /** Tells the writer why its update was refused (its client brings itself back in line with the server). */
  private refuse(conn: Conn, reason: RefusalReason, detail: string): void {
    const now = this.opts.clock.now()
    conn.refusals = conn.refusals.filter((t) => t > now - 60_000)
    conn.refusals.push(now)
    if (conn.refusals.length > MAX_REFUSALS_PER_MINUTE) {
      this.opts.log.warn('yjs connection closed: too many refused updates', { cafeId: conn.cafe.id, participantId: conn.who.participantId })
      return close(conn.ws, 'rateLimited')
    }
    if (reason === 'read-only') {
      if (conn.toldReadOnly) return
      conn.toldReadOnly = true
    }
    this.opts.log.info('yjs update refused', { cafeId: conn.cafe.id, participantId: conn.who.participantId, reason, detail })
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_AUTH)
    authProtocol.writePermissionDenied(encoder, reason)
    send(conn, encoding.toUint8Array(encoder))
  }

  /** A SyncStep1 (the server's state vector) to the writer soon after its updates: its acknowledgement. */
  private scheduleAck(conn: Conn): void {
    if (conn.ackTimer !== null || conn.answersEveryStep1) return
    conn.ackTimer = setTimeout(() => {
      conn.ackTimer = null
      const live = this.docs.get(conn.kind === 'harvest' ? `${conn.cafe.id}.harvest` : `${conn.cafe.id}.${conn.tableId}.${conn.questionId}`)
      if (!live || !live.conns.has(conn.ws)) return
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      syncProtocol.writeSyncStep1(encoder, live.doc)
      this.sendDurable(live, conn, encoding.toUint8Array(encoder))
    }, ACK_EVERY_MS)
    conn.ackTimer.unref()
  }

  /**
   * Answers a SyncStep1 with what the asker lacks. The answer can be the whole document, so each person
   * has an allowance (STEP1_RATE); a request over it waits (only the newest one is kept). The answer to
   * "everything" (an empty state vector) is encoded once per version of the document.
   */
  private answerStep1(live: LiveDoc, conn: Conn, sv: Uint8Array): void {
    if (!this.step1.take(conn.step1Key, 1)) {
      if (conn.step1Waiting) clearTimeout(conn.step1Waiting.timer)
      const timer = setTimeout(() => { conn.step1Waiting = null; if (live.conns.has(conn.ws)) this.answerStep1(live, conn, sv) }, STEP1_RETRY_MS)
      timer.unref()
      conn.step1Waiting = { sv, timer }
      return
    }
    const everything = sv.length === 1 && sv[0] === 0
    if (everything && live.fullState) return this.sendDurable(live, conn, live.fullState)
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    syncProtocol.writeSyncStep2(encoder, live.doc, sv)
    const message = encoding.toUint8Array(encoder)
    if (everything) live.fullState = message
    this.sendDurable(live, conn, message)
  }

  /**
   * Sends what tells of the document's content (an answer, an acknowledgement) once that content is
   * durable: at once on SQLite; with a store that writes behind (PostgreSQL), after this turn's commit.
   */
  private sendDurable(live: LiveDoc, conn: Conn, message: Uint8Array): void {
    const durable = this.opts.writer.whenDurable()
    if (!durable) return send(conn, message)
    durable.then(() => { if (this.docs.get(live.name) === live && live.conns.has(conn.ws)) send(conn, message) }, () => {}).catch((err: unknown) => this.opts.log.error('send failed', { docName: live.name, err }))
  }

  private receive(live: LiveDoc, conn: Conn, message: Uint8Array): void {
    try {
      const decoder = decoding.createDecoder(message)
      const type = decoding.readVarUint(decoder)
      switch (type) {
        case MESSAGE_SYNC: {
          const syncType = decoding.readVarUint(decoder)
          if (syncType === syncProtocol.messageYjsSyncStep1) {
            this.answerStep1(live, conn, decoding.readVarUint8Array(decoder))
          } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
            const update = decoding.readVarUint8Array(decoder)
            if (syncType === syncProtocol.messageYjsSyncStep2 && update[0] === 0) conn.answersEveryStep1 = true
            // An empty update (anyone answering our SyncStep1 with nothing new) needs no check.
            if (update.length > EMPTY_UPDATE_BYTES) this.acceptUpdate(live, conn, update)
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

  private load(name: string, init: (doc: Y.Doc) => void): LiveDoc {
    const existing = this.docs.get(name)
    if (existing) return existing
    const started = performance.now()
    const doc = newDoc(name)
    const stored = this.opts.writer.loadDoc(name)
    if (stored.updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(stored.updates))
    let bytes = 0
    for (const u of stored.updates) bytes += u.length
    const ms = performance.now() - started
    if (ms > SLOW_MS) this.opts.log.warn('slow document load', { docName: name, updates: stored.updates.length, ms: Math.round(ms) })
    const awareness = new awarenessProtocol.Awareness(doc)
    awareness.setLocalState(null)
    const live: LiveDoc = {
      name, doc, awareness, conns: new Map(), owners: new Map(), bytes, bindingClient: otherClientId(doc.clientID), fullState: null, lastSeq: stored.lastSeq, sinceCompaction: stored.updates.length, unloadTimer: null,
      outbox: [], flushScheduled: false, awarenessChanged: new Set(), awarenessTimer: null,
    }
    this.docs.set(name, live)

    doc.on('update', (update: Uint8Array, origin: unknown) => {
      // Durable first, then broadcast: whatever a tablemate has seen is on disk (or queued if the disk fails).
      const seq = this.opts.writer.appendUpdate(name, update)
      if (seq !== null) live.lastSeq = seq
      live.bytes += update.length
      live.fullState = null
      if (++live.sinceCompaction >= COMPACT_EVERY_UPDATES) this.queueCompaction(name)
      live.outbox.push({ update, origin })
      this.scheduleFlush(live)
    })
    awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      for (const id of [...added, ...updated, ...removed]) live.awarenessChanged.add(id)
      if (live.awarenessTimer === null) live.awarenessTimer = setTimeout(() => this.flushAwareness(live), AWARENESS_BATCH_MS)
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
    const doc = newDoc(name)
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
      // With a store that writes behind (PostgreSQL), this turn's updates are committed together first.
      const durable = this.opts.writer.whenDurable()
      if (!durable) return this.broadcast(live, batch)
      durable.then(() => {
        try { this.broadcast(live, batch) } catch (err) { this.opts.log.error('broadcast failed', { docName: live.name, err }) }
      }, (err: unknown) => this.opts.log.error('updates not broadcast: not durable', { docName: live.name, err }))
    })
  }

  /** One message for a turn's updates, to everyone on the document but the writer of a lone update. */
  private broadcast(live: LiveDoc, batch: LiveDoc['outbox']): void {
    if (this.docs.get(live.name) !== live || live.conns.size === 0) return
    const update = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((b) => b.update))
    const skip = batch.length === 1 ? batch[0]!.origin : null
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    syncProtocol.writeUpdate(encoder, update)
    const message = encoding.toUint8Array(encoder)
    for (const c of live.conns.values()) if (c !== skip) send(c, message)
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
    if (conn.ackTimer) clearTimeout(conn.ackTimer)
    if (conn.step1Waiting) clearTimeout(conn.step1Waiting.timer)
    if (conn.clientIds.size > 0) {
      // The ids stay the person's: when they come back (a blip, a reload), nobody else has taken them.
      for (const id of conn.clientIds) { const o = live.owners.get(id); if (o?.conn === conn) o.conn = null }
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

  /**
   * The tablecloths of a round about to be written on (at its start, or at the announcement 30 s before
   * the move): each one never written is given its first update (its meta) now, in the background, so
   * that the hundreds of connections of a rotation load their tablecloth instead of creating it (a
   * transaction, an update stored and broadcast, per document, all in the same second).
   */
  prepare(docNames: readonly string[]): void {
    for (const name of docNames) if (!this.docs.has(name)) this.prepareQueue.add(name)
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
      const [ahead] = idle === undefined && busy === undefined ? this.prepareQueue : []
      if (idle === undefined && busy === undefined && ahead === undefined) { this.compactScheduled = false; return }
      if (ahead !== undefined) {
        this.prepareQueue.delete(ahead)
        this.prepareOne(ahead)
      } else if (idle !== undefined) {
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

  private prepareOne(name: string): void {
    const ids = parseDocName(name)
    if (!ids || this.docs.has(name) || this.opts.writer.loadDoc(name).updates.length > 0) return
    const doc = newDoc(name)
    try {
      initTablecloth(doc, ids)
      this.opts.writer.appendUpdate(name, Y.encodeStateAsUpdate(doc))
    } finally {
      doc.destroy()
    }
  }

  private compact(live: LiveDoc): void {
    if (live.lastSeq === 0 || live.sinceCompaction <= 1) return
    const started = performance.now()
    const merged = Y.encodeStateAsUpdate(live.doc)
    if (this.opts.writer.compactDoc(live.name, merged, live.lastSeq)) {
      live.sinceCompaction = 1
      live.bytes = merged.length
    }
    const ms = performance.now() - started
    if (ms > SLOW_MS) this.opts.log.warn('slow compaction', { docName: live.name, ms: Math.round(ms) })
  }

  /** Whether a document of the café is loaded (someone uses it, or did a moment ago). */
  hasCafe(cafeId: string): boolean {
    for (const name of this.docs.keys()) if (cafeIdOfDocName(name) === cafeId) return true
    return false
  }

  /**
   * Drops every document of a café this node no longer serves (another node took it): their connections
   * close as for a restart (clients reconnect, and reach the café's new node), nothing more is written.
   */
  closeCafe(cafeId: string): void {
    for (const live of [...this.docs.values()]) {
      if (cafeIdOfDocName(live.name) !== cafeId) continue
      this.docs.delete(live.name)
      this.compactQueue.delete(live.name)
      this.idleQueue.delete(live.name)
      if (live.unloadTimer) clearTimeout(live.unloadTimer)
      if (live.awarenessTimer) clearTimeout(live.awarenessTimer)
      for (const c of [...live.conns.values()]) { this.disconnect(live, c); close(c.ws, 'serverShutdown') }
      live.awareness.destroy()
      live.doc.destroy()
    }
  }

  /** Closes every tablecloth connection of a participant (they left or were removed). */
  closeParticipant(cafeId: string, participantId: string): void {
    for (const live of this.docs.values()) {
      for (const c of live.conns.values()) {
        if (c.cafe.id === cafeId && c.who.participantId === participantId) close(c.ws, 'removed')
      }
    }
  }

  private *connections(): Iterable<Conn> {
    for (const live of this.docs.values()) yield* live.conns.values()
  }

  /** Server shutdown: compact everything, tell clients to come back, free memory. */
  close(): void {
    this.heartbeat.close()
    this.upgrades.close()
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

function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients))
  return encoding.toUint8Array(encoder)
}

/**
 * A server-side document named by its tablecloth: Yjs would draw a random guid (a uuid of 31 random
 * calls, 0.15 ms, paid by each of the hundreds of documents a rotation opens at once); the name is unique.
 */
function newDoc(name: string): Y.Doc {
  return new Y.Doc({ guid: name })
}

function send(conn: Conn, message: Uint8Array): void {
  if (conn.ws.readyState !== WebSocket.OPEN) return
  // A reader that does not read holds memory for everyone: cut it (a stock client reconnects and syncs).
  if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) return conn.ws.terminate()
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

/** A random Yjs client id (as Yjs makes them: 32 bits) other than `taken`. */
function otherClientId(taken: number): number {
  for (;;) {
    const id = randomInt(2 ** 32 - 1)
    if (id !== taken) return id
  }
}
