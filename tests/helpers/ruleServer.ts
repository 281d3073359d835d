/**
 * A tablecloth server simulated with its own rules (shared/tableclothRules.ts), applying what they accept
 * as TableclothServer does (the update, then the binding of new Yjs client ids to their writer).
 */
import * as Y from 'yjs'
import { initTablecloth } from '../../shared/tablecloth'
import type { RuleContext, Verdict, Writer } from '../../shared/tableclothRules'
import { CLIENTS_ROOT, checkUpdate } from '../../shared/tableclothRules'

export const NOW = 1_700_000_000_000
export const A: Writer = { role: 'participant', id: 'pA', name: 'Amélie' }
export const B: Writer = { role: 'participant', id: 'pB', name: 'Bruno' }
export const F: Writer = { role: 'facilitator', id: 'facilitator', name: 'Facilitator' }

/** Rights that allow everything the seat allows; override to close a door. */
export const ruleContext = (writer: Writer, over: Partial<RuleContext> = {}): RuleContext => ({
  writer, now: NOW, docBytes: 0, mayCreate: () => true, mayEdit: () => true, mayReact: () => true, ...over,
})

/** Who wrote an item: the writer's own authorship, in round 1, a second before NOW. */
export const authorship = (w: Writer, round = 1) => ({ author: w.id, authorName: w.name, round, now: NOW - 1000 })

export const reasonOf = (v: Verdict): string => (v.ok ? 'ok' : v.reason)

export function simulatedServer(): { doc: Y.Doc; accept(update: Uint8Array, c: RuleContext): Verdict } {
  const doc = new Y.Doc()
  initTablecloth(doc, { cafeId: 'c', tableId: 't1', questionId: 'q1' })
  const accept = (update: Uint8Array, c: RuleContext): Verdict => {
    const v = checkUpdate(doc, update, c)
    if (v.ok) {
      Y.applyUpdate(doc, update)
      doc.transact(() => { for (const id of v.bindClients) doc.getMap(CLIENTS_ROOT).set(String(id), c.writer.id) })
    }
    return v
  }
  return { doc, accept }
}
