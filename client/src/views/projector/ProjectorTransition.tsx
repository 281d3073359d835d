import type { TFunction } from 'i18next'
import type { BroadcastMessage, CafeView } from '../../../../shared/protocol'
import type { LifecycleState } from '../../../../shared/lifecycle'
import { Icon } from '../../components/Icon'
import { Countdown } from './Countdown'
import { ProjectorMessage } from './ProjectorMessage'

/** Who stays at which table while the others move, in table order. */
function hostsByTable(view: CafeView): Array<{ table: string; names: string[] }> {
  return view.definition.tables
    .map((tb) => ({ table: tb.name, names: view.participants.filter((p) => p.hostOf === tb.id && !p.left && !p.absent).map((p) => p.displayName) }))
    .filter((h) => h.names.length > 0)
}

/** Between rounds, the whole screen says it: change tables, with the countdown to the next round in very large digits. */
export function ProjectorTransition({ view, lifecycle, offsetMs, message, t }: {
  view: CafeView
  lifecycle: Extract<LifecycleState, { phase: 'transition' }>
  offsetMs: number
  message: BroadcastMessage | null
  t: TFunction
}) {
  const next = lifecycle.completedRound + 1
  const hosts = hostsByTable(view)
  return (
    <main className="pj-transition" aria-labelledby="pj-transition-title">
      <p className="pj-eyebrow">{t('projector.roundOver', { n: lifecycle.completedRound })} · {view.definition.title}</p>
      <h1 id="pj-transition-title" className="pj-transition-title"><Icon name="move" size={96} /> {t('projector.changeTables')}</h1>
      {lifecycle.endsAt === null
        ? <p className="pj-transition-wait">{t('projector.nextSoon', { n: next })}</p>
        : <Countdown lifecycle={lifecycle} offsetMs={offsetMs} caption={t('projector.nextIn', { n: next })} t={t} className="pj-countdown pj-transition-timer" />}
      {hosts.length > 0 && (
        <section className="pj-hosts" aria-labelledby="pj-hosts-title">
          <h2 id="pj-hosts-title">{t('projector.hostsStay')}</h2>
          <ul>{hosts.map((h) => <li key={h.table}><strong>{h.table}</strong> {h.names.join(', ')}</li>)}</ul>
        </section>
      )}
      <ProjectorMessage message={message} />
    </main>
  )
}
