/** One table in the console: its question, a live thumbnail of its tablecloth, who sits there, a lock. */
import { useTranslation } from 'react-i18next'
import { questionOf } from '../../../shared/cafe'
import type { CafeView } from '../../../shared/protocol'
import { TableclothThumbnail } from '../components/TableclothThumbnail'
import { ConsolePhotoButton } from '../components/PhotoCapture'
import { useItems, useNow } from '../hooks'
import { timeAgo } from '../relativeTime'
import type { TableclothSession } from '../transport/TableclothSession'

/** A table is "silent" when nothing was written on its tablecloth for this long during a round. */
const SILENT_AFTER_MS = 3 * 60_000

export function TableCard({ view, tableId, round, docName, session, onOpen, onLock }: {
  view: CafeView; tableId: string; round: number; docName: string | null; session: TableclothSession | null; onOpen(): void; onLock(locked: boolean): void
}) {
  const { t, i18n } = useTranslation()
  const now = useNow(5000)
  const { items, lastChangeAt } = useItems(session)
  const def = view.definition
  const table = def.tables.find((x) => x.id === tableId)!
  const q = questionOf(def, round, tableId)
  const people = view.participants.filter((p) => p.tableId === tableId)
  // Change times seen by this browser (participants' clocks may be off).
  const lastActivity = lastChangeAt ?? 0
  const running = view.lifecycle.phase === 'round'
  const roundStartedAt = running && view.lifecycle.phase === 'round' && view.lifecycle.timer.status === 'running' ? view.lifecycle.timer.endsAt - view.lifecycle.timer.durationMs : 0
  const silent = running && now - Math.max(lastActivity, roundStartedAt) > SILENT_AFTER_MS
  const locked = docName ? view.lockedDocs.includes(docName) : false
  const thisRound = items.filter((i) => i.round === round).length
  return (
    <article className={`table-card${silent ? ' silent' : ''}`} aria-label={table.name}>
      <header>
        <h3>{table.name}</h3>
        {silent && <span className="tag warn">{t('console.silent')}</span>}
        {locked && <span className="tag">🔒 {t('console.locked')}</span>}
      </header>
      {q && <p className="small q">{q.text}</p>}
      {/* The button lies over the thumbnail rather than holding it: the notes inside are not part of its name. */}
      <div className="thumb-wrap">
        <TableclothThumbnail session={session} round={round} label={t('console.thumbnailOf', { table: table.name })} />
        <button type="button" className="thumb-button" onClick={onOpen} aria-label={t('console.openTableclothOf', { table: table.name })} />
      </div>
      <p className="small">{t('console.activity', { count: thisRound })}{lastActivity ? ` · ${t('console.lastEdit', { ago: timeAgo(now - lastActivity, i18n.language, t) })}` : ''}</p>
      <ul className="people-chips">
        {people.map((p) => (
          <li key={p.id} className={p.online ? '' : 'offline'} title={[p.displayName, p.organisation].filter(Boolean).join(' · ')}>
            {p.hostOf === tableId ? '★ ' : ''}{p.displayName}{p.online ? null : <span className="sr-only"> ({t('console.offline')})</span>}
          </li>
        ))}
        {people.length === 0 && <li className="muted">{t('console.empty')}</li>}
      </ul>
      <label className="toggle small"><input type="checkbox" checked={locked} onChange={(e) => onLock(e.target.checked)} /> {t('console.lock')}</label>
      <ConsolePhotoButton view={view} tableId={tableId} />
    </article>
  )
}
