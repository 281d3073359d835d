/** Reading an update that holds deletions only (a stock answer to a SyncStep1) without decoding it into structs. */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { deletedAlready, readDeletesOnly } from '../../shared/deletedRanges'

function docWithDeletions(): Y.Doc {
  const doc = new Y.Doc()
  const text = doc.getText('t')
  text.insert(0, 'bonjour à toutes et à tous')
  text.delete(3, 4)
  doc.getMap('m').set('x', 1)
  doc.getMap('m').set('x', 2) // replaces: deletes the first value
  return doc
}

describe('readDeletesOnly', () => {
  it('reads the delete set of an update without structs, as Yjs itself does', () => {
    const doc = docWithDeletions()
    const update = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc))
    const ours = readDeletesOnly(update)!
    const yjs = (Y.decodeUpdate(update) as unknown as { ds: { clients: Map<number, Array<{ clock: number; len: number }>> } }).ds.clients
    expect(ours).not.toBeNull()
    expect([...ours].map(([c, r]) => [c, r.map(({ clock, len }) => [clock, len])])).toEqual([...yjs].map(([c, r]) => [c, r.map(({ clock, len }) => [clock, len])]))
    expect(ours.get(doc.clientID)!.length).toBe(2)
  })

  it('says null for an update that holds structs, and throws on bytes that are not an update', () => {
    const doc = docWithDeletions()
    expect(readDeletesOnly(Y.encodeStateAsUpdate(doc))).toBeNull()
    expect(() => readDeletesOnly(new Uint8Array([0, 1, 5]))).toThrow()
    expect(() => readDeletesOnly(new Uint8Array([0, 0, 7]))).toThrow() // trailing bytes
  })
})

describe('deletedAlready', () => {
  it('is true when the document deleted every range already, false when one deletion is new to it', () => {
    const doc = docWithDeletions()
    const other = new Y.Doc()
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
    const sameDeletions = readDeletesOnly(Y.encodeStateAsUpdate(other, Y.encodeStateVector(other)))!
    expect(deletedAlready(doc, sameDeletions)).toBe(true)
    other.getText('t').delete(0, 1) // a deletion the first document has not seen
    expect(deletedAlready(doc, readDeletesOnly(Y.encodeStateAsUpdate(other, Y.encodeStateVector(other)))!)).toBe(false)
    // Deleting content the document does not have is not "already done" either.
    expect(deletedAlready(doc, new Map([[424242, [{ clock: 0, len: 1 }]]]))).toBe(false)
  })
})
