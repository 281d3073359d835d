/** Where everyone sits after the coming change of tables. */
import { useTranslation } from 'react-i18next'
import type { CafeView } from '../../../shared/protocol'

export function NextRotation({ view }: { view: CafeView }) {
  const { t } = useTranslation()
  const next = view.nextSeating ?? {}
  const byTable = view.definition.tables.map((tb) => ({ tb, people: view.participants.filter((p) => next[p.id] === tb.id) }))
  return (
    <section className="card">
      <h2>{t('console.nextRotation')}</h2>
      <div className="rotation-grid">
        {byTable.map(({ tb, people }) => (
          <div key={tb.id}><strong>{tb.name}</strong><ul className="plain">{people.map((p) => <li key={p.id}>{p.displayName}{p.hostOf ? ` (${t('participant.host')})` : ''}</li>)}</ul></div>
        ))}
      </div>
    </section>
  )
}
