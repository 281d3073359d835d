/**
 * Next to the connection badge: what the server does not have yet, here and at tables left behind
 * ("2 notes not sent yet"), then "Everything is sent" (never while words the server refused are set
 * aside here). A polite live region: read out when it changes.
 */
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNow, useSessionSnapshot } from '../hooks'
import type { TableclothSession } from '../transport/TableclothSession'

/** Online, a change is "not sent" only once the server has taken none of it for this long (it acknowledges in about 1 s). */
const SHOW_AFTER_MS = 3000
/** "Everything is sent" stays this long. */
const SENT_SHOWN_MS = 10_000

export function SyncNotice({ current, background, offline }: { current: TableclothSession | null; background: readonly TableclothSession[]; offline: boolean }) {
  const { t } = useTranslation()
  const now = useNow(1000)
  const snapshot = useSessionSnapshot(current)
  const here = snapshot?.sync ?? null
  // Words the server refused are not sent: "everything is sent" beside their card would be untrue.
  const refused = snapshot !== null && (snapshot.notice !== null || snapshot.setAside.length > 0)
  const away = useBackgroundSync(background)
  const messages: string[] = []
  if (here?.known && here.pending && here.since !== null && (offline || now - here.since >= SHOW_AFTER_MS)) {
    messages.push(here.notes > 0 ? t('sync.notes', { count: here.notes }) : t('sync.changes'))
  }
  if (away.pending) messages.push(away.notes > 0 ? t('sync.previousNotes', { count: away.notes }) : t('sync.previousChanges'))
  const waiting = messages.length > 0
  const wasWaiting = useRef(false)
  const [sentAt, setSentAt] = useState<number | null>(null)
  useEffect(() => {
    if (waiting) { wasWaiting.current = true; setSentAt(null) }
    else if (wasWaiting.current) { wasWaiting.current = false; setSentAt(Date.now()) }
  }, [waiting])
  const sent = !waiting && !refused && sentAt !== null && now - sentAt < SENT_SHOWN_MS
  return (
    <span className={`sync-notice${waiting ? ' waiting' : sent ? ' sent' : ''}`} role="status" aria-live="polite">
      {waiting ? messages.join(' · ') : sent ? `✓ ${t('sync.allSent')}` : ''}
    </span>
  )
}

/** The sum over the off-screen sessions (tables left behind that still hold unsent edits). */
function useBackgroundSync(sessions: readonly TableclothSession[]): { notes: number; pending: boolean } {
  const [, setTick] = useState(0)
  const names = sessions.map((s) => s.docName).join('|')
  useEffect(() => {
    const offs = sessions.map((s) => s.subscribe(() => setTick((n) => n + 1)))
    return () => { for (const off of offs) off() }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [names])
  let notes = 0, pending = false
  for (const s of sessions) {
    const sync = s.getSnapshot().sync
    // Not yet loaded: it may hold nothing at all; say so only once it is known.
    if (sync.known && sync.pending) { pending = true; notes += sync.notes }
  }
  return { notes, pending }
}
