import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { addNote, addStroke, changeVote, deleteItem, itemsMap, moveItem, readItems, setItemText, toggleStar } from '../../shared/tablecloth'
import { CLIENTS_ROOT, TABLECLOTH_LIMITS, checkUpdate } from '../../shared/tableclothRules'
import { A, B, F, NOW, authorship, reasonOf, ruleContext, simulatedServer } from '../helpers/ruleServer'

const ctx = ruleContext
const server = simulatedServer
const who = authorship
const reason = reasonOf

/** A client synced with the server, and the update one local change makes. */
function client(srv: Y.Doc, clientID?: number) {
  const doc = new Y.Doc()
  if (clientID !== undefined) doc.clientID = clientID
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(srv))
  const change = (fn: (d: Y.Doc) => void): Uint8Array => {
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(srv, Y.encodeStateVector(doc)))
    const before = Y.encodeStateVector(doc)
    fn(doc)
    return Y.encodeStateAsUpdate(doc, before)
  }
  return { doc, change }
}


/** A server with one note of A's on it, and clients for A and B. */
function withNoteOfA() {
  const s = server()
  const a = client(s.doc)
  let id = ''
  expect(reason(s.accept(a.change((d) => { id = addNote(d, who(A), { text: 'Mutualiser', x: 10, y: 20 }) }), ctx(A)))).toBe('ok')
  const b = client(s.doc)
  return { s, a, b, id }
}

