/**
 * Bringing a refused client back in line with the server. Once the server refused an update, the local
 * Y.Doc holds structs the server will never have, and every later update from it depends on them. So
 * the session takes a fresh Y.Doc (a new client id) filled from the server, and this module carries the
 * person's own unsent work over onto it:
 *
 * - their items the server never had (same id, kept round and time, their CURRENT name, their own star);
 * - their text, position and style edits to their items, where the local copy is ahead of the server;
 * - their deletions of their own items (and, for facilitators, their remove / restore marks).
 *
 * Everything else that was not on the server is dropped: edits of other people's items were refused,
 * and unsent stars and dots are not words. Each carried change is checked first with the server's own
 * rules (shared/tableclothRules.ts), so that what is sure to be refused (too long, too many) is not sent;
 * words that fail, or that were carried once already and are still not on the server, are set aside
 * (the caller keeps them on the device for the person to copy), never lost and never sent in a loop.
 *
 * Pure: two Y.Docs in, the fresh one written, a report out.
 */
import * as Y from 'yjs'
import { deleteItem, itemsMap, readItems, removeItem, replaceText, restoreItem, unremoveItem } from '../../../shared/tablecloth'
import type { TableclothItem } from '../../../shared/tablecloth'
import type { RefusalReason, RuleContext, Writer } from '../../../shared/tableclothRules'
import { CLIENTS_ROOT, checkUpdate } from '../../../shared/tableclothRules'
import { covered } from './unsent'
import type { DeleteSet } from './unsent'

export interface RebaseOptions {
  writer: Writer
  now: number
  /** Keys of changes an earlier rebase of this session carried: still not on the server, they were refused again. */
  carriedBefore: ReadonlySet<string>
  /** What the server said, for the words set aside because they were carried before. */
  reason: RefusalReason
  /** Transaction origin for what is written onto the fresh document. */
  origin?: unknown
}

/** Words the server will not take: a new item, or a new text for an existing one. */
export interface SetAside { key: string; change: 'new' | 'text'; item: TableclothItem; reason: RefusalReason }

export interface RebaseResult {
  /** Keys of the changes written onto the fresh document. */
  carried: string[]
  setAside: SetAside[]
  /** Unsent changes that are not carried (other people's items, stars, dots, refused moves). */
  dropped: number
}

interface Candidate {
  key: string
  /** Each step is checked (and sent) as one update, in order; all of them or none. */
  steps: Array<(doc: Y.Doc, origin?: unknown) => void>
  word?: { change: 'new' | 'text'; item: TableclothItem }
}

const STYLE_FIELDS = ['x', 'y', 'color', 'size', 'width'] as const
const MODERATION_FIELDS = ['removedBy', 'removedAt'] as const

export function rebase(local: Y.Doc, fresh: Y.Doc, opts: RebaseOptions): RebaseResult {
  const plan = planRebase(local, fresh, opts.writer)
  const result: RebaseResult = { carried: [], setAside: [], dropped: plan.dropped }
  const ctx: RuleContext = {
    writer: opts.writer, now: opts.now, docBytes: 0,
    // Seats and rounds are the server's to judge; the rest (schema, limits, ownership) is checked here.
    mayCreate: () => true, mayEdit: () => true, mayReact: () => true,
  }
  let check = checkCopy(fresh, opts.writer)
  for (const c of plan.candidates) {
    const refuseAs = (reason: RefusalReason) => {
      if (c.word) result.setAside.push({ key: c.key, change: c.word.change, item: c.word.item, reason })
      else result.dropped++
    }
    if (opts.carriedBefore.has(c.key)) { refuseAs(opts.reason); continue }
    let refused: RefusalReason | null = null
    for (const step of c.steps) {
      const update = stepUpdate(check, fresh.clientID, step)
      const verdict = checkUpdate(check, update, ctx)
      if (!verdict.ok) { refused = verdict.reason; break }
      Y.applyUpdate(check, update)
    }
    if (refused !== null) {
      refuseAs(refused)
      check = checkCopy(fresh, opts.writer) // the steps that passed must not count
      continue
    }
    // The same steps on the fresh copy (same state, same client id) make the very updates just checked.
    for (const step of c.steps) step(fresh, opts.origin)
    result.carried.push(c.key)
  }
  return result
}

/** A copy of `doc` for checking, where the fresh document's client id is already the writer's. */
function checkCopy(doc: Y.Doc, writer: Writer): Y.Doc {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  copy.getMap(CLIENTS_ROOT).set(String(doc.clientID), writer.id)
  return copy
}

