/**
 * The pool never closes a tablecloth that still holds edits the server has not acknowledged: after a
 * move it keeps it open off-screen until the server has everything, and it remembers such documents
 * across reloads (bounded by storage.ts).
 */
import { describe, expect, it } from 'vitest'
import { SessionPool } from '../../client/src/transport/SessionPool'
import type { UnsentMemory } from '../../client/src/transport/SessionPool'
import type { SessionSnapshot, SyncState, TableclothSession } from '../../client/src/transport/TableclothSession'

/** Stands in for a TableclothSession: what the pool reads of it is its snapshot. */
class FakeSession {
  destroyed = false
  author: { id: string; name: string } | null = null
  private listeners = new Set<() => void>()
  private snap: Pick<SessionSnapshot, 'status' | 'sync'> = { status: 'connecting', sync: { known: false, notes: 0, pending: false, since: null } }
  constructor(readonly docName: string) {}
  getSnapshot = () => this.snap as SessionSnapshot
  subscribe = (fn: () => void) => { this.listeners.add(fn); return () => this.listeners.delete(fn) }
  setAuthor(a: { id: string; name: string }) { this.author = a }
  destroy() { this.destroyed = true }
  set(sync: Partial<SyncState>, status: SessionSnapshot['status'] = this.snap.status) {
    this.snap = { status, sync: { ...this.snap.sync, ...sync } }
    for (const fn of this.listeners) fn()
  }
}

function setup(remembered: string[] = []) {
  const made = new Map<string, FakeSession>()
  let stored = [...remembered]
  const memory: UnsentMemory = { load: () => [...stored], save: (d) => { stored = [...d] } }
  const pool = new SessionPool({ participantToken: 't' }, memory, (name) => {
    const f = new FakeSession(name)
    made.set(name, f)
    return f as unknown as TableclothSession
  })
  return { pool, made, stored: () => stored }
}
const settle = () => new Promise<void>((r) => queueMicrotask(r))

describe('the tablecloth pool', () => {
  it('keeps a table left at a rotation open until the server has all of it, then closes it', async () => {
    const { pool, made, stored } = setup()
    pool.want(['c.t1.q1', 'c.t2.q2'])
    const old = made.get('c.t1.q1')!
    old.set({ known: true, notes: 2, pending: true, since: 1 })
    expect(stored()).toEqual(['c.t1.q1'])
    pool.want(['c.t2.q2', 'c.t1.q2'])
    await settle()
    expect(old.destroyed).toBe(false)
    expect(pool.background().map((s) => s.docName)).toEqual(['c.t1.q1'])
    old.set({ notes: 0, pending: false, since: null })
    await settle()
    expect(old.destroyed).toBe(true)
    expect(pool.background()).toEqual([])
    expect(stored()).toEqual([])
  })

  it('closes at once a table left with nothing unsent, and one that can never send (refused)', async () => {
    const { pool, made } = setup()
    pool.want(['a.t1.q1', 'a.t2.q1'])
    made.get('a.t1.q1')!.set({ known: true })
    made.get('a.t2.q1')!.set({ known: true, pending: true, notes: 1 })
    pool.want([])
    await settle()
    expect(made.get('a.t1.q1')!.destroyed).toBe(true)
    expect(made.get('a.t2.q1')!.destroyed).toBe(false)
    made.get('a.t2.q1')!.set({}, 'refused')
    await settle()
    expect(made.get('a.t2.q1')!.destroyed).toBe(true)
  })

  it('does not close a table whose state is not known yet (its local copy is still loading)', async () => {
    const { pool, made } = setup()
    pool.want(['a.t1.q1'])
    pool.want([])
    await settle()
    expect(made.get('a.t1.q1')!.destroyed).toBe(false)
  })

  it('reopens remembered tables in the background after a reload, and forgets them once sent', async () => {
    const { pool, made, stored } = setup(['c.t1.q1'])
    pool.setAuthor({ id: 'pA', name: 'Amélie' })
    expect(made.get('c.t1.q1')!.author).toEqual({ id: 'pA', name: 'Amélie' })
    pool.want(['c.t2.q2'])
    expect(pool.background().map((s) => s.docName)).toEqual(['c.t1.q1'])
    made.get('c.t1.q1')!.set({ known: true, pending: true, notes: 2 })
    expect(stored()).toEqual(['c.t1.q1'])
    made.get('c.t1.q1')!.set({ pending: false, notes: 0 })
    await settle()
    expect(made.get('c.t1.q1')!.destroyed).toBe(true)
    expect(stored()).toEqual([])
    pool.destroy()
    expect(made.get('c.t2.q2')!.destroyed).toBe(true)
  })
})
