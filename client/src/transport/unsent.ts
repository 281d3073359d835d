/**
 * What the server holds of a tablecloth, as this browser knows it, and what of the local copy it does
 * not have yet. Pure: Yjs state in, counts out (no browser, no socket), so it is tested in node.
 *
 * The server tells us its state vector in every SyncStep1 it sends (on connect, and about a second
 * after it accepted our updates: its acknowledgement). Structs beyond it are not on the server.
 * Deletions do not move a state vector, so we also keep a lower bound of the server's delete set,
 * from the updates it sends us (its SyncStep2 carries its whole delete set).
 */
import * as Y from 'yjs'
import { itemsMap } from '../../../shared/tablecloth'

export type DeleteSet = ReturnType<typeof Y.createDeleteSet>
type DeleteRanges = ReadonlyArray<{ clock: number; len: number }>

/** What the server is known to hold: its state vector, and (at least) these deletions. */
export interface ServerHolds {
  sv: Map<number, number>
  ds: DeleteSet
}

export const nothingHeld = (): ServerHolds => ({ sv: new Map(), ds: Y.createDeleteSet() })

/** A SyncStep1 from the server carries its whole state vector: it replaces what we thought. */
export function heldFromStateVector(holds: ServerHolds, sv: Map<number, number>): ServerHolds {
  return { sv: new Map(sv), ds: holds.ds }
}

/** The server sent this update (SyncStep2 or Update): it holds those structs and those deletions. */
export function learnFromUpdate(holds: ServerHolds, update: Uint8Array): ServerHolds {
  const { structs, ds } = Y.decodeUpdate(update)
  const sv = new Map(holds.sv)
  // The server's own copy is contiguous per client: holding a struct means holding every clock below it.
  for (const s of structs) {
    if (s instanceof Y.Skip) continue
    const end = s.id.clock + s.length
    if (end > (sv.get(s.id.client) ?? 0)) sv.set(s.id.client, end)
  }
  return { sv, ds: ds.clients.size === 0 ? holds.ds : Y.mergeDeleteSets([holds.ds, ds]) }
}

/** For keeping across reloads (IndexedDB): a Yjs snapshot is exactly a delete set and a state vector. */
export const encodeHolds = (holds: ServerHolds): Uint8Array => Y.encodeSnapshot(Y.createSnapshot(holds.ds, holds.sv))
export function decodeHolds(bytes: Uint8Array): ServerHolds | null {
  try {
    const snap = Y.decodeSnapshot(bytes)
    return { sv: snap.sv, ds: snap.ds }
  } catch {
    return null
  }
}

/** Does the server know the struct with this id? */
export const serverKnows = (holds: ServerHolds, id: Y.ID): boolean => id.clock < (holds.sv.get(id.client) ?? 0)

/** Structs of the local copy that the server does not have. */
export function structsAhead(doc: Y.Doc, holds: ServerHolds): boolean {
  for (const client of doc.store.clients.keys()) {
    if (Y.getState(doc.store, client) > (holds.sv.get(client) ?? 0)) return true
  }
  return false
}

/** Is [from, to) inside these sorted, merged ranges? */
export function covered(ranges: DeleteRanges | undefined, from: number, to: number): boolean {
  if (from >= to) return true
  if (!ranges) return false
  let at = from
  for (const r of ranges) {
    if (r.clock + r.len <= at) continue
    if (r.clock > at) return false
    at = r.clock + r.len
    if (at >= to) return true
  }
  return false
}

/** Local deletions of content the server has, that the server is not known to have made. */
export function deletesPending(doc: Y.Doc, holds: ServerHolds): boolean {
  const local = Y.createDeleteSetFromStructStore(doc.store)
  for (const [client, ranges] of local.clients) {
    const held = holds.sv.get(client) ?? 0
    const known = holds.ds.clients.get(client)
    for (const r of ranges) {
      const end = Math.min(r.clock + r.len, held)
      if (r.clock < end && !covered(known, r.clock, end)) return true
    }
  }
  return false
}

export interface Unsent {
  /** Notes and text blocks (of `author`, when given) that the server does not have. */
  notes: number
  /** Anything at all the server does not have: notes, edits, drawings, stars, deletions. */
  pending: boolean
}

/**
 * What the server does not have yet. A note is counted when the struct that created it
 * (`(ymap as any)._item.id`) is at or above the server's clock for its client.
 */
export function unsentOf(doc: Y.Doc, holds: ServerHolds, author: string | null = null): Unsent {
  if (!structsAhead(doc, holds)) return { notes: 0, pending: deletesPending(doc, holds) }
  let notes = 0
  itemsMap(doc).forEach((item) => {
    if (!(item instanceof Y.Map)) return
    const created = item._item
    if (!created || serverKnows(holds, created.id)) return
    const kind = item.get('kind')
    if ((kind === 'note' || kind === 'text') && (author === null || item.get('author') === author)) notes++
  })
  return { notes, pending: true }
}