/** The update that `step` makes on `base`, written with client id `clientID`. */
function stepUpdate(base: Y.Doc, clientID: number, step: (doc: Y.Doc, origin?: unknown) => void): Uint8Array {
  const scratch = new Y.Doc()
  Y.applyUpdate(scratch, Y.encodeStateAsUpdate(base))
  scratch.clientID = clientID // set after: Yjs takes its own id arriving from elsewhere for a clash
  const before = Y.encodeStateVector(base)
  step(scratch)
  const update = Y.encodeStateAsUpdate(scratch, before)
  scratch.destroy()
  return update
}

const knows = (doc: Y.Doc, id: Y.ID, length = 1): boolean => id.clock + length <= Y.getState(doc.store, id.client)

/** The local copy's value for `key` is ahead of the server's (set or deleted there and not sent). */
function fieldAhead(localMap: Y.Map<unknown>, serverMap: Y.Map<unknown>, key: string, local: Y.Doc, fresh: Y.Doc): boolean {
  const mine = localMap._map.get(key)
  const theirs = serverMap._map.get(key)
  if (theirs && !knows(local, theirs.id)) return false // the server has a newer value we never saw
  if (!mine) return false
  if (!knows(fresh, mine.id)) return true // a value the server never got
  // The server has our current value: we are ahead only if we took it out and the server did not.
  return mine.deleted && theirs !== undefined && sameId(mine.id, theirs.id) && !theirs.deleted
}

const sameId = (a: Y.ID, b: Y.ID) => a.client === b.client && a.clock === b.clock

/** The local text differs from the server's only by local edits (the server has nothing we lack). */
function textAhead(mine: Y.Text, theirs: Y.Text, local: Y.Doc, localDs: DeleteSet): boolean {
  if (mine.toString() === theirs.toString()) return false
  for (let n = theirs._start; n !== null; n = n.right) {
    if (!knows(local, n.id, n.length)) return false
    if (n.deleted && !covered(localDs.clients.get(n.id.client), n.id.clock, n.id.clock + n.length)) return false
  }
  return true
}

function mapHasUnsent(localMap: Y.Map<unknown>, serverMap: Y.Map<unknown> | null, local: Y.Doc, fresh: Y.Doc, localDs: DeleteSet): boolean {
  for (const key of localMap._map.keys()) {
    if (serverMap ? fieldAhead(localMap, serverMap, key, local, fresh) : !knows(fresh, localMap._map.get(key)!.id)) return true
  }
  const text = localMap.get('text')
  const serverText = serverMap?.get('text')
  return text instanceof Y.Text && serverText instanceof Y.Text && textAhead(text, serverText, local, localDs)
}

/** Stars and dots of the writer's that the server does not have. */
function reactionsUnsent(localMap: Y.Map<unknown>, serverMap: Y.Map<unknown>, writer: Writer, local: Y.Doc, fresh: Y.Doc): number {
  let n = 0
  for (const field of ['stars', 'votes']) {
    const mine = localMap.get(field)
    const theirs = serverMap.get(field)
    if (mine instanceof Y.Map && theirs instanceof Y.Map && fieldAhead(mine, theirs, writer.id, local, fresh)) n++
  }
  return n
}

