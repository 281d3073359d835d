/** Everyone in the café: present or not, their table, their role; and people registered beforehand. */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { venueOf } from '../../../shared/cafe'
import { tablesFor } from '../../../shared/hybridSeats'
import type { CafeView, ParticipantView } from '../../../shared/protocol'
import { navigate } from '../router'
import { AddPeople } from './AddPeople'
import type { Run } from './run'

export function PeoplePanel({ view, run }: { view: CafeView; run: Run }) {
  const { t } = useTranslation()
  const [filter, setFilter] = useState('')
  const people = view.participants.filter((p) => !filter || `${p.displayName} ${p.organisation ?? ''} ${p.sector ?? ''}`.toLowerCase().includes(filter.toLowerCase()))
  const tables = view.definition.tables
  // Hybrid cafés: each person's tables are those of where they take part (the server refuses the others).
  const hybrid = venueOf(view.definition) === 'hybrid'
  const tablesOf = tablesFor(tables)
  return (
    <section className="card">
      <div className="row spread">
        <h2>{t('console.people', { count: view.participants.length })}</h2>
        <input type="search" aria-label={t('console.search')} placeholder={t('console.search')} value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <AddPeople run={run} hybrid={hybrid} />
      {view.participants.length === 0 ? <p className="muted">{t('console.nobody')}</p> : (
        <div className="table-scroll"><table className="people-table">
          <thead><tr><th>{t('console.present')}</th><th>{t('console.name')}</th>{hybrid && <th>{t('hybrid.onlineColumn')}</th>}<th>{t('console.organisation')}</th><th>{t('console.table')}</th><th>{t('console.host')}</th><th><span className="sr-only">{t('console.actions')}</span></th></tr></thead>
          <tbody>
            {people.map((p: ParticipantView) => (
              <tr key={p.id} className={p.absent ? 'absent' : ''}>
                <td><input type="checkbox" aria-label={t('console.presentLabel', { name: p.displayName })} checked={!p.absent} onChange={(e) => void run('participant:setPresent', { participantId: p.id, present: e.target.checked })} /></td>
                <td><span className={p.online ? 'online-dot on' : 'online-dot'} aria-hidden="true" /> {p.displayName}<span className="sr-only"> ({p.online ? t('console.online') : t('console.offline')})</span></td>
                {hybrid && <td><input type="checkbox" aria-label={t('hybrid.onlineLabel', { name: p.displayName })} checked={p.remote === true} onChange={(e) => void run('participant:setRemote', { participantId: p.id, remote: e.target.checked })} /></td>}
                <td className="muted">{[p.organisation, p.sector].filter(Boolean).join(' · ')}</td>
                <td>
                  <select aria-label={t('console.moveLabel', { name: p.displayName })} value={p.tableId ?? ''} disabled={Boolean(p.hostOf) || p.absent} onChange={(e) => void run('participant:move', { participantId: p.id, tableId: e.target.value })}>
                    {p.tableId === null && <option value="">{p.absent ? t('console.absentTag') : '—'}</option>}
                    {tablesOf(p).map((tb) => <option key={tb.id} value={tb.id}>{tb.name}</option>)}
                  </select>
                </td>
                <td>
                  <select aria-label={t('console.hostLabel', { name: p.displayName })} value={p.hostOf ?? ''} onChange={(e) => void run('participant:setHost', { participantId: p.id, tableId: e.target.value || null })}>
                    <option value="">{t('console.traveller')}</option>
                    {tablesOf(p).map((tb) => <option key={tb.id} value={tb.id}>{t('console.hostOf', { table: tb.name })}</option>)}
                  </select>
                </td>
                <td><button type="button" className="danger small" onClick={() => { if (window.confirm(t('console.confirmRemove', { name: p.displayName }))) void run('participant:remove', { participantId: p.id }) }}>{t('console.remove')}</button></td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
      <p className="muted small"><a href="/" onClick={(e) => { e.preventDefault(); navigate('/') }}>{t('common.home')}</a></p>
    </section>
  )
}
