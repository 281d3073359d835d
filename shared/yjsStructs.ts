/** Reading Yjs structs as decoded from an update (`Y.decodeUpdate`), without applying them. */

interface Clocked { id: { clock: number }; length: number }

/**
 * The struct of `list` (one client's structs, sorted by clock) that holds `clock`, or null. Yjs's own
 * `findIndexSS` does this for a document's store, but throws on a clock it does not hold.
 */
export function structAt<S extends Clocked>(list: readonly S[], clock: number): S | null {
  let lo = 0
  let hi = list.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const s = list[mid]!
    if (clock < s.id.clock) hi = mid - 1
    else if (clock >= s.id.clock + s.length) lo = mid + 1
    else return s
  }
  return null
}