function planRebase(local: Y.Doc, fresh: Y.Doc, writer: Writer): { candidates: Candidate[]; dropped: number } {
  const candidates: Candidate[] = []
  let dropped = 0
  const localDs = Y.createDeleteSetFromStructStore(local.store)
  const localItems = itemsMap(local)
  const serverItems = itemsMap(fresh)
  const readable = new Map(readItems(local, { includeRemoved: true }).map((i) => [i.id, i]))
  const facilitator = writer.role === 'facilitator'

  localItems.forEach((m, id) => {
    if (!(m instanceof Y.Map) || !m._item) return
    const s = serverItems.get(id)
    const serverMap = s instanceof Y.Map && s._item && sameId(s._item.id, m._item.id) ? s : null
    const serverHad = knows(fresh, m._item.id)
    if (serverMap) dropped += reactionsUnsent(m, serverMap, writer, local, fresh)
    if (m.get('author') !== writer.id) {
      if (facilitator && serverMap) {
        const marks = MODERATION_FIELDS.filter((k) => fieldAhead(m, serverMap, k, local, fresh))
        if (marks.length > 0) {
          const by = m.get('removedBy'), at = m.get('removedAt')
          candidates.push({
            key: `mark:${id}:${String(by)}:${String(at)}`,
            steps: [(d, o) => (typeof by === 'string' && typeof at === 'number' ? removeItem(d, id, by, at, o) : unremoveItem(d, id, o))],
          })
        }
        if (STYLE_FIELDS.some((k) => fieldAhead(m, serverMap, k, local, fresh))) dropped++
      } else if (!serverHad || mapHasUnsent(m, serverMap, local, fresh, localDs)) {
        dropped++
      }
      return
    }
    const item = readable.get(id)
    if (!serverHad) {
      // Never reached the server: written again, as it was, under the writer's name as the server knows it now.
      if (!item) return
      if ((item.votesBy[writer.id] ?? 0) > 0) dropped++
      const again: TableclothItem = { ...item, authorName: facilitator ? item.authorName : writer.name, stars: item.stars.filter((p) => p === writer.id), votes: 0, votesBy: {} }
      delete again.removed
      delete again.lateAt
      candidates.push({ key: `new:${id}:${again.authorName}`, steps: [(d, o) => restoreItem(d, again, o)], word: { change: 'new', item: again } })
      return
    }
    if (!serverMap) return // the server had it and it is gone there (deleted): that stands
    const text = m.get('text')
    const serverText = serverMap.get('text')
    if (item && item.kind !== 'stroke' && text instanceof Y.Text && serverText instanceof Y.Text && textAhead(text, serverText, local, localDs)) {
      const next = text.toString()
      // In two steps (take out, then put in), so that the server's length check sees the shorter text first.
      const [cut, put] = textSteps(serverText.toString(), next)
      const steps = [cut, put].filter((x): x is (t: Y.Text) => void => x !== null).map((fn) => (d: Y.Doc, o?: unknown) => { const t = (itemsMap(d).get(id) as Y.Map<unknown>).get('text') as Y.Text; d.transact(() => fn(t), o) })
      candidates.push({ key: `text:${id}:${hash(next)}`, steps, word: { change: 'text', item: { ...item, text: next } } })
    }
    const style = STYLE_FIELDS.filter((k) => fieldAhead(m, serverMap, k, local, fresh) && m.has(k))
    if (style.length > 0) {
      const values = style.map((k) => [k, m.get(k)] as const)
      candidates.push({ key: `style:${id}:${JSON.stringify(values)}`, steps: [(d, o) => { const it = itemsMap(d).get(id) as Y.Map<unknown>; d.transact(() => { for (const [k, v] of values) it.set(k, v) }, o) }] })
    }
  })

  // The writer's own items that the server has and this copy deleted.
  serverItems.forEach((s, id) => {
    if (!(s instanceof Y.Map) || !s._item || s.get('author') !== writer.id) return
    const mine = localItems._map.get(id)
    if (!mine || !knows(local, s._item.id) || !mine.deleted || !sameId(mine.id, s._item.id)) return
    candidates.push({ key: `delete:${id}`, steps: [(d, o) => deleteItem(d, id, o)] })
  })
  // Deletions first (they make room under the limits), then edits, then new items oldest first.
  const rank = (c: Candidate) => (c.key.startsWith('delete:') ? -2 : c.word?.change === 'new' ? c.word.item.createdAt : -1)
  candidates.sort((x, y) => rank(x) - rank(y))
  return { candidates, dropped }
}

/** The smallest change from `prev` to `next`, as a cut (or null) and an insertion (or null). */
function textSteps(prev: string, next: string): [((t: Y.Text) => void) | null, ((t: Y.Text) => void) | null] {
  let start = 0
  while (start < prev.length && start < next.length && prev[start] === next[start]) start++
  let endPrev = prev.length, endNext = next.length
  while (endPrev > start && endNext > start && prev[endPrev - 1] === next[endNext - 1]) { endPrev--; endNext-- }
  const cut = endPrev > start ? (t: Y.Text) => t.delete(start, endPrev - start) : null
  const put = endNext > start ? (t: Y.Text) => t.insert(start, next.slice(start, endNext)) : null
  if (!cut && !put) return [(t) => replaceText(t, next), null]
  return [cut, put]
}

/** A short, stable fingerprint of a text (FNV-1a), for recognising the same words carried twice. */
function hash(s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) }
  return (h >>> 0).toString(36) + ':' + s.length
}
