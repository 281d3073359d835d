import type { TFunction } from 'i18next'
import type { BroadcastMessage, CafeView } from '../../../../shared/protocol'
import type { LifecycleState } from '../../../../shared/lifecycle'
import type { TableclothPool } from '../../hooks'
import { Countdown } from './Countdown'
import { JoinCard } from './JoinCard'
import { ProjectorGallery } from './ProjectorGallery'
import { ProjectorMessage } from './ProjectorMessage'
import { lengthClass, roundQuestions } from './roundQuestions'

/**
 * During a round: the question and the timer dominate, a small corner says how to join late, and the
 * tablecloths fill the rest of the screen.
 */
export function ProjectorRound({ view, lifecycle, offsetMs, message, base, docs, pool, t }: {
  view: CafeView
  lifecycle: Extract<LifecycleState, { phase: 'round' }>
  offsetMs: number
  message: BroadcastMessage | null
  base: string
  docs: ReadonlyArray<string | null>
  pool: TableclothPool
  t: TFunction
}) {
  const def = view.definition
  const questions = roundQuestions(def, lifecycle.round)
  const shared = questions.length === 1
  return (
    <main className="pj-screen">
      <header className="pj-head">
        <div className="pj-head-text">
          <h1 className="pj-eyebrow">{t('projector.roundOf', { n: lifecycle.round, total: def.rounds.length })}{shared && ` · ${def.title}`}</h1>
          {/* One question for all: it is the line to read. One per table: each caption says its own. */}
          {shared
            ? <p className={`pj-question${lengthClass(questions[0]!.text)}`}>{questions[0]!.text}</p>
            : <p className={`pj-question${lengthClass(def.title)}`}>{def.title}</p>}
        </div>
        <Countdown lifecycle={lifecycle} offsetMs={offsetMs} caption={t('projector.timeLeft')} t={t} className="pj-countdown pj-round-timer" />
        <JoinCard cafeId={view.id} joinCode={view.joinCode} base={base} t={t} big={false} />
      </header>
      <ProjectorMessage message={message} />
      <ProjectorGallery def={def} round={lifecycle.round} docs={docs} pool={pool} people={view.participants} perTableQuestions={!shared} t={t} />
    </main>
  )
}
