/**
 * Bringing a refused browser back in line: the rebased document is the server's, plus the person's own
 * valid unsent work, and nothing the server refused; what cannot go is set aside, never sent in a loop.
 * The server is simulated with its own rules (shared/tableclothRules.ts), as TableclothServer applies them.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addNote, deleteItem, moveItem, readItems, removeItem, setItemText, toggleStar } from '../../shared/tablecloth'
import type { Writer } from '../../shared/tableclothRules'
import { TABLECLOTH_LIMITS } from '../../shared/tableclothRules'
import { A, B, F, NOW, authorship, reasonOf, ruleContext, simulatedServer } from '../helpers/ruleServer'
import { rebase } from '../../client/src/transport/rebase'

const ctx = ruleContext
const who = (w: Writer) => authorship(w)

function server() {
  const { doc, accept } = simulatedServer()
  /** A browser's copy: synced from the server, `push` sends what the server lacks (as a SyncStep2 would). */
  const client = () => {
    const d = new Y.Doc()
    Y.applyUpdate(d, Y.encodeStateAsUpdate(doc))
    return { doc: d, pull: () => Y.applyUpdate(d, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(d))), push: (w: Writer) => accept(Y.encodeStateAsUpdate(d, Y.encodeStateVector(doc)), ctx(w)) }
  }
  return { doc, accept, client }
}

const reason = reasonOf
const view = (doc: Y.Doc) => readItems(doc).sort((a, b) => (a.id < b.id ? -1 : 1)).map((i) => ({ id: i.id, author: i.author, authorName: i.authorName, round: i.round, x: i.x, y: i.y, text: 'text' in i ? i.text : null, stars: i.stars }))
const rebaseOf = (local: Y.Doc, srv: Y.Doc, writer: Writer, over: Partial<Parameters<typeof rebase>[2]> = {}) => {
  const fresh = new Y.Doc()
  Y.applyUpdate(fresh, Y.encodeStateAsUpdate(srv))
  // What the fresh copy's provider would send, one message per update.
  const sent: Uint8Array[] = []
  fresh.on('update', (u: Uint8Array) => sent.push(u))
  const result = rebase(local, fresh, { writer, now: NOW, carriedBefore: new Set(), reason: 'not-owner', ...over })
  return { fresh, result, sent }
}
/** The server receives those messages in order. */
const deliver = (s: ReturnType<typeof server>, sent: Uint8Array[], writer: Writer) => sent.map((u) => reason(s.accept(u, ctx(writer))))

