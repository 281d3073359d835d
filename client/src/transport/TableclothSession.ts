/**
 * One tablecloth in the browser: a Y.Doc synced with the server by y-websocket's stock provider (the
 * credential in the WebSocket subprotocols, never the URL) and kept in IndexedDB, so writing goes on
 * offline, survives a reload, and is sent when the connection is back.
 *
 * On top of the stock provider, three things (see docs/protocol.md, "Client: refusals,
 * acknowledgements, late words"):
 *
 * - Acknowledgements. The server's SyncStep1s carry its state vector: from them (and the deletions it
 *   sends) the session knows what the server does not have yet (`sync`: notes and changes not sent).
 *   The session answers a SyncStep1 only when the server lacks something, so that a copy in line with
 *   the server stays quiet (a stock answer carries the whole delete set, which the server would check).
 * - Refusals. The server refuses a bad update whole, with an auth message naming the reason; the local
 *   copy then holds structs the server will never have, and everything built on them would be refused
 *   too. So the session rebases: a fresh Y.Doc (new client id) filled from the server, the person's own
 *   unsent work carried over (rebase.ts), the device's copy replaced, and the views told (the session
 *   object stays; `doc`, `provider` and `undoManager` are the current copy's). Words the server will
 *   not take are set aside on the device (storage.ts), shown with the reason, never sent in a loop.
 * - Catch-up: the provider asks for the server's state every RESYNC_INTERVAL_MS, so a missed broadcast
 *   comes by itself.
 */
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { IndexeddbPersistence } from 'y-indexeddb'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as authProtocol from 'y-protocols/auth'
import { CLOSE_CODES, YJS_AUTH_PREFIX, YJS_SUBPROTOCOL } from '../../../shared/closeCodes'
import { itemsMap, parseDocName, restoreItem, setItemText } from '../../../shared/tablecloth'
import type { RefusalReason, Writer } from '../../../shared/tableclothRules'
import { REFUSAL_REASONS } from '../../../shared/tableclothRules'
import { loadSetAside, saveSetAside } from '../storage'
import type { SetAsideWord } from '../storage'
import type { Credential } from './CafeConnection'
import { rebase } from './rebase'
import { splittingWebSocket } from './splittingSocket'
import type { RebaseResult } from './rebase'
import { decodeHolds, deletesPending, encodeHolds, heldFromStateVector, learnFromUpdate, nothingHeld, structsAhead, unsentOf } from './unsent'
import type { ServerHolds } from './unsent'

export type TableclothStatus = 'connecting' | 'synced' | 'offline' | 'refused'

/** What the server does not have yet. */
export interface SyncState {
  /** False until the local copy is loaded and what the server holds is known (stored, or told). */
  known: boolean
  /** The person's notes and text blocks the server does not have. */
  notes: number
  /** Anything the server does not have (notes, edits, drawings, stars, deletions). */
  pending: boolean
  /** Since when something is pending without the server taking any of it (local clock), else null. */
  since: number | null
}

/** The server refused something and it could not all be carried over: what the person is told. */
export interface RefusalNotice { reason: RefusalReason; at: number }

export interface SessionSnapshot {
  status: TableclothStatus
  /** True once the local copy (IndexedDB) or the server has filled the document. */
  loaded: boolean
  sync: SyncState
  notice: RefusalNotice | null
  setAside: readonly SetAsideWord[]
  /** The current copy: a new one after a rebase. */
  doc: Y.Doc
}

const MESSAGE_SYNC = 0
const MESSAGE_AUTH = 2
/** The provider asks the server for what it missed this often. */
export const RESYNC_INTERVAL_MS = 20_000

/** The platform's WebSocket, cutting sync frames the server would refuse for their size (made once). */
let splittingSocketClass: typeof WebSocket | null = null
const socketClass = () => (splittingSocketClass ??= splittingWebSocket(WebSocket))
/** What the server holds is stored with the document (y-indexeddb's custom store) under this key. */
const HOLDS_KEY = 'nappe.server'
const HOLDS_SAVE_MS = 300
const SYNC_STATE_MS = 50
/** Deletions re-sent without the server's delete set showing them, before the session stops insisting. */
const MAX_DELETION_RESENDS = 5
/** How long a rebase waits for the device's copy to load before going on without it. */
const LOCAL_LOAD_WAIT_MS = 5000