describe('tablecloth rules: ownership', () => {
  it('accepts a participant\'s own note and binds their Yjs client id to them', () => {
    const { s, a, id } = withNoteOfA()
    expect(readItems(s.doc).map((i) => i.id)).toEqual([id])
    expect(s.doc.getMap(CLIENTS_ROOT).get(String(a.doc.clientID))).toBe('pA')
  })

  it('accepts an update the server already has as nothing new (a SyncStep2 repeating an update in flight)', () => {
    const s = server()
    const a = client(s.doc)
    let id = ''
    const u = a.change((d) => { id = addNote(d, who(A), { text: 'une fois', x: 0, y: 0 }) })
    expect(reason(s.accept(u, ctx(A)))).toBe('ok')
    expect(reason(s.accept(u, ctx(A)))).toBe('ok')
    // Even from a tablemate, repeating it changes nothing and breaks no rule.
    expect(reason(s.accept(u, ctx(B)))).toBe('ok')
    expect(readItems(s.doc).map((i) => i.id)).toEqual([id])
  })

  it('says when an update brings nothing new, deletions included, so the server need not apply it', () => {
    const s = server()
    const a = client(s.doc)
    let id = ''
    const first = a.change((d) => { id = addNote(d, who(A), { text: 'une', x: 0, y: 0 }) })
    expect(s.accept(first, ctx(A))).toMatchObject({ ok: true, noop: false })
    const move = a.change((d) => moveItem(d, id, 5, 5)) // replaces x and y: a delete set
    expect(s.accept(move, ctx(A))).toMatchObject({ ok: true, noop: false })
    // What a stock client answers to a SyncStep1: nothing new, but its whole delete set.
    const answer = Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(s.doc))
    expect(answer.length).toBeGreaterThan(2)
    expect(checkUpdate(s.doc, answer, ctx(A))).toMatchObject({ ok: true, noop: true })
    expect(checkUpdate(s.doc, move, ctx(A))).toMatchObject({ ok: true, noop: true })
    const remove = a.change((d) => deleteItem(d, id))
    expect(checkUpdate(s.doc, remove, ctx(A))).toMatchObject({ ok: true, noop: false })
  })

  it('refuses a note written in someone else\'s name', () => {
    const s = server()
    const b = client(s.doc)
    expect(reason(s.accept(b.change((d) => { addNote(d, who(A), { text: 'forged', x: 0, y: 0 }) }), ctx(B)))).toBe('not-owner')
    expect(reason(s.accept(b.change((d) => { addNote(d, { ...who(B), authorName: 'Amélie' }, { text: 'forged name', x: 0, y: 0 }) }), ctx(B)))).toBe('not-owner')
    expect(readItems(s.doc)).toEqual([])
  })

  it('refuses a tablemate deleting, rewriting, moving, re-authoring or re-rounding someone else\'s note', () => {
    const { s, b, id } = withNoteOfA()
    const attempts: Array<(d: Y.Doc) => void> = [
      (d) => deleteItem(d, id),
      (d) => setItemText(d, id, 'Rewritten by Bruno'),
      (d) => moveItem(d, id, 900, 900),
      (d) => { (itemsMap(d).get(id) as Y.Map<unknown>).set('author', 'pB') },
      (d) => { (itemsMap(d).get(id) as Y.Map<unknown>).set('round', 3) },
      (d) => { const m = new Y.Map<unknown>(); itemsMap(d).set(id, m) },
    ]
    for (const attempt of attempts) {
      const b2 = client(s.doc)
      expect(reason(s.accept(b2.change(attempt), ctx(B)))).toBe('not-owner')
    }
    void b
    expect(readItems(s.doc)[0]).toMatchObject({ id, text: 'Mutualiser', x: 10, y: 20, author: 'pA', round: 1 })
  })

  it('lets the author edit, move and delete their own note, but not change its author or round', () => {
    const { s, a, id } = withNoteOfA()
    expect(reason(s.accept(a.change((d) => setItemText(d, id, 'Mutualiser les ressources')), ctx(A)))).toBe('ok')
    expect(reason(s.accept(a.change((d) => moveItem(d, id, 30, 40)), ctx(A)))).toBe('ok')
    expect(reason(s.accept(client(s.doc).change((d) => { (itemsMap(d).get(id) as Y.Map<unknown>).set('author', 'pB') }), ctx(A)))).toBe('immutable')
    expect(reason(s.accept(client(s.doc).change((d) => { (itemsMap(d).get(id) as Y.Map<unknown>).set('round', 2) }), ctx(A)))).toBe('immutable')
    expect(readItems(s.doc)[0]).toMatchObject({ text: 'Mutualiser les ressources', x: 30, y: 40, round: 1 })
    // A client whose refused edits are still in its copy has diverged: its next update is refused too.
    expect(reason(s.accept(client(s.doc).change((d) => { (itemsMap(d).get(id) as Y.Map<unknown>).set('author', 'pB') }), ctx(A)))).toBe('immutable')
    expect(reason(s.accept(a.change((d) => deleteItem(d, id)), ctx(A)))).toBe('ok')
    expect(readItems(s.doc)).toEqual([])
  })

  it('lets anyone set and take back their own star and dots, and only theirs', () => {
    const { s, b, id } = withNoteOfA()
    expect(reason(s.accept(b.change((d) => toggleStar(d, id, 'pB')), ctx(B)))).toBe('ok')
    expect(reason(s.accept(b.change((d) => changeVote(d, id, 'pB', 1)), ctx(B)))).toBe('ok')
    expect(reason(s.accept(b.change((d) => toggleStar(d, id, 'pA')), ctx(B)))).toBe('not-owner')
    expect(reason(s.accept(b.change((d) => changeVote(d, id, 'pA', 1)), ctx(B)))).toBe('not-owner')
    expect(readItems(s.doc)[0]).toMatchObject({ stars: ['pB'], votes: 1 })
    expect(reason(s.accept(b.change((d) => toggleStar(d, id, 'pB')), ctx(B)))).toBe('ok')
    expect(readItems(s.doc)[0]!.stars).toEqual([])
    // Reactions need a seat now.
    expect(reason(s.accept(b.change((d) => toggleStar(d, id, 'pB')), ctx(B, { mayReact: () => false })))).toBe('read-only')
  })

  it('caps the dots a person places on one tablecloth', () => {
    const { s, b, id } = withNoteOfA()
    for (let i = 0; i < TABLECLOTH_LIMITS.dotsPerPerson; i++) expect(reason(s.accept(b.change((d) => changeVote(d, id, 'pB', 1)), ctx(B)))).toBe('ok')
    expect(reason(s.accept(b.change((d) => changeVote(d, id, 'pB', 1)), ctx(B)))).toBe('too-many-dots')
    expect(reason(s.accept(client(s.doc).change((d) => changeVote(d, id, 'pB', -1)), ctx(B)))).toBe('ok')
    expect(readItems(s.doc)[0]!.votes).toBe(TABLECLOTH_LIMITS.dotsPerPerson - 1)
  })

  it('refuses writes with a tablemate\'s Yjs client id', () => {
    const { s, a, id } = withNoteOfA()
    const impostor = client(s.doc)
    impostor.doc.clientID = a.doc.clientID
    expect(reason(s.accept(impostor.change((d) => { addNote(d, who(B), { text: 'as A\'s client', x: 0, y: 0 }) }), ctx(B)))).toBe('foreign-client')
    expect(readItems(s.doc).map((i) => i.id)).toEqual([id])
  })

  it('refuses a delete set aimed at a tablemate\'s future edits', () => {
    const { s, a } = withNoteOfA()
    const victim = a.doc.clientID
    const state = Y.getState(s.doc.store, victim)
    // An empty struct section, then a delete set covering clocks the victim has not written yet.
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 0)
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint(e, victim)
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint(e, state)
    encoding.writeVarUint(e, 1000)
    expect(reason(s.accept(encoding.toUint8Array(e), ctx(B)))).toBe('future-delete')
    // A's next note still arrives whole.
    let next = ''
    expect(reason(s.accept(a.change((d) => { next = addNote(d, who(A), { text: 'Encore', x: 0, y: 0 }) }), ctx(A)))).toBe('ok')
    expect(readItems(s.doc).find((i) => i.id === next)).toMatchObject({ text: 'Encore' })
  })

  it('refuses updates that depend on content the server does not have, instead of parking them', () => {
    const s = server()
    const a = client(s.doc)
    a.change((d) => { addNote(d, who(A), { text: 'never sent', x: 0, y: 0 }) })
    const next = a.change((d) => { const id = readItems(d)[0]!.id; setItemText(d, id, 'never sent, edited') })
    expect(reason(s.accept(next, ctx(A)))).toBe('missing-dependency')
    expect(s.doc.store.pendingStructs).toBeNull()
  })

  it('keeps the meta block and the server\'s maps out of reach', () => {
    const s = server()
    const a = client(s.doc)
    expect(reason(s.accept(a.change((d) => d.getMap('meta').set('tableId', 't2')), ctx(A)))).toBe('forbidden-type')
    expect(reason(s.accept(a.change((d) => d.getMap(CLIENTS_ROOT).set('1', 'pA')), ctx(A)))).toBe('forbidden-type')
    expect(reason(s.accept(a.change((d) => d.getText('elsewhere').insert(0, 'x'.repeat(1000))), ctx(A)))).toBe('forbidden-type')
  })

  it('refuses a note of a round the writer may not write in (late words are decided by the café)', () => {
    const s = server()
    const a = client(s.doc)
    expect(reason(s.accept(a.change((d) => { addNote(d, who(A, 2), { text: 'round 2', x: 0, y: 0 }) }), ctx(A, { mayCreate: (round) => round === 1 })))).toBe('round-closed')
    expect(reason(s.accept(a.change((d) => { addNote(d, who(A, 1), { text: 'round 1', x: 0, y: 0 }) }), ctx(A, { mayCreate: (round) => round === 1 })))).toBe('ok')
  })
})

