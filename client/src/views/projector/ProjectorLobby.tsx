import type { TFunction } from 'i18next'
import type { BroadcastMessage, CafeView } from '../../../../shared/protocol'
import { Icon } from '../../components/Icon'
import { JoinCard } from './JoinCard'
import { ProjectorMessage } from './ProjectorMessage'
import { lengthClass } from './roundQuestions'

/** Before round 1: how to join, big (QR, address, code), what the café is about, and how many are there. */
export function ProjectorLobby({ view, message, base, t }: { view: CafeView; message: BroadcastMessage | null; base: string; t: TFunction }) {
  const def = view.definition
  const count = view.participantCount
  return (
    <main className="pj-lobby">
      <div className="pj-lobby-info">
        <p className="pj-eyebrow">{t('projector.welcome')}</p>
        <h1 className="pj-title">{def.title}</h1>
        {def.questions.length === 1
          ? <p className={`pj-lobby-question${lengthClass(def.questions[0]!.text)}`}>{def.questions[0]!.text}</p>
          : (
            <>
              <h2 className="pj-lobby-questions-title">{t('projector.questions')}</h2>
              <ol className={def.questions.length > 4 ? 'pj-lobby-questions many' : 'pj-lobby-questions'}>{def.questions.map((q) => <li key={q.id}>{q.text}</li>)}</ol>
            </>
          )}
        <p className="pj-lobby-count"><Icon name="person" size={48} /> {count > 0 ? t('projector.joined', { count }) : t('projector.nobody')}</p>
        <ProjectorMessage message={message} />
      </div>
      <JoinCard cafeId={view.id} joinCode={view.joinCode} base={base} t={t} big />
    </main>
  )
}
