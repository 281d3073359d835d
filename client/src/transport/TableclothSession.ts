/**
 * One tablecloth in the browser: a Y.Doc synced with the server by y-websocket's stock provider (the
 * credential in the WebSocket subprotocols, never the URL) and kept in IndexedDB, so writing goes on
 * offline and survives a reload until the server has it.
 */
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { IndexeddbPersistence } from 'y-indexeddb'
import { CLOSE_CODES, YJS_AUTH_PREFIX, YJS_SUBPROTOCOL } from '../../../shared/closeCodes'
import type { Credential } from './CafeConnection'

export type TableclothStatus = 'connecting' | 'synced' | 'offline' | 'refused'

/** Close codes after which reconnecting cannot help. */
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.unauthorized.code, CLOSE_CODES.forbidden.code, CLOSE_CODES.notFound.code,
  CLOSE_CODES.removed.code, CLOSE_CODES.protocolMismatch.code,
])

export function wsBase(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`
}

export class TableclothSession {
  readonly doc = new Y.Doc()
  readonly provider: WebsocketProvider
  /** Origin of this browser's own transactions: what undo/redo tracks. */
  readonly localOrigin = { local: true }
  readonly undoManager: Y.UndoManager
  private persistence: IndexeddbPersistence | null = null
  private listeners = new Set<() => void>()
  status: TableclothStatus = 'connecting'
  /** True once the local copy (IndexedDB) or the server has filled the document. */
  loaded = false

  constructor(readonly docName: string, credential: Credential) {
    const auth = 'facilitatorKey' in credential ? `f.${credential.facilitatorKey}` : `p.${credential.participantToken}`
    this.provider = new WebsocketProvider(wsBase(), docName, this.doc, {
      protocols: [YJS_SUBPROTOCOL, `${YJS_AUTH_PREFIX}${auth}`],
      maxBackoffTime: 5000,
    })
    try {
      if (typeof indexedDB !== 'undefined') {
        this.persistence = new IndexeddbPersistence(`nappe:${docName}`, this.doc)
        void this.persistence.whenSynced.then(() => { this.loaded = true; this.emit() })
      }
    } catch {
      this.persistence = null // private browsing without IndexedDB: online only
    }
    this.undoManager = new Y.UndoManager(this.doc.getMap('items'), { trackedOrigins: new Set([this.localOrigin]), captureTimeout: 400 })
    this.provider.on('sync', (synced: boolean) => {
      if (synced) { this.loaded = true; this.setStatus('synced') }
    })
    this.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'disconnected' && this.status !== 'refused') this.setStatus('offline')
      if (status === 'connecting' && this.status === 'offline') this.setStatus('offline')
    })
    this.provider.on('connection-close', (event: CloseEvent | null) => {
      if (event && FINAL_CLOSE_CODES.has(event.code)) {
        this.provider.shouldConnect = false
        this.setStatus('refused')
      }
    })
  }

  transact(fn: () => void): void {
    this.doc.transact(fn, this.localOrigin)
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  destroy(): void {
    this.undoManager.destroy()
    this.provider.destroy()
    void this.persistence?.destroy()
    this.doc.destroy()
    this.listeners.clear()
  }

  private setStatus(status: TableclothStatus): void {
    if (this.status === status) return
    this.status = status
    this.emit()
  }

  private emit(): void {
    for (const fn of this.listeners) fn()
  }
}