describe('tablecloth rules: moderation', () => {
  it('lets a facilitator mark any item removed and restore it, never delete it', () => {
    const { s, id } = withNoteOfA()
    expect(reason(s.accept(client(s.doc).change((d) => deleteItem(d, id)), ctx(F)))).toBe('soft-delete-only')
    const f = client(s.doc)
    expect(reason(s.accept(f.change((d) => { const m = itemsMap(d).get(id) as Y.Map<unknown>; d.transact(() => { m.set('removedBy', 'facilitator'); m.set('removedAt', NOW) }) }), ctx(F)))).toBe('ok')
    const m = itemsMap(s.doc).get(id) as Y.Map<unknown>
    expect(m.get('removedBy')).toBe('facilitator')
    expect(reason(s.accept(f.change((d) => { const x = itemsMap(d).get(id) as Y.Map<unknown>; d.transact(() => { x.delete('removedBy'); x.delete('removedAt') }) }), ctx(F)))).toBe('ok')
    expect(m.get('removedBy')).toBeUndefined()
    expect(readItems(s.doc)[0]).toMatchObject({ text: 'Mutualiser' })
  })

  it('does not let a participant remove or restore', () => {
    const { s, b, id } = withNoteOfA()
    expect(reason(s.accept(b.change((d) => { (itemsMap(d).get(id) as Y.Map<unknown>).set('removedBy', 'pB') }), ctx(B)))).toBe('not-owner')
  })
})

