import { useEffect, useMemo, useState } from 'react'
import type * as Y from 'yjs'
import { readItems } from '../../../shared/tablecloth'
import type { TableclothItem } from '../../../shared/tablecloth'

/**
 * The items of a tablecloth, plus the ones this person has just created and that the next read (one
 * frame later) has not brought yet: so that the editor of a new note is there at once, and the keys
 * typed right after "Add" or Enter land in it.
 */
export function useFreshItems(items: TableclothItem[], doc: Y.Doc, includeRemoved: boolean) {
  const [fresh, setFresh] = useState<TableclothItem[]>([])
  // The next read has everything the document holds: the new items, or their deletion.
  useEffect(() => setFresh((f) => (f.length ? [] : f)), [items])
  const merged = useMemo(() => {
    if (fresh.length === 0) return items
    const known = new Set(items.map((i) => i.id))
    const extra = fresh.filter((f) => !known.has(f.id))
    return extra.length ? [...items, ...extra] : items
  }, [items, fresh])
  /** Call inside flushSync, with the id of an item just written to the document. */
  const remember = (id: string) => {
    const item = readItems(doc, { includeRemoved }).find((i) => i.id === id)
    if (item) setFresh((f) => [...f, item])
  }
  return { items: merged, remember }
}
