import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { AppError } from '../../../shared/errors'
import { ApiError, api } from '../api'
import type { CafeSummary } from '../api'
import { apiErrorText, fieldErrorText, fieldKind } from '../errorText'
import { navigate } from '../router'
import { participantIdentity, saveParticipantIdentity } from '../storage'
import { Page } from './Page'
import './participant.css'

export function JoinPage({ code }: { code: string }) {
  const { t, i18n } = useTranslation()
  const [cafe, setCafe] = useState<CafeSummary | null>(null)
  const [lookupError, setLookupError] = useState<unknown>(null)
  const [name, setName] = useState('')
  const [organisation, setOrganisation] = useState('')
  const [sector, setSector] = useState('')
  /** Hybrid cafés: in the room (false) or online (true); null until chosen. */
  const [remote, setRemote] = useState<boolean | null>(null)
  const [venueMissing, setVenueMissing] = useState(false)
  const [fields, setFields] = useState<Pick<AppError, 'fields' | 'fieldKinds'>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    let live = true
    api.lookup(code).then((c) => {
      if (!live) return
      setCafe(c)
      // Already in this café on this device: go straight back to it.
      if (participantIdentity(c.id)) navigate(`/cafe/${c.id}`, { replace: true })
    }, (err: unknown) => { if (live) setLookupError(err ?? new Error('lookup failed')) })
    return () => { live = false }
  }, [code])

  const submit = async (e: React.FormEvent) => {
    e.preventDefault()
    if (!cafe) return
    const hybrid = cafe.venue === 'hybrid'
    if (hybrid && remote === null) {
      setVenueMissing(true)
      document.getElementById('venue-room')?.focus()
      return
    }
    setBusy(true); setError(null); setFields({})
    try {
      const joined = await api.join(cafe.id, { code, displayName: name, organisation: organisation || undefined, sector: sector || undefined, ...(hybrid && remote !== null ? { remote } : {}) })
      saveParticipantIdentity({ cafeId: joined.cafeId, participantId: joined.participantId, token: joined.participantToken, displayName: name.trim(), title: cafe.title })
      navigate(`/cafe/${joined.cafeId}`)
    } catch (err) {
      setError(err ?? new Error('join failed'))
      if (err instanceof ApiError && err.error) setFields(err.error)
    } finally {
      setBusy(false)
    }
  }

  if (lookupError) {
    const closed = lookupError instanceof ApiError && lookupError.error?.reason === 'cafe_closed'
    return (
      <Page>
        <section className="card center">
          <h1>{closed ? t('join.closedTitle') : t('join.notFoundTitle')}</h1>
          <p role="alert">{closed ? t('join.closedText') : apiErrorText(lookupError, t)}</p>
          {/* Both lead home: the cafés joined on this device are listed there, and the code field. */}
          {closed
            ? <button type="button" className="primary" onClick={() => navigate('/')}>{t('common.home')}</button>
            : <button type="button" onClick={() => navigate('/')}>{t('join.tryAnother')}</button>}
        </section>
      </Page>
    )
  }
  const nameError = fields.fields?.displayName !== undefined
    ? (fieldKind(fields, 'displayName') === 'required' ? t('join.nameRequired') : fieldErrorText(fields, 'displayName', t))
    : null
  return (
    <Page>
      <section className="card">
        {!cafe ? <p aria-busy="true">{t('common.loading')}</p> : (
          <>
            <p className="eyebrow">{t('join.welcome')}</p>
            <h1>{cafe.title}</h1>
            {(cafe.date || cafe.place) && <p className="muted">{[cafe.date && new Intl.DateTimeFormat(i18n.language, { dateStyle: 'long' }).format(new Date(cafe.date)), cafe.place].filter(Boolean).join(' · ')}</p>}
            {cafe.description && <p className="description">{cafe.description}</p>}
            <form onSubmit={submit} className="form" noValidate>
              <div className="field">
                <label htmlFor="name">{t('join.name')}</label>
                <input id="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={60} autoComplete="given-name" required aria-invalid={nameError !== null} aria-describedby={nameError ? 'name-error' : undefined} />
                {nameError && <p id="name-error" className="field-error">{nameError}</p>}
              </div>
              <div className="field">
                <label htmlFor="org">{t('join.organisation')} <span className="optional">{t('common.optional')}</span></label>
                <input id="org" value={organisation} onChange={(e) => setOrganisation(e.target.value)} maxLength={60} autoComplete="organization" />
              </div>
              <div className="field">
                <label htmlFor="sector">{t('join.sector')} <span className="optional">{t('common.optional')}</span></label>
                <input id="sector" value={sector} onChange={(e) => setSector(e.target.value)} maxLength={60} list="sectors" />
                <datalist id="sectors">{(t('join.sectors', { returnObjects: true }) as string[]).map((s) => <option key={s} value={s} />)}</datalist>
              </div>
              {cafe.venue === 'hybrid' && (
                <fieldset aria-describedby={venueMissing ? 'venue-error' : 'venue-help'}>
                  <legend>{t('hybrid.where')}</legend>
                  <div className="radio-cards">
                    {([false, true] as const).map((online) => (
                      <label key={String(online)} className={remote === online ? 'radio-card active' : 'radio-card'}>
                        <input type="radio" name="venue" id={online ? 'venue-online' : 'venue-room'} checked={remote === online} required
                          onChange={() => { setRemote(online); setVenueMissing(false) }} />
                        <strong>{t(online ? 'hybrid.online' : 'hybrid.room')}</strong>
                        <span className="muted small">{t(online ? 'hybrid.onlineHelp' : 'hybrid.roomHelp')}</span>
                      </label>
                    ))}
                  </div>
                  {venueMissing
                    ? <p id="venue-error" className="field-error" role="alert">{t('hybrid.required')}</p>
                    : <p id="venue-help" className="muted small">{t('hybrid.help')}</p>}
                </fieldset>
              )}
              {error !== null && <p className="form-error" role="alert">{apiErrorText(error, t, { inlineFields: ['displayName'] })}</p>}
              <button type="submit" className="primary big" disabled={busy || !name.trim()}>{busy ? t('common.wait') : t('join.submit')}</button>
              <p className="muted small">{t('join.privacy')}</p>
            </form>
          </>
        )}
      </section>
    </Page>
  )
}
