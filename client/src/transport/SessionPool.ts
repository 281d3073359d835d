/**
 * The tablecloth sessions a page keeps open: the ones it shows (and the next one, preloaded), and,
 * off-screen, the ones that still hold edits the server has not acknowledged: a table left at a
 * rotation, or, after a reload, the tables remembered on this device. An off-screen session stays
 * connected until the server has everything, then it is closed. A plain class (no React).
 */
import type { Credential } from './CafeConnection'
import { TableclothSession } from './TableclothSession'

/** Where the names of documents with unsent edits are kept between loads (storage.ts). */
export interface UnsentMemory {
  load(): string[]
  save(docNames: readonly string[]): void
}

interface Entry { session: TableclothSession; wanted: boolean; unsubscribe: () => void }

export class SessionPool {
  private entries = new Map<string, Entry>()
  private listeners = new Set<() => void>()
  private author: { id: string; name: string } | null = null
  private destroyed = false
  /** Bumped on every change that views may show. */
  version = 0

  constructor(
    private readonly credential: Credential,
    private readonly memory: UnsentMemory | null = null,
    private readonly make: (docName: string, credential: Credential) => TableclothSession = (d, c) => new TableclothSession(d, c),
  ) {
    for (const name of memory?.load() ?? []) this.add(name, false)
  }

  /** The documents the page shows now; the others are closed, or kept off-screen while they hold unsent edits. */
  want(docNames: readonly string[]): void {
    if (this.destroyed) return
    const wanted = new Set(docNames)
    for (const name of wanted) {
      const e = this.entries.get(name)
      if (e) e.wanted = true
      else this.add(name, true)
    }
    for (const [name, e] of this.entries) {
      if (!wanted.has(name) && e.wanted) { e.wanted = false; this.settle(name) }
    }
    this.changed()
  }

  setAuthor(author: { id: string; name: string }): void {
    this.author = author
    for (const e of this.entries.values()) e.session.setAuthor(author)
  }

  get(docName: string): TableclothSession | undefined {
    return this.entries.get(docName)?.session
  }

  /** The sessions the page asked for, in the order it asked. */
  shown(docNames: readonly string[]): TableclothSession[] {
    return docNames.map((d) => this.entries.get(d)).filter((e): e is Entry => Boolean(e?.wanted)).map((e) => e.session)
  }

  /** Sessions kept open off-screen because the server does not have all of them yet. */
  background(): TableclothSession[] {
    return [...this.entries.values()].filter((e) => !e.wanted).map((e) => e.session)
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  getVersion = (): number => this.version

  destroy(): void {
    this.destroyed = true
    for (const e of this.entries.values()) { e.unsubscribe(); e.session.destroy() }
    this.entries.clear()
    this.listeners.clear()
  }

  private add(name: string, wanted: boolean): void {
    const session = this.make(name, this.credential)
    if (this.author) session.setAuthor(this.author)
    const entry: Entry = { session, wanted, unsubscribe: () => {} }
    this.entries.set(name, entry)
    entry.unsubscribe = session.subscribe(() => {
      this.remember()
      if (!entry.wanted) this.settle(name)
      this.changed()
    })
  }

  /** An off-screen session goes once the server has all of it (or can never get it). */
  private settle(name: string): void {
    const e = this.entries.get(name)
    if (!e || e.wanted) return
    const snap = e.session.getSnapshot()
    if (snap.status !== 'refused' && !(snap.sync.known && !snap.sync.pending)) return
    this.remember()
    e.unsubscribe()
    this.entries.delete(name)
    // Closed after this turn: the notification that settled it is still being delivered.
    queueMicrotask(() => e.session.destroy())
  }

  /** Keeps the names of the documents that hold unsent edits, for the next load. */
  private remember(): void {
    if (!this.memory) return
    const names = this.memory.load()
    const keep = new Set(names)
    for (const [name, e] of this.entries) {
      const snap = e.session.getSnapshot()
      if (snap.status === 'refused') keep.delete(name)
      else if (snap.sync.known && snap.sync.pending) keep.add(name)
      else if (snap.sync.known) keep.delete(name)
    }
    const next = [...names.filter((n) => keep.has(n)), ...[...keep].filter((n) => !names.includes(n))]
    if (next.length !== names.length || next.some((n, i) => n !== names[i])) this.memory.save(next)
  }

  private changed(): void {
    this.version++
    for (const fn of this.listeners) fn()
  }
}
