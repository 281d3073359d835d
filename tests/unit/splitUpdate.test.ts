import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MAX_YJS_FRAME_BYTES } from '../../shared/constants'
import { splitUpdate } from '../../shared/splitUpdate'
import { addNote, addStroke, deleteItem, itemsMap, readItems, setItemText } from '../../shared/tablecloth'
import { checkUpdate } from '../../shared/tableclothRules'
import type { RuleContext } from '../../shared/tableclothRules'

const who = { author: 'p1', authorName: 'Ana', round: 1, now: 1_700_000_000_000 }
/** A drawing as a pointer gives it: fractional coordinates, so 9 bytes per number on the wire. */
const scribble = (n: number, seed: number) => Array.from({ length: n * 3 }, (_, i) => (i % 3 === 2 ? 0.5 : Math.sin(i * 0.37 + seed) * 300 + 0.123456789))

/** What an offline phone holds: earlier content the server has, then a reload (a new client id) and a lot more. */
function offlineBacklog() {
  const server = new Y.Doc()
  const first = new Y.Doc()
  const kept = addNote(first, who, { text: 'déjà envoyée', x: 10, y: 10 })
  Y.applyUpdate(server, Y.encodeStateAsUpdate(first))
  const gone = addNote(first, who, { text: 'à effacer', x: 20, y: 20 })
  const unsent: string[] = []
  for (let i = 0; i < 120; i++) unsent.push(addNote(first, who, { text: `note ${i}`, x: i * 5, y: i * 7 }))
  addStroke(first, who, { points: scribble(4000, 1), x: 0, y: 0 })
  // The page is reloaded offline: the same words in a new Y.Doc, with a new client id.
  const phone = new Y.Doc()
  Y.applyUpdate(phone, Y.encodeStateAsUpdate(first))
  addStroke(phone, who, { points: scribble(4000, 2), x: 5, y: 5 })
  addStroke(phone, who, { points: scribble(3000, 3), x: 9, y: 9 })
  setItemText(phone, kept, 'déjà envoyée, puis complétée hors ligne')
  deleteItem(phone, gone)
  // An edit, under the new client id, of a note the server has not received yet: a piece must follow another.
  setItemText(phone, unsent[100]!, 'note 100, relue')
  for (let i = 0; i < 80; i++) addNote(phone, who, { text: `après ${i}`, x: i, y: 400 + i })
  return { server, phone, update: Y.encodeStateAsUpdate(phone, Y.encodeStateVector(server)) }
}

describe('splitting an update into frames the server takes', () => {
  it('returns an update that fits as it is', () => {
    const doc = new Y.Doc()
    addNote(doc, who, { text: 'petite', x: 0, y: 0 })
    const u = Y.encodeStateAsUpdate(doc)
    expect(splitUpdate(u, MAX_YJS_FRAME_BYTES)).toEqual([u])
  })

  it('cuts an offline backlog into pieces under the limit that apply one after the other, to the same tablecloth', () => {
    const { server, phone, update } = offlineBacklog()
    const max = MAX_YJS_FRAME_BYTES - 64
    expect(update.length).toBeGreaterThan(2 * MAX_YJS_FRAME_BYTES)
    const pieces = splitUpdate(update, max)
    expect(pieces.length).toBeGreaterThanOrEqual(3)
    const ctx: RuleContext = {
      writer: { role: 'participant', id: who.author, name: who.authorName }, now: who.now, docBytes: 0,
      mayCreate: (round) => round === 1, mayEdit: (round) => round === 1, mayReact: () => true,
    }
    for (const [i, piece] of pieces.entries()) {
      expect(piece.length, `piece ${i}`).toBeLessThanOrEqual(max)
      // The server's rules take each piece on its own: no new item is cut from its fields.
      expect(checkUpdate(server, piece, ctx), `piece ${i}`).toMatchObject({ ok: true })
      Y.applyUpdate(server, piece)
      // Nothing waits for a later piece: each one's dependencies were there.
      const store = server.store as unknown as { pendingStructs: unknown; pendingDs: unknown }
      expect(store.pendingStructs, `piece ${i} left structs pending`).toBeNull()
      expect(store.pendingDs, `piece ${i} left deletions pending`).toBeNull()
    }
    expect(Y.encodeStateVector(server)).toEqual(Y.encodeStateVector(phone))
    expect(readItems(server)).toEqual(readItems(phone))
    expect(itemsMap(server).size).toBe(itemsMap(phone).size)
    const texts = readItems(server).map((i) => ('text' in i ? i.text : null))
    expect(texts.find((t) => t?.startsWith('déjà'))).toBe('déjà envoyée, puis complétée hors ligne')
    expect(texts).not.toContain('à effacer')
    expect(texts).toContain('note 100, relue')
  })
})