/** Close codes after which reconnecting cannot help. */
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.unauthorized.code, CLOSE_CODES.forbidden.code, CLOSE_CODES.notFound.code,
  CLOSE_CODES.removed.code, CLOSE_CODES.protocolMismatch.code,
])

export function wsBase(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`
}

/** One copy of the document with its provider: the session swaps them at a rebase. */
interface Replica {
  doc: Y.Doc
  provider: WebsocketProvider
  undoManager: Y.UndoManager
  persistence: IndexeddbPersistence | null
  holds: ServerHolds
  /** The local copy is complete: loaded from IndexedDB (or there is none), or built by a rebase. */
  complete: boolean
  /** What the server holds is known: it told us, or we stored it. */
  holdsKnown: boolean
  /** A SyncStep1 of ours is waiting for the server's SyncStep2 (which carries its delete set). */
  asking: boolean
  deletionResends: number
  pendingSince: number | null
  /** When the server last acknowledged more of ours (local clock). */
  progressAt: number
  /** Replaced by a rebase: its events no longer count. */
  retired: boolean
}

const isReason = (r: string): r is RefusalReason => (REFUSAL_REASONS as readonly string[]).includes(r)

export class TableclothSession {
  /** Origin of this browser's own transactions: what undo/redo tracks. */
  readonly localOrigin = { local: true }
  private readonly rebaseOrigin = { rebase: true }
  private readonly role: Writer['role']
  private readonly isTablecloth: boolean
  private replica: Replica
  /** The copy being filled from the server during a rebase. */
  private incoming: Replica | null = null
  private author: Writer | null = null
  /** A refusal that came before we knew who we are: rebased once we do. */
  private waitingRebase: RefusalReason | null = null
  /** Keys of changes a rebase carried (rebase.ts): carried again only if they changed. */
  private carried = new Set<string>()
  private listeners = new Set<() => void>()
  private timers = { sync: 0 as ReturnType<typeof setTimeout> | 0, holds: 0 as ReturnType<typeof setTimeout> | 0 }
  private destroyed = false
  private snap: SessionSnapshot

  constructor(readonly docName: string, private readonly credential: Credential) {
    this.role = 'facilitatorKey' in credential ? 'facilitator' : 'participant'
    this.isTablecloth = parseDocName(docName) !== null
    this.replica = this.open(true)
    this.snap = {
      status: 'connecting', loaded: false, notice: null, setAside: loadSetAside(docName), doc: this.replica.doc,
      sync: { known: false, notes: 0, pending: false, since: null },
    }
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', this.onOffline)
      window.addEventListener('online', this.onOnline)
    }
  }

  get doc(): Y.Doc { return this.replica.doc }
  get provider(): WebsocketProvider { return this.replica.provider }
  get undoManager(): Y.UndoManager { return this.replica.undoManager }
  get status(): TableclothStatus { return this.snap.status }
  get loaded(): boolean { return this.snap.loaded }
  get sync(): SyncState { return this.snap.sync }

  getSnapshot = (): SessionSnapshot => this.snap

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Who writes here, as the server knows them now (participant id and current name): what a rebase keeps as theirs. */
  setAuthor(author: { id: string; name: string }): void {
    this.author = { role: this.role, id: author.id, name: author.name }
    this.scheduleSync()
    const waiting = this.waitingRebase
    if (waiting) { this.waitingRebase = null; void this.rebase(waiting) }
  }

  transact(fn: () => void): void {
    this.doc.transact(fn, this.localOrigin)
  }

  /** Puts a set-aside word back on the tablecloth (the server judges again), and off the list. */
  retry(key: string): void {
    const word = this.snap.setAside.find((w) => w.key === key)
    if (!word || !this.author) return
    this.dismiss(key)
    const doc = this.doc
    if (word.change === 'text') {
      if (itemsMap(doc).get(word.item.id) && 'text' in word.item) setItemText(doc, word.item.id, word.item.text, this.localOrigin)
      return
    }
    if (itemsMap(doc).has(word.item.id)) return
    restoreItem(doc, { ...word.item, authorName: this.role === 'participant' ? this.author.name : word.item.authorName }, this.localOrigin)
  }

  dismiss(key: string): void {
    const setAside = this.snap.setAside.filter((w) => w.key !== key)
    saveSetAside(this.docName, setAside)
    this.update({ setAside })
  }

  dismissNotice(): void {
    this.update({ notice: null })
  }

  destroy(): void {
    this.destroyed = true
    if (typeof window !== 'undefined') {
      window.removeEventListener('offline', this.onOffline)
      window.removeEventListener('online', this.onOnline)
    }
    clearTimeout(this.timers.sync)
    if (this.timers.holds) { clearTimeout(this.timers.holds); this.saveHolds() }
    for (const r of [this.replica, this.incoming]) {
      if (!r) continue
      r.undoManager.destroy()
      r.provider.destroy()
      void r.persistence?.destroy()
      r.doc.destroy()
    }
    this.incoming = null
    this.listeners.clear()
  }

  // ---- the copy and its provider ----

  private open(persist: boolean): Replica {
    const doc = new Y.Doc()
    const auth = 'facilitatorKey' in this.credential ? `f.${this.credential.facilitatorKey}` : `p.${this.credential.participantToken}`
    const provider = new WebsocketProvider(wsBase(), this.docName, doc, {
      protocols: [YJS_SUBPROTOCOL, `${YJS_AUTH_PREFIX}${auth}`],
      maxBackoffTime: 5000,
      resyncInterval: RESYNC_INTERVAL_MS,
      WebSocketPolyfill: socketClass(),
      // Tabs share the device's copy through IndexedDB; a broadcast channel would carry refused structs
      // from one tab into another, around the server.
      disableBc: true,
      connect: false,
    })
    const r: Replica = {
      doc, provider, persistence: null, holds: nothingHeld(), complete: !persist, holdsKnown: false, asking: false,
      deletionResends: 0, pendingSince: null, progressAt: 0, retired: false,
      undoManager: new Y.UndoManager(doc.getMap('items'), { trackedOrigins: new Set([this.localOrigin]), captureTimeout: 400 }),
    }
    this.intercept(r)
    provider.on('sync', (synced: boolean) => {
      if (synced && this.live(r)) this.update({ loaded: true, status: 'synced' })
    })
    provider.on('status', ({ status }: { status: string }) => {
      if (!this.live(r)) return
      if (status === 'disconnected') r.asking = false
      if (status === 'disconnected' && this.snap.status !== 'refused') this.update({ status: 'offline' })
    })
    provider.on('connection-close', (event: CloseEvent | null) => {
      if (this.live(r) && event && FINAL_CLOSE_CODES.has(event.code)) {
        provider.shouldConnect = false
        this.update({ status: 'refused' })
      }
    })
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.local && tr.deleteSet.clients.size > 0) r.deletionResends = 0
      if (this.live(r)) this.scheduleSync()
    })
    if (persist) this.persist(r)
    provider.connect()
    return r
  }

  private live(r: Replica): boolean {
    return !this.destroyed && !r.retired && (r === this.replica || r === this.incoming)
  }

  private persist(r: Replica): void {
    try {
      if (typeof indexedDB === 'undefined') { r.complete = true; return }
      const p = new IndexeddbPersistence(`nappe:${this.docName}`, r.doc)
      r.persistence = p
      void p.whenSynced.then(async () => {
        const stored = await p.get(HOLDS_KEY).catch(() => undefined)
        if (!this.live(r)) return
        const held = stored instanceof Uint8Array ? decodeHolds(stored) : null
        // What the server told us on this connection wins over what we stored; stored deletions still count.
        if (held) r.holds = r.holdsKnown ? { sv: r.holds.sv, ds: Y.mergeDeleteSets([r.holds.ds, held.ds]) } : held
        r.holdsKnown = r.holdsKnown || held !== null || !r.doc.store.clients.size
        r.complete = true
        this.update({ loaded: true })
        this.scheduleSync()
        if (r === this.replica) this.scheduleHoldsSave()
      })
    } catch {
      r.persistence = null // private browsing without IndexedDB: online only
      r.complete = true
    }
  }

  /** Reads what the server says before y-websocket's own handlers do (sync), and its refusals (auth). */
  private intercept(r: Replica): void {
    const p = r.provider
    const sync = p.messageHandlers[MESSAGE_SYNC]!
    p.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, provider, emitSynced, messageType) => {
      if (!this.live(r)) return
      const peek = decoding.clone(decoder)
      const type = decoding.readVarUint(peek)
      if (type === syncProtocol.messageYjsSyncStep1) {
        // The server's state vector: on connect, and soon after it accepted our updates (its acknowledgement).
        this.held(r, heldFromStateVector(r.holds, Y.decodeStateVector(decoding.readVarUint8Array(peek))), true)
        if (structsAhead(r.doc, r.holds)) sync(encoder, decoder, provider, emitSynced, messageType)
        else if (deletesPending(r.doc, r.holds)) this.ask(r)
        return
      }
      const update = decoding.readVarUint8Array(peek)
      sync(encoder, decoder, provider, emitSynced, messageType)
      this.held(r, learnFromUpdate(r.holds, update), false)
      if (type === syncProtocol.messageYjsSyncStep2) {
        r.asking = false
        if (!structsAhead(r.doc, r.holds) && deletesPending(r.doc, r.holds)) this.sendDeletions(r)
      }
    }
    p.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder, provider) => {
      authProtocol.readAuthMessage(decoder, provider.doc, (_doc, reason) => this.refused(r, reason))
    }
  }

  private held(r: Replica, holds: ServerHolds, ack: boolean): void {
    // Progress: the server acknowledged more of what it lacked from us.
    if (ack) {
      for (const [client, clock] of holds.sv) {
        const before = r.holds.sv.get(client) ?? 0
        if (clock > before && Y.getState(r.doc.store, client) > before) r.progressAt = Date.now()
      }
    }
    r.holds = holds
    r.holdsKnown = true
    this.scheduleSync()
    if (r === this.replica) this.scheduleHoldsSave()
  }

  private send(r: Replica, message: Uint8Array): void {
    const ws = r.provider.ws
    if (r.provider.wsconnected && ws && ws.readyState === WebSocket.OPEN) ws.send(message as Uint8Array<ArrayBuffer>)
  }

  /** Asks the server for its state (a SyncStep1): its SyncStep2 answer carries its whole delete set. */
  private ask(r: Replica): void {
    if (r.asking) return
    r.asking = true
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, MESSAGE_SYNC)
    syncProtocol.writeSyncStep1(e, r.doc)
    this.send(r, encoding.toUint8Array(e))
  }

  /** Deletions the server does not show yet: sent again (an update always carries the whole delete set). */
  private sendDeletions(r: Replica): void {
    if (r.deletionResends >= MAX_DELETION_RESENDS) return
    r.deletionResends++
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, MESSAGE_SYNC)
    syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(r.doc, Y.encodeStateVector(r.holds.sv)))
    this.send(r, encoding.toUint8Array(e))
  }

  // ---- refusals ----

  private refused(r: Replica, raw: string): void {
    if (r !== this.replica || this.incoming) return
    // Nothing of ours waits: a refusal of nothing (a reader's one-off) needs no repair.
    if (!structsAhead(r.doc, r.holds) && !deletesPending(r.doc, r.holds)) return
    void this.rebase(isReason(raw) ? raw : 'bad-item')
  }

  private async rebase(reason: RefusalReason): Promise<void> {
    if (this.destroyed || this.incoming) return
    // What is ours depends on who we are (a tablecloth); the harvest is only brought back in line.
    if (!this.author && this.isTablecloth) { this.waitingRebase = reason; return }
    const old = this.replica
    // The old copy stops talking to the server at once: everything it would send now is refused.
    old.retired = true
    old.provider.destroy()
    const next = this.open(false)
    this.incoming = next
    if (old.persistence && !old.persistence.synced) await Promise.race([old.persistence.whenSynced, delay(LOCAL_LOAD_WAIT_MS)])
    await syncedOnce(next.provider)
    if (!this.live(next) || this.incoming !== next) return
    // From here to the swap nothing waits: whatever the person typed on the old copy meanwhile is carried too.
    const result: RebaseResult = this.isTablecloth && this.author
      ? rebase(old.doc, next.doc, { writer: this.author, now: Date.now(), carriedBefore: this.carried, reason, origin: this.rebaseOrigin })
      : { carried: [], setAside: [], dropped: 1 }
    for (const key of result.carried) this.carried.add(key)
    this.incoming = null
    this.replica = next
    next.progressAt = Date.now()
    let setAside = this.snap.setAside
    if (result.setAside.length > 0) {
      const at = Date.now()
      const fresh = result.setAside.map((w) => ({ ...w, at }))
      setAside = [...setAside.filter((w) => !fresh.some((f) => f.key === w.key)), ...fresh]
      saveSetAside(this.docName, setAside)
    }
    const notice = result.dropped > 0 ? { reason, at: Date.now() } : this.snap.notice
    this.update({ doc: next.doc, setAside, notice, loaded: true, status: next.provider.synced ? 'synced' : this.snap.status })
    this.scheduleSync()
    // The device's copy becomes the new one: replaced in one IndexedDB transaction, so that the words are
    // never nowhere (deleting the database first would leave a gap, and waits on any other open tab).
    const stored = old.persistence !== null && old.persistence.synced
    await old.persistence?.destroy()
    old.undoManager.destroy()
    old.doc.destroy()
    if (!stored || this.destroyed || this.replica !== next) return
    try {
      await replaceStoredState(`nappe:${this.docName}`, Y.encodeStateAsUpdate(next.doc))
    } catch {
      return // the device keeps no copy of this one: it is on the server
    }
    if (this.live(next) && this.replica === next) this.persist(next)
  }

  // ---- sync state ----

  private scheduleSync(): void {
    if (this.timers.sync || this.destroyed) return
    this.timers.sync = setTimeout(() => { this.timers.sync = 0; this.computeSync() }, SYNC_STATE_MS)
  }

  private computeSync(): void {
    if (this.destroyed) return
    const r = this.replica
    const known = r.complete && r.holdsKnown
    const unsent = unsentOf(r.doc, r.holds, this.author?.id ?? null)
    const pending = unsent.pending || this.incoming !== null
    if (!pending) r.pendingSince = null
    else r.pendingSince ??= Date.now()
    const since = pending ? Math.max(r.pendingSince!, r.progressAt) : null
    const prev = this.snap.sync
    if (prev.known === known && prev.notes === unsent.notes && prev.pending === pending && prev.since === since) return
    this.update({ sync: { known, notes: unsent.notes, pending, since } })
  }

  private scheduleHoldsSave(): void {
    if (this.timers.holds || this.destroyed) return
    this.timers.holds = setTimeout(() => { this.timers.holds = 0; this.saveHolds() }, HOLDS_SAVE_MS)
  }

  private saveHolds(): void {
    const r = this.replica
    if (r.persistence && r.complete && r.holdsKnown) void r.persistence.set(HOLDS_KEY, encodeHolds(r.holds) as unknown as ArrayBuffer).catch(() => {})
  }

  // ---- the network ----

  /** The system says the network is gone: its sockets are dead, so drop them now rather than at a timeout. */
  private onOffline = (): void => {
    for (const r of [this.replica, this.incoming]) {
      const p = r?.provider
      if (p && (p.wsconnected || p.wsconnecting)) { p.disconnect(); p.connect() }
    }
  }

  /** Back: reconnect now rather than at the end of the provider's backoff. */
  private onOnline = (): void => {
    for (const r of [this.replica, this.incoming]) {
      const p = r?.provider
      if (p && !p.wsconnected && p.shouldConnect) { p.disconnect(); p.connect() }
    }
  }

  private update(patch: Partial<SessionSnapshot>): void {
    this.snap = { ...this.snap, ...patch }
    for (const fn of this.listeners) fn()
  }
}

function syncedOnce(provider: WebsocketProvider): Promise<void> {
  return new Promise((resolve) => {
    if (provider.synced) return resolve()
    const on = (synced: boolean) => { if (synced) { provider.off('sync', on); resolve() } }
    provider.on('sync', on)
  })
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Replaces a y-indexeddb database's content with one full state, in one transaction (the layout is
 * y-indexeddb's: an auto-incremented `updates` store and a `custom` one).
 */
function replaceStoredState(name: string, state: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name)
    req.onupgradeneeded = () => {
      const db = req.result
      if (!db.objectStoreNames.contains('updates')) db.createObjectStore('updates', { autoIncrement: true })
      if (!db.objectStoreNames.contains('custom')) db.createObjectStore('custom')
    }
    req.onerror = () => reject(req.error)
    req.onsuccess = () => {
      const db = req.result
      const tx = db.transaction(['updates'], 'readwrite')
      const store = tx.objectStore('updates')
      store.clear()
      store.add(state)
      tx.oncomplete = () => { db.close(); resolve() }
      tx.onerror = tx.onabort = () => { db.close(); reject(tx.error) }
    }
  })
}
