import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import { CafeConnection } from './transport/CafeConnection'
import type { CafeSnapshot, Credential } from './transport/CafeConnection'
import { TableclothSession } from './transport/TableclothSession'
import { readItems } from '../../shared/tablecloth'
import type { TableclothItem } from '../../shared/tablecloth'

/** One live connection to a café for as long as the component is mounted. */
export function useCafeConnection(cafeId: string, credential: Credential | null): { conn: CafeConnection | null; snap: CafeSnapshot | null } {
  const secret = credential ? ('facilitatorKey' in credential ? `f${credential.facilitatorKey}` : `p${credential.participantToken}`) : null
  const [conn, setConn] = useState<CafeConnection | null>(null)
  useEffect(() => {
    if (!credential) return
    const c = new CafeConnection(cafeId, credential)
    setConn(c)
    return () => { c.close(); setConn(null) }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cafeId, secret])
  const snap = useSyncExternalStore(conn?.subscribe ?? noopSubscribe, conn?.getSnapshot ?? nullSnapshot)
  return { conn, snap }
}

const noopSubscribe = () => () => {}
const nullSnapshot = () => null

/** Re-renders every `ms` milliseconds (for countdowns). */
export function useNow(ms = 250): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(t)
  }, [ms])
  return now
}

/** Re-renders on the session's connection status. */
export function useTableclothStatus(session: TableclothSession | null): TableclothSession['status'] | null {
  return useSyncExternalStore(session?.subscribe ?? noopSubscribe, () => session?.status ?? null)
}

/** The tablecloth's items as plain objects, re-read (at most once a frame) whenever the document changes. */
export function useItems(session: TableclothSession | null): { items: TableclothItem[]; lastChangeAt: number | null } {
  const [state, setState] = useState<{ items: TableclothItem[]; lastChangeAt: number | null }>({ items: [], lastChangeAt: null })
  useEffect(() => {
    if (!session) { setState({ items: [], lastChangeAt: null }); return }
    let frame = 0
    const read = (changed: boolean) => {
      frame = 0
      setState((prev) => ({ items: readItems(session.doc), lastChangeAt: changed ? Date.now() : prev.lastChangeAt }))
    }
    const schedule = () => { if (!frame) frame = requestAnimationFrame(() => read(true)) }
    read(false)
    const items = session.doc.getMap('items')
    items.observeDeep(schedule)
    return () => { items.unobserveDeep(schedule); if (frame) cancelAnimationFrame(frame) }
  }, [session])
  return state
}

/** Stable object identity for a credential built from strings. */
export function useCredential(kind: 'facilitator' | 'participant', secret: string | null | undefined): Credential | null {
  return useMemo(() => (secret ? (kind === 'facilitator' ? { facilitatorKey: secret } : { participantToken: secret }) : null), [kind, secret])
}

/**
 * Keeps one session per listed document name, reusing them across renders: the next tablecloth is
 * opened while the current one is in use, so that at the move it is already there.
 */
export function useTableclothPool(docNames: ReadonlyArray<string | null | undefined>, credential: Credential | null): Map<string, TableclothSession> {
  const secret = credential ? ('facilitatorKey' in credential ? credential.facilitatorKey : credential.participantToken) : null
  const [pool, setPool] = useState<Map<string, TableclothSession>>(() => new Map())
  const wanted = [...new Set(docNames.filter((d): d is string => Boolean(d)))].sort().join('|')
  useEffect(() => {
    if (!credential) return
    setPool((prev) => {
      const names = wanted ? wanted.split('|') : []
      const next = new Map<string, TableclothSession>()
      for (const name of names) next.set(name, prev.get(name) ?? new TableclothSession(name, credential))
      for (const [name, s] of prev) if (!next.has(name)) s.destroy()
      return next
    })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted, secret])
  useEffect(() => () => { setPool((prev) => { for (const s of prev.values()) s.destroy(); return new Map() }) }, [secret])
  return pool
}
