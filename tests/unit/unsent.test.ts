/** What the server does not have yet, from its acknowledgement (a state vector) and the deletions it sent. */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addNote, addStroke, deleteItem, initTablecloth, moveItem, setItemText } from '../../shared/tablecloth'
import { decodeHolds, encodeHolds, heldFromStateVector, learnFromUpdate, nothingHeld, unsentOf } from '../../client/src/transport/unsent'
import type { ServerHolds } from '../../client/src/transport/unsent'

const NOW = 1_700_000_000_000
const amelie = { author: 'pA', authorName: 'Amélie', round: 1, now: NOW }
const bruno = { author: 'pB', authorName: 'Bruno', round: 1, now: NOW }

/** A server copy and a browser copy synced with it; `ack()` is what the browser learns from the server's SyncStep1 and SyncStep2. */
function setup() {
  const server = new Y.Doc()
  initTablecloth(server, { cafeId: 'c', tableId: 't1', questionId: 'q1' })
  const local = new Y.Doc()
  let holds: ServerHolds = nothingHeld()
  const fromServer = () => {
    const update = Y.encodeStateAsUpdate(server, Y.encodeStateVector(local))
    Y.applyUpdate(local, update)
    holds = learnFromUpdate(holds, update) // a SyncStep2: what we lacked, and the whole delete set
    holds = heldFromStateVector(holds, Y.decodeStateVector(Y.encodeStateVector(server)))
  }
  const send = () => Y.applyUpdate(server, Y.encodeStateAsUpdate(local, Y.encodeStateVector(server)))
  fromServer()
  return { server, local, send, fromServer, holds: () => holds, ackOnly: () => { holds = heldFromStateVector(holds, Y.decodeStateVector(Y.encodeStateVector(server))) } }
}

describe('unsent edits, from the server\'s acknowledgement', () => {
  it('counts the person\'s notes the server does not have, then none once it acknowledged them', () => {
    const s = setup()
    expect(unsentOf(s.local, s.holds(), 'pA')).toEqual({ notes: 0, pending: false })
    addNote(s.local, amelie, { text: 'Mutualiser', x: 0, y: 0 })
    addNote(s.local, amelie, { text: 'Se connaître', x: 0, y: 0 })
    addStroke(s.local, amelie, { points: [0, 0, 0.5, 4, 4, 0.5], x: 0, y: 0 })
    expect(unsentOf(s.local, s.holds(), 'pA')).toEqual({ notes: 2, pending: true })
    s.send()
    // Sent is not acknowledged: until the server says what it holds, they still count.
    expect(unsentOf(s.local, s.holds(), 'pA').notes).toBe(2)
    s.ackOnly()
    expect(unsentOf(s.local, s.holds(), 'pA')).toEqual({ notes: 0, pending: false })
  })

  it('counts a note whose creating struct is exactly at the server\'s clock, not one just below it', () => {
    const s = setup()
    addNote(s.local, amelie, { text: 'un', x: 0, y: 0 })
    s.send(); s.ackOnly()
    addNote(s.local, amelie, { text: 'deux', x: 0, y: 0 })
    const atClock = Y.getState(s.server.store, s.local.clientID)
    expect(unsentOf(s.local, s.holds(), 'pA').notes).toBe(1)
    expect(s.holds().sv.get(s.local.clientID)).toBe(atClock)
  })

  it('sees edits of existing notes as pending changes, not as notes', () => {
    const s = setup()
    const id = addNote(s.local, amelie, { text: 'Mutualiser', x: 0, y: 0 })
    s.send(); s.ackOnly()
    setItemText(s.local, id, 'Mutualiser les ressources')
    expect(unsentOf(s.local, s.holds(), 'pA')).toEqual({ notes: 0, pending: true })
    s.send(); s.ackOnly()
    moveItem(s.local, id, 300, 40)
    expect(unsentOf(s.local, s.holds(), 'pA').pending).toBe(true)
    s.send(); s.ackOnly()
    // A move replaces (deletes) the old x and y: confirmed by the server's delete set, not by its clock.
    expect(unsentOf(s.local, s.holds(), 'pA').pending).toBe(true)
    s.fromServer()
    expect(unsentOf(s.local, s.holds(), 'pA').pending).toBe(false)
  })

  it('keeps a pure deletion pending until the server\'s delete set shows it', () => {
    const s = setup()
    const id = addNote(s.local, amelie, { text: 'à effacer', x: 0, y: 0 })
    s.send(); s.fromServer()
    deleteItem(s.local, id)
    // A deletion does not move the state vector: the acknowledgement alone cannot tell.
    s.send(); s.ackOnly()
    expect(unsentOf(s.local, s.holds(), 'pA').pending).toBe(true)
    s.fromServer()
    expect(unsentOf(s.local, s.holds(), 'pA').pending).toBe(false)
  })

  it('does not count other people\'s notes, nor what came from the server', () => {
    const s = setup()
    addNote(s.server, bruno, { text: 'de Bruno', x: 0, y: 0 })
    s.fromServer()
    expect(unsentOf(s.local, s.holds(), 'pA')).toEqual({ notes: 0, pending: false })
    // Knowing nothing of the server (a first load, offline), everything local counts: it never went anywhere.
    addNote(s.local, amelie, { text: 'à moi', x: 0, y: 0 })
    expect(unsentOf(s.local, nothingHeld(), 'pA').notes).toBe(1)
  })

  it('survives a reload: what the server holds is kept as a Yjs snapshot', () => {
    const s = setup()
    const id = addNote(s.local, amelie, { text: 'x', x: 0, y: 0 })
    s.send(); s.fromServer()
    deleteItem(s.local, id)
    s.send(); s.fromServer()
    const back = decodeHolds(encodeHolds(s.holds()))!
    expect(unsentOf(s.local, back, 'pA')).toEqual({ notes: 0, pending: false })
    expect(decodeHolds(new Uint8Array([1, 2, 3]))).toBeNull()
  })
})
