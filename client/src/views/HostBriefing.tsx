import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { questionAt } from '../../../shared/cafe'
import type { CafeView } from '../../../shared/protocol'
import type { TableclothItem } from '../../../shared/tablecloth'
import { tableclothDocName } from '../../../shared/tablecloth'
import { useItems, useTableclothPool } from '../hooks'
import type { Credential } from '../transport/CafeConnection'
import type { TableclothSession } from '../transport/TableclothSession'
import { inkFamily } from '../tablecloth/inks'
import { Linkified } from '../components/Linkified'

/**
 * For the table host: what earlier rounds wrote at this table, most-starred first, to brief the
 * newcomers in a minute.
 */
export function HostBriefing({ view, tableId, round, session, credential }: { view: CafeView; tableId: string; round: number; session: TableclothSession | null; credential: Credential | null }) {
  const { t } = useTranslation()
  const [open, setOpen] = useState(round > 1)
  // Earlier rounds' tablecloths at this table (other documents when the question changed).
  const earlierDocs = Array.from({ length: round - 1 }, (_, i) => {
    const q = questionAt(view.definition, i + 1, tableId)
    return q ? tableclothDocName(view.id, tableId, q) : null
  }).filter((d) => d && d !== session?.docName)
  const pool = useTableclothPool(open ? earlierDocs : [], credential)
  if (round <= 1) return null
  return (
    <section className="briefing card">
      <button type="button" className="briefing-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '▾' : '▸'} {t('briefing.title')}
      </button>
      {open && (
        <div className="briefing-body">
          <p className="muted small">{t('briefing.help')}</p>
          <BriefingList session={session} round={round} />
          {[...pool.values()].map((s) => <BriefingList key={s.docName} session={s} round={round} />)}
        </div>
      )}
    </section>
  )
}

function BriefingList({ session, round }: { session: TableclothSession | null; round: number }) {
  const { t } = useTranslation()
  const { items } = useItems(session)
  const earlier = items.filter((i) => i.round < round)
  const ranked = [...earlier].sort((a, b) => b.stars.length - a.stars.length || b.votes - a.votes || a.createdAt - b.createdAt)
  if (ranked.length === 0) return null
  return (
    <ol className="briefing-list">
      {ranked.slice(0, 12).map((i: TableclothItem) => (
        <li key={i.id} style={{ borderColor: inkFamily(i.round).inks[0] }}>
          <span>{i.kind === 'stroke' ? <em>{t('board.drawing')}</em> : <Linkified text={i.text} />}</span>
          <span className="muted small"> · {i.authorName} · {t('board.roundN', { n: i.round })}{i.stars.length ? ` · ★${i.stars.length}` : ''}{i.votes ? ` · ●${i.votes}` : ''}</span>
        </li>
      ))}
    </ol>
  )
}
