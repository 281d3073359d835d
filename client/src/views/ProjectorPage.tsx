import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { questionAt } from '../../../shared/cafe'
import { assertNever, seatingRound } from '../../../shared/lifecycle'
import { tableclothDocName } from '../../../shared/tablecloth'
import { useCafeConnection, useCredential, useTableclothPool } from '../hooks'
import { facilitatedCafe } from '../storage'
import { FullMessage } from './Page'
import { ProjectorEnd } from './projector/ProjectorEnd'
import { ProjectorLobby } from './projector/ProjectorLobby'
import { ProjectorRound } from './projector/ProjectorRound'
import { ProjectorTransition } from './projector/ProjectorTransition'
import { useLinks } from '../useLinks'
import '../projector.css'

/**
 * For the room's screen, one screen per moment: how to join (lobby), the question, the timer and every
 * tablecloth live (round), "change tables" with the countdown (transition), thanks and the tablecloths (end).
 * It speaks the café's language, like the printed cards, whatever the browser's.
 */
export function ProjectorPage({ cafeId, keyFromUrl }: { cafeId: string; keyFromUrl: string | null }) {
  const { t: uiT, i18n } = useTranslation()
  const key = keyFromUrl ?? facilitatedCafe(cafeId)?.key ?? null
  const credential = useCredential('facilitator', key)
  const { snap } = useCafeConnection(cafeId, credential)
  const base = useLinks().base
  const view = snap?.view
  const lc = view?.lifecycle
  const round = lc ? seatingRound(lc) : 1
  const docs = view ? view.definition.tables.map((tb) => { const q = questionAt(view.definition, round, tb.id); return q ? tableclothDocName(cafeId, tb.id, q) : null }) : []
  const pool = useTableclothPool(docs, credential)
  if (!key) return <FullMessage title={uiT('console.noKeyTitle')} text={uiT('console.noKeyText')} />
  if (snap?.status === 'refused') return <FullMessage title={uiT('console.refusedTitle')} text={uiT('console.refusedText')} />
  if (snap?.status === 'outdated') return <FullMessage title={uiT('common.outdatedTitle')} text={uiT('common.outdatedText')} />
  if (!view || !lc || !snap) return <div className="projector"><p className="pj-loading" aria-busy="true">{uiT('common.loading')}</p></div>

  const t = i18n.getFixedT(view.definition.language)
  const message = snap.message
  let screen: ReactNode
  switch (lc.phase) {
    case 'draft': case 'lobby':
      screen = <ProjectorLobby view={view} message={message} base={base} t={t} />
      break
    case 'round':
      screen = <ProjectorRound view={view} lifecycle={lc} offsetMs={snap.offsetMs} message={message} base={base} docs={docs} pool={pool} t={t} />
      break
    case 'transition':
      screen = <ProjectorTransition view={view} lifecycle={lc} offsetMs={snap.offsetMs} message={message} t={t} />
      break
    case 'harvest': case 'closed':
      screen = <ProjectorEnd view={view} round={round} message={message} docs={docs} pool={pool} t={t} />
      break
    default:
      assertNever(lc)
  }
  return (
    <div className={`projector pj-phase-${lc.phase}`} lang={view.definition.language}>
      {screen}
      {snap.status === 'offline' && <p className="pj-offline" role="status">{t('projector.offline')}</p>}
    </div>
  )
}
