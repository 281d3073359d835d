import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import { CafeConnection } from './transport/CafeConnection'
import type { CafeSnapshot, Credential } from './transport/CafeConnection'
import type * as Y from 'yjs'
import type { SessionSnapshot, TableclothSession } from './transport/TableclothSession'
import { SessionPool } from './transport/SessionPool'
import { loadUnsentDocs, saveUnsentDocs } from './storage'
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

/** The session's state (status, what is not sent, set-aside words, the current copy), re-rendered on change. */
export function useSessionSnapshot(session: TableclothSession | null): SessionSnapshot | null {
  return useSyncExternalStore(session?.subscribe ?? noopSubscribe, () => session?.getSnapshot() ?? null)
}

/** Re-renders on the session's connection status. */
export function useTableclothStatus(session: TableclothSession | null): TableclothSession['status'] | null {
  return useSessionSnapshot(session)?.status ?? null
}

/** The session's current Y.Doc (a rebase replaces it), re-rendered when it changes. */
export function useSessionDoc(session: TableclothSession | null): Y.Doc | null {
  return useSessionSnapshot(session)?.doc ?? null
}

/**
 * The tablecloth's items as plain objects, re-read (at most once a frame) whenever the document changes.
 * Items a facilitator removed are left out unless `includeRemoved` (the moderator's view).
 */
export function useItems(session: TableclothSession | null, opts: { includeRemoved?: boolean } = {}): { items: TableclothItem[]; lastChangeAt: number | null } {
  const doc = useSessionDoc(session)
  const includeRemoved = opts.includeRemoved ?? false
  const [state, setState] = useState<{ items: TableclothItem[]; lastChangeAt: number | null }>({ items: [], lastChangeAt: null })
  useEffect(() => {
    if (!doc) { setState({ items: [], lastChangeAt: null }); return }
    let frame = 0
    const read = (changed: boolean) => {
      frame = 0
      setState((prev) => ({ items: readItems(doc, { includeRemoved }), lastChangeAt: changed ? Date.now() : prev.lastChangeAt }))
    }
    const schedule = () => { if (!frame) frame = requestAnimationFrame(() => read(true)) }
    read(false)
    const items = doc.getMap('items')
    items.observeDeep(schedule)
    return () => { items.unobserveDeep(schedule); if (frame) cancelAnimationFrame(frame) }
  }, [doc, includeRemoved])
  return state
}

/** Stable object identity for a credential built from strings. */
export function useCredential(kind: 'facilitator' | 'participant', secret: string | null | undefined): Credential | null {
  return useMemo(() => (secret ? (kind === 'facilitator' ? { facilitatorKey: secret } : { participantToken: secret }) : null), [kind, secret])
}

/** What a page gets from its pool of tablecloth sessions. */
export interface TableclothPool {
  get(docName: string): TableclothSession | undefined
  /** The sessions asked for, in order. */
  values(): TableclothSession[]
  /** Sessions kept open off-screen until the server has their edits (a table left, or remembered from a reload). */
  background: TableclothSession[]
}

/**
 * Keeps one session per listed document name, reusing them across renders: the next tablecloth is
 * opened while the current one is in use, so that at the move it is already there. A session that is
 * no longer listed but holds edits the server has not acknowledged stays open off-screen until it has
 * (transport/SessionPool.ts). `author` is who writes (participant id and current name); `rememberKey`
 * (participants) keeps the names of such documents across reloads, to reopen them.
 */
export function useTableclothPool(
  docNames: ReadonlyArray<string | null | undefined>,
  credential: Credential | null,
  opts: { author?: { id: string; name: string } | null; rememberKey?: string | null } = {},
): TableclothPool {
  const secret = credential ? ('facilitatorKey' in credential ? credential.facilitatorKey : credential.participantToken) : null
  const rememberKey = opts.rememberKey ?? null
  const [pool, setPool] = useState<SessionPool | null>(null)
  const names = [...new Set(docNames.filter((d): d is string => Boolean(d)))]
  const wanted = names.join('|')
  useEffect(() => {
    if (!credential) return
    const memory = rememberKey ? { load: () => loadUnsentDocs(rememberKey), save: (d: readonly string[]) => saveUnsentDocs(rememberKey, d) } : null
    const p = new SessionPool(credential, memory)
    setPool(p)
    return () => { p.destroy(); setPool(null) }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [secret, rememberKey])
  useEffect(() => { pool?.want(wanted ? wanted.split('|') : []) }, [pool, wanted])
  const authorId = opts.author?.id, authorName = opts.author?.name
  useEffect(() => { if (pool && authorId !== undefined && authorName !== undefined) pool.setAuthor({ id: authorId, name: authorName }) }, [pool, authorId, authorName])
  useSyncExternalStore(pool?.subscribe ?? noopSubscribe, pool?.getVersion ?? zero)
  return {
    get: (name) => pool?.get(name),
    values: () => (pool ? pool.shown(names) : []),
    background: pool ? pool.background() : [],
  }
}

const zero = () => 0
