/**
 * Warms V8 on the path every tablecloth update takes (Yjs decoding, the rules check, applying, encoding
 * a full state), before the server listens.
 *
 * Why: on a cold process, the first large updates run in V8's interpreter. Measured on this project's
 * machine, a 123 KiB frame of ~500 small notes (the dearest content to decode per byte) took 100-140 ms
 * to check on a fresh process, 15-30 ms once the code was optimized: the first big frame of the day,
 * honest (a phone sending an offline backlog) or not, held every table's loop past 100 ms. A real café
 * warms this path by itself within minutes; this makes it warm from the first second, for about 0.4 s
 * at start. It touches no stored data: everything happens on throwaway documents.
 */
import * as Y from 'yjs'
import { addNote, addStroke, addText, itemsMap, moveItem, setItemText, toggleStar } from '../../shared/tablecloth'
import type { RuleContext } from '../../shared/tableclothRules'
import { checkUpdate } from '../../shared/tableclothRules'

const ROUNDS = 10
const ITEMS_PER_KIND = 20

/** Runs the update path on throwaway documents: how long it took, and how many updates the rules accepted (all should be). */
export function warmUpUpdatePath(now = Date.now()): { ms: number; checked: number; accepted: number } {
  let checked = 0
  let accepted = 0
  const apply = (doc: Y.Doc, update: Uint8Array, ctx: RuleContext) => {
    checked++
    if (!checkUpdate(doc, update, ctx).ok) return
    accepted++
    Y.applyUpdate(doc, update)
  }
  const started = performance.now()
  const who = { author: 'warm-up', authorName: 'Warm-up', round: 1, now }
  const ctx: RuleContext = {
    writer: { role: 'participant', id: who.author, name: who.authorName },
    now,
    mayCreate: () => true,
    mayEdit: () => true,
    mayReact: () => true,
    docBytes: 0,
  }
  for (let r = 0; r < ROUNDS; r++) {
    const source = new Y.Doc()
    source.transact(() => {
      for (let i = 0; i < ITEMS_PER_KIND; i++) {
        addNote(source, who, { text: `note ${i}`, x: i * 10, y: i * 10 })
        addText(source, who, { text: `text ${i}`, x: i, y: i })
        addStroke(source, who, { points: [0, 0, 0.5, 10, 10, 0.5, 20, 5, 0.5], x: i, y: i })
      }
    })
    const target = new Y.Doc()
    const first = Y.encodeStateAsUpdate(source)
    apply(target, first, ctx)
    // Edits of existing items: text, moves, stars.
    const sv = Y.encodeStateVector(source)
    source.transact(() => {
      for (const id of [...itemsMap(source).keys()].slice(0, ITEMS_PER_KIND)) {
        moveItem(source, id, 5, 5)
        toggleStar(source, id, who.author)
        setItemText(source, id, 'edited')
      }
    })
    const edits = Y.encodeStateAsUpdate(source, sv)
    apply(target, edits, ctx)
    Y.encodeStateAsUpdate(target)
    source.destroy()
    target.destroy()
  }
  return { ms: performance.now() - started, checked, accepted }
}