describe('tablecloth rules: the schema at the door', () => {
  it('bounds text, strokes, coordinates, kinds and unknown fields', () => {
    const s = server()
    const a = client(s.doc)
    const long = 'x'.repeat(TABLECLOTH_LIMITS.textChars + 1)
    expect(reason(s.accept(a.change((d) => { addNote(d, who(A), { text: long, x: 0, y: 0 }) }), ctx(A)))).toBe('text-too-long')
    expect(reason(s.accept(a.change((d) => { addNote(d, who(A), { text: 'far', x: 1e9, y: 0 }) }), ctx(A)))).toBe('bad-item')
    expect(reason(s.accept(a.change((d) => { addStroke(d, who(A), { points: new Array(TABLECLOTH_LIMITS.strokeNumbers + 3).fill(1), x: 0, y: 0 }) }), ctx(A)))).toBe('bad-item')
    expect(reason(s.accept(a.change((d) => { addStroke(d, who(A), { points: [1, 2, Number.NaN], x: 0, y: 0 }) }), ctx(A)))).toBe('bad-item')
    expect(reason(s.accept(a.change((d) => { addNote(d, who(A), { text: 'c', x: 0, y: 0, color: 'url(javascript:x)' }) }), ctx(A)))).toBe('bad-item')
    expect(reason(s.accept(a.change((d) => { const id = addNote(d, who(A), { text: 'k', x: 0, y: 0 }); (itemsMap(d).get(id) as Y.Map<unknown>).set('kind', 'script') }), ctx(A)))).toBe('bad-item')
    expect(reason(s.accept(a.change((d) => { const id = addNote(d, who(A), { text: 'k', x: 0, y: 0 }); (itemsMap(d).get(id) as Y.Map<unknown>).set('extra', 'x'.repeat(10_000)) }), ctx(A)))).toBe('bad-item')
    expect(reason(s.accept(a.change((d) => { addNote(d, { ...who(A), now: NOW + 3600_000 }, { text: 'future', x: 0, y: 0 }) }), ctx(A)))).toBe('bad-item')
    expect(readItems(s.doc)).toEqual([])
  })

  it('refuses ten thousand notes in one frame, and a tablecloth over its byte budget', () => {
    const s = server()
    const a = client(s.doc)
    const flood = a.change((d) => d.transact(() => { for (let i = 0; i < 10_000; i++) addNote(d, who(A), { text: `n${i}`, x: 0, y: 0 }) }))
    expect(reason(s.accept(flood, ctx(A)))).toBe('too-many-items')
    const b = client(s.doc)
    expect(reason(s.accept(b.change((d) => { addNote(d, who(B), { text: 'one more', x: 0, y: 0 }) }), ctx(B, { docBytes: TABLECLOTH_LIMITS.docBytes })))).toBe('doc-too-big')
  })

  it('never throws on garbage', () => {
    const s = server()
    for (const bytes of [[1, 2, 3, 4, 5, 6, 7, 8], [255, 255, 255, 255, 255], [1, 1, 5, 0, 7, 1, 5, 105, 116, 101, 109, 115]]) {
      expect(checkUpdate(s.doc, new Uint8Array(bytes), ctx(A)).ok).toBe(false)
    }
    expect(readItems(s.doc)).toEqual([])
  })
})
