/**
 * What a Yjs document has deleted already, per client, as sorted and merged clock ranges: an index kept
 * up to date after every transaction, so that the rules judge only the part of an update's delete set
 * that is new (an update carries its sender's whole delete set, nearly all of it deleted here already).
 * And the reading of an update that carries deletions only (a stock client's answer to a SyncStep1),
 * without decoding it into structs.
 */
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'

export type DeleteRanges = Map<number, Array<{ clock: number; len: number }>>


export interface Range { clock: number; end: number }
const deletedIndexes = new WeakMap<Y.Doc, Map<number, Range[]>>()

/**
 * The document's deletions per client, sorted and merged, kept up to date after every transaction
 * (built from the struct store on first use).
 */
export function deletedRanges(doc: Y.Doc): Map<number, Range[]> {
  const known = deletedIndexes.get(doc)
  if (known) return known
  const index = new Map<number, Range[]>()
  const add = (ds: { clients: Map<number, Array<{ clock: number; len: number }>> }) => {
    for (const [client, ranges] of ds.clients) {
      let list = index.get(client)
      if (!list) index.set(client, (list = []))
      for (const r of ranges) insertRange(list, r.clock, r.clock + r.len)
    }
  }
  add(Y.createDeleteSetFromStructStore(doc.store) as never)
  doc.on('afterTransaction', (tr: Y.Transaction) => add(tr.deleteSet as never))
  deletedIndexes.set(doc, index)
  return index
}

/** First range of `list` (sorted, disjoint) that ends after `clock`. */
export function firstEndingAfter(list: Range[], clock: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (list[mid]!.end <= clock) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Adds [clock, end) to a sorted list of disjoint ranges, merging what touches it. */
function insertRange(list: Range[], clock: number, end: number): void {
  if (end <= clock) return
  const last = list[list.length - 1]
  if (!last || last.end < clock) { list.push({ clock, end }); return } // the usual case: at the end
  const i = firstEndingAfter(list, clock - 1)
  let from = clock
  let to = end
  let j = i
  while (j < list.length && list[j]!.clock <= to) {
    from = Math.min(from, list[j]!.clock)
    to = Math.max(to, list[j]!.end)
    j++
  }
  list.splice(i, j - i, { clock: from, end: to })
}

/** Calls `fn` for each part of [from, to) that `list` (sorted, disjoint) does not cover. */
export function forEachGap(list: Range[], from: number, to: number, fn: (from: number, to: number) => void): void {
  let at = from
  for (let i = firstEndingAfter(list, from); i < list.length && at < to; i++) {
    const r = list[i]!
    if (r.clock >= to) break
    if (r.clock > at) fn(at, r.clock)
    at = Math.max(at, r.end)
  }
  if (at < to) fn(at, to)
}

/**
 * The delete set of a (v1) update that holds no structs, or null when it holds some. Throws on bytes
 * that are not an update.
 */
export function readDeletesOnly(update: Uint8Array): DeleteRanges | null {
  const d = decoding.createDecoder(update)
  if (decoding.readVarUint(d) !== 0) return null
  const clients: DeleteRanges = new Map()
  for (let n = decoding.readVarUint(d); n > 0; n--) {
    const client = decoding.readVarUint(d)
    const ranges: Array<{ clock: number; len: number }> = []
    for (let k = decoding.readVarUint(d); k > 0; k--) ranges.push({ clock: decoding.readVarUint(d), len: decoding.readVarUint(d) })
    clients.set(client, ranges)
  }
  if (decoding.hasContent(d)) throw new Error('bytes after the delete set')
  return clients
}

/** Does the document show every range of `deletes` deleted already (so that applying them changes nothing)? */
export function deletedAlready(doc: Y.Doc, deletes: DeleteRanges): boolean {
  const done = deletedRanges(doc)
  for (const [client, ranges] of deletes) {
    const list = done.get(client)
    for (const { clock, len } of ranges) {
      if (len === 0) continue
      const r = list?.[firstEndingAfter(list, clock)]
      if (!r || r.clock > clock || r.end < clock + len) return false
    }
  }
  return true
}
