/** The wizard's choice of where the tables meet: in the room, online (a call per table) or hybrid. */
import { useTranslation } from 'react-i18next'
import type { Venue } from '../../../shared/cafe'
import { VENUES } from '../../../shared/cafe'
import type { Form } from './wizardForm'

const LABEL: Record<Venue, string> = { room: 'calls.venueRoom', online: 'calls.venueOnline', hybrid: 'calls.venueHybrid' }

export function VenueField({ form, set }: { form: Form; set: (patch: Partial<Form>) => void }) {
  const { t } = useTranslation()
  return (
    <fieldset>
      <legend>{t('calls.venue')}</legend>
      <div className="radio-cards">
        {VENUES.map((venue) => (
          <label key={venue} className={form.venue === venue ? 'radio-card active' : 'radio-card'}>
            <input type="radio" name="venue" value={venue} checked={form.venue === venue} onChange={() => set({ venue })} />
            <strong>{t(LABEL[venue])}</strong>
          </label>
        ))}
      </div>
      {form.venue !== 'room' && <p className="muted small">{t('calls.venueHelp')}</p>}
      {form.venue === 'hybrid' && (
        <div className="field" role="group" aria-label={t('calls.onlineTables')}>
          <p className="small"><strong>{t('calls.onlineTables')}</strong></p>
          <div className="chips">
            {form.tables.map((tb, i) => (
              <label key={i} className="toggle chip">
                <input type="checkbox" checked={tb.online === true} onChange={(e) => set({ tables: form.tables.map((x, j) => (j === i ? { ...x, online: e.target.checked } : x)) })} />
                {' '}{tb.name || t('wizard.tableN', { n: i + 1 })}
              </label>
            ))}
          </div>
        </div>
      )}
    </fieldset>
  )
}