describe('rebase after a refusal', () => {
  it('gives the server\'s document plus the person\'s valid unsent work, and nothing refused', () => {
    const s = server()
    const a = s.client(), b = s.client()
    let mine = '', theirs = ''
    a.doc.transact(() => { mine = addNote(a.doc, who(A), { text: 'Mutualiser', x: 10, y: 20 }) })
    expect(reason(a.push(A))).toBe('ok')
    b.pull()
    theirs = addNote(b.doc, who(B), { text: 'Se connaître', x: 400, y: 20 })
    expect(reason(b.push(B))).toBe('ok')
    a.pull()

    // Offline, Amélie writes a new note, one far too long, edits and moves her own note, rewrites and stars Bruno's.
    const kept = addNote(a.doc, who(A), { text: 'Prendre le temps', x: 10, y: 300 })
    const tooLong = addNote(a.doc, who(A), { text: 'x'.repeat(TABLECLOTH_LIMITS.textChars + 1), x: 10, y: 500 })
    setItemText(a.doc, mine, 'Mutualiser les ressources')
    moveItem(a.doc, mine, 300, 40)
    setItemText(a.doc, theirs, 'réécrit par Amélie')
    toggleStar(a.doc, theirs, A.id)
    // Meanwhile Bruno goes on writing.
    addNote(b.doc, who(B), { text: 'Un coordinateur', x: 400, y: 300 })
    expect(reason(b.push(B))).toBe('ok')

    // Back online, everything she has goes in one SyncStep2, and the server refuses it whole.
    expect(reason(a.push(A))).not.toBe('ok')

    const before = view(s.doc)
    const { fresh, result, sent } = rebaseOf(a.doc, s.doc, A)
    expect(result.setAside.map((x) => [x.item.id, x.change, x.reason])).toEqual([[tooLong, 'new', 'text-too-long']])
    expect(result.setAside[0]!.item).toMatchObject({ kind: 'note', text: 'x'.repeat(TABLECLOTH_LIMITS.textChars + 1) })
    expect(result.dropped).toBe(2) // the rewrite of Bruno's note, and the star
    const expected = [
      ...before.map((i) => (i.id === mine ? { ...i, text: 'Mutualiser les ressources', x: 300, y: 40 } : i)),
      { id: kept, author: 'pA', authorName: 'Amélie', round: 1, x: 10, y: 300, text: 'Prendre le temps', stars: [] },
    ].sort((x, y) => (x.id < y.id ? -1 : 1))
    expect(view(fresh)).toEqual(expected)
    expect(view(fresh).find((i) => i.id === theirs)!.text).toBe('Se connaître')

    // What the rebased copy sends is accepted, and so is what she writes next: no missing dependency.
    expect(deliver(s, sent, A)).toEqual(sent.map(() => 'ok'))
    expect(view(s.doc)).toEqual(view(fresh))
    const next = addNote(fresh, who(A), { text: 'Et ensuite', x: 0, y: 0 })
    expect(reason(s.accept(Y.encodeStateAsUpdate(fresh, Y.encodeStateVector(s.doc)), ctx(A)))).toBe('ok')
    expect(readItems(s.doc).some((i) => i.id === next)).toBe(true)
  })

  it('writes the person\'s items again under the name the server knows now', () => {
    const s = server()
    const a = s.client()
    const id = addNote(a.doc, who(A), { text: 'Écrit avant de changer de nom', x: 0, y: 0 })
    const renamed: Writer = { ...A, name: 'Amélie D.' }
    expect(reason(a.push(renamed))).toBe('not-owner')
    const { result, sent } = rebaseOf(a.doc, s.doc, renamed)
    expect(result.carried).toEqual([`new:${id}:Amélie D.`])
    expect(deliver(s, sent, renamed)).toEqual(['ok'])
    expect(readItems(s.doc)).toMatchObject([{ id, authorName: 'Amélie D.', text: 'Écrit avant de changer de nom', round: 1, createdAt: NOW - 1000 }])
  })

  it('does not loop: a change carried once that is still not on the server is set aside with the server\'s reason', () => {
    const s = server()
    const a = s.client()
    addNote(a.doc, who(A), { text: 'Arrivée trop tard', x: 0, y: 0 })
    const first = rebaseOf(a.doc, s.doc, A)
    expect(first.result.carried).toHaveLength(1)
    // The server refused it again (say, the round was closed): the next rebase does not send it a third time.
    const second = rebaseOf(a.doc, s.doc, A, { carriedBefore: new Set(first.result.carried), reason: 'round-closed' })
    expect(second.result.carried).toEqual([])
    expect(second.result.setAside).toMatchObject([{ change: 'new', reason: 'round-closed', item: { text: 'Arrivée trop tard' } }])
    expect(readItems(second.fresh)).toEqual([])
  })

  it('leaves the server\'s deletions and newer values alone, and carries the person\'s own deletion', () => {
    const s = server()
    const a = s.client()
    const gone = addNote(a.doc, who(A), { text: 'effacée ailleurs', x: 0, y: 0 })
    const moved = addNote(a.doc, who(A), { text: 'déplacée ailleurs', x: 0, y: 0 })
    const dropped = addNote(a.doc, who(A), { text: 'effacée ici', x: 0, y: 0 })
    expect(reason(a.push(A))).toBe('ok')
    // Her other device deletes one note and moves another; this copy never hears of it.
    const other = s.client()
    deleteItem(other.doc, gone)
    moveItem(other.doc, moved, 900, 900)
    expect(reason(other.push(A))).toBe('ok')
    deleteItem(a.doc, dropped)
    setItemText(a.doc, gone, 'effacée ailleurs, modifiée ici')
    const { fresh, sent } = rebaseOf(a.doc, s.doc, A)
    expect(view(fresh).map((i) => [i.text, i.x])).toEqual([['déplacée ailleurs', 900]])
    expect(deliver(s, sent, A)).toEqual(['ok'])
    expect(view(s.doc)).toEqual(view(fresh))
  })

  it('carries a text rewrite that is only refused when checked as one change (cut, then put in)', () => {
    const s = server()
    const a = s.client()
    const long = 'a'.repeat(TABLECLOTH_LIMITS.textChars - 10)
    const id = addNote(a.doc, who(A), { text: long, x: 0, y: 0 })
    expect(reason(a.push(A))).toBe('ok')
    const rewritten = 'b'.repeat(TABLECLOTH_LIMITS.textChars - 10)
    setItemText(a.doc, id, rewritten)
    expect(reason(a.push(A))).toBe('text-too-long')
    const { result, sent } = rebaseOf(a.doc, s.doc, A, { reason: 'text-too-long' })
    expect(result.setAside).toEqual([])
    expect(deliver(s, sent, A)).toEqual(['ok', 'ok'])
    expect(readItems(s.doc)[0]).toMatchObject({ id, text: rewritten })
  })

  it('sets aside, with the rules\' reason, a note over the per-round limit, and carries the others', () => {
    const s = server()
    const a = s.client()
    a.doc.transact(() => { for (let i = 1; i < TABLECLOTH_LIMITS.itemsPerPersonRound; i++) addNote(a.doc, who(A), { text: `idée ${i}`, x: 0, y: 0 }) })
    expect(reason(a.push(A))).toBe('ok')
    const last = addNote(a.doc, who(A), { text: 'la dernière qui passe', x: 0, y: 0 })
    const over = addNote(a.doc, { ...who(A), now: NOW - 500 }, { text: 'une de trop', x: 0, y: 0 })
    expect(reason(a.push(A))).toBe('too-many-items')
    const { result, sent } = rebaseOf(a.doc, s.doc, A, { reason: 'too-many-items' })
    expect(result.setAside.map((x) => [x.item.id, x.reason])).toEqual([[over, 'too-many-items']])
    expect(deliver(s, sent, A)).toEqual(['ok'])
    expect(readItems(s.doc).some((i) => i.id === last)).toBe(true)
    expect(readItems(s.doc)).toHaveLength(TABLECLOTH_LIMITS.itemsPerPersonRound)
  })

  it('carries a facilitator\'s remove mark, never a deletion of someone else\'s item', () => {
    const s = server()
    const b = s.client()
    const id = addNote(b.doc, who(B), { text: 'hors sujet', x: 0, y: 0 })
    expect(reason(b.push(B))).toBe('ok')
    const f = s.client()
    removeItem(f.doc, id, 'facilitator', NOW)
    addNote(f.doc, { author: 'facilitator', authorName: 'Animatrice', round: 1, now: NOW }, { text: 'Pause à 10 h', x: 0, y: 0 })
    const forged = s.client()
    deleteItem(forged.doc, id)
    expect(reason(forged.push(F))).toBe('soft-delete-only')
    const { result, sent } = rebaseOf(f.doc, s.doc, F)
    expect(result.carried).toHaveLength(2)
    expect(deliver(s, sent, F)).toEqual(['ok', 'ok'])
    expect(readItems(s.doc).map((i) => i.authorName)).toEqual(['Animatrice'])
    expect(readItems(s.doc, { includeRemoved: true }).find((i) => i.id === id)!.removed).toEqual({ by: 'facilitator', at: NOW })
  })
})
