import type { TFunction } from 'i18next'
import type { BroadcastMessage, CafeView } from '../../../../shared/protocol'
import type { TableclothPool } from '../../hooks'
import { ProjectorGallery } from './ProjectorGallery'
import { ProjectorMessage } from './ProjectorMessage'
import { roundQuestions } from './roundQuestions'

/** Once the rounds are over (harvest, closed): thanks, and every tablecloth as the tables left it. */
export function ProjectorEnd({ view, round, message, docs, pool, t }: {
  view: CafeView
  round: number
  message: BroadcastMessage | null
  docs: ReadonlyArray<string | null>
  pool: TableclothPool
  t: TFunction
}) {
  const def = view.definition
  const perTableQuestions = roundQuestions(def, round).length > 1
  return (
    <main className="pj-screen pj-end">
      <header className="pj-head">
        <div className="pj-head-text">
          <p className="pj-eyebrow">{def.title}</p>
          <h1 className="pj-thanks">{t('projector.thanks')}</h1>
          <p className="pj-end-text">{t('projector.thanksText')}</p>
        </div>
      </header>
      <ProjectorMessage message={message} />
      <ProjectorGallery def={def} round={round} docs={docs} pool={pool} people={null} perTableQuestions={perTableQuestions} t={t} />
    </main>
  )
}
