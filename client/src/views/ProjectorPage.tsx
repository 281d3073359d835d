import { useTranslation } from 'react-i18next'
import { questionAt, questionOf } from '../../../shared/cafe'
import { seatingRound } from '../../../shared/lifecycle'
import { tableclothDocName } from '../../../shared/tablecloth'
import { TableclothThumbnail } from '../components/TableclothThumbnail'
import { Timer } from '../components/Timer'
import { Icon } from '../components/Icon'
import { useCafeConnection, useCredential, useTableclothPool } from '../hooks'
import { facilitatedCafe } from '../storage'
import { FullMessage } from './Page'

/** For the room's screen: the big timer, the question(s), the join code and QR, and every tablecloth live. */
export function ProjectorPage({ cafeId, keyFromUrl }: { cafeId: string; keyFromUrl: string | null }) {
  const { t } = useTranslation()
  const key = keyFromUrl ?? facilitatedCafe(cafeId)?.key ?? null
  const credential = useCredential('facilitator', key)
  const { snap } = useCafeConnection(cafeId, credential)
  const view = snap?.view
  const lc = view?.lifecycle
  const round = lc ? seatingRound(lc) : 1
  const docs = view ? view.definition.tables.map((tb) => { const q = questionAt(view.definition, round, tb.id); return q ? tableclothDocName(cafeId, tb.id, q) : null }) : []
  const pool = useTableclothPool(docs, credential)
  if (!key) return <FullMessage title={t('console.noKeyTitle')} text={t('console.noKeyText')} />
  if (!view || !lc || !snap) return <div className="projector"><p aria-busy="true">{t('common.loading')}</p></div>

  const def = view.definition
  const questionIds = [...new Set(def.tables.map((tb) => questionAt(def, round, tb.id)).filter(Boolean))]
  const questions = def.questions.filter((q) => questionIds.includes(q.id))
  const joinable = lc.phase !== 'harvest' && lc.phase !== 'closed'
  return (
    <div className="projector">
      <header className="projector-head">
        <div>
          <h1>{def.title}</h1>
          <p className="projector-phase">{lc.phase === 'round' ? t('console.roundOf', { n: lc.round, total: def.rounds.length }) : t(`phase.${lc.phase}`)}</p>
        </div>
        <Timer lifecycle={lc} offsetMs={snap.offsetMs} size="big" />
        {joinable && (
          <div className="projector-join">
            <img src={`/api/cafes/${cafeId}/qr.svg`} alt="" width={150} height={150} />
            <div>
              <p>{t('projector.join', { host: location.host })}</p>
              <p className="join-code">{view.joinCode.slice(0, 4)} {view.joinCode.slice(4)}</p>
            </div>
          </div>
        )}
      </header>
      {snap.message && <div className="banner big" role="alert"><Icon name="megaphone" size={32} /> {snap.message.text}</div>}
      <section className="projector-questions">
        {questions.length === 1
          ? <p className="projector-question">{questions[0]!.text}</p>
          : <ul>{def.tables.map((tb) => { const q = questionOf(def, round, tb.id); return q ? <li key={tb.id}><strong>{tb.name}</strong> — {q.text}</li> : null })}</ul>}
      </section>
      <section className="projector-gallery" aria-label={t('projector.gallery')}>
        {def.tables.map((tb, i) => (
          <figure key={tb.id}>
            <TableclothThumbnail session={docs[i] ? pool.get(docs[i]!) ?? null : null} round={round} label={t('console.thumbnailOf', { table: tb.name })} />
            <figcaption>{tb.name} · <Icon name="person" /> {view.participants.filter((p) => p.tableId === tb.id).length}</figcaption>
          </figure>
        ))}
      </section>
    </div>
  )
}
