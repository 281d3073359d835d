import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api'
import { apiErrorText } from '../errorText'
import { navigate } from '../router'
import { facilitatedCafes, joinedCafes } from '../storage'
import { Page } from './Page'

export function Home() {
  const { t } = useTranslation()
  const [code, setCode] = useState('')
  const joined = joinedCafes()
  const facilitated = facilitatedCafes()
  const go = (e: React.FormEvent) => {
    e.preventDefault()
    const clean = code.toUpperCase().replace(/[\s-]/g, '')
    if (clean) navigate(`/join/${encodeURIComponent(clean)}`)
  }
  return (
    <Page>
      <section className="hero">
        <h1>Nappe</h1>
        <p className="lead">{t('home.lead')}</p>
      </section>
      <section className="card">
        <h2>{t('home.joinTitle')}</h2>
        <form onSubmit={go} className="code-form">
          <label htmlFor="code">{t('home.codeLabel')}</label>
          <div className="row">
            <input id="code" className="code-input" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" autoCapitalize="characters" spellCheck={false} maxLength={12} placeholder="ABCD2345" inputMode="text" />
            <button type="submit" className="primary" disabled={!code.trim()}>{t('home.join')}</button>
          </div>
        </form>
        {joined.length > 0 && (
          <>
            <h3>{t('home.yourCafes')}</h3>
            <ul className="link-list">
              {joined.map((j) => <li key={j.cafeId}><a href={`/cafe/${j.cafeId}`} onClick={(e) => { e.preventDefault(); navigate(`/cafe/${j.cafeId}`) }}>{j.title || j.cafeId}</a> <span className="muted">({j.displayName})</span></li>)}
            </ul>
          </>
        )}
      </section>
      <section className="card">
        <h2>{t('home.facilitateTitle')}</h2>
        <p>{t('home.facilitateText')}</p>
        <div className="row wrap">
          <button type="button" className="primary" onClick={() => navigate('/new')}>{t('home.create')}</button>
          <ImportArchive />
        </div>
        {facilitated.length > 0 && (
          <>
            <h3>{t('home.facilitated')}</h3>
            <ul className="link-list">
              {facilitated.map((f) => (
                <li key={f.cafeId}>
                  <a href={`/facilitate/${f.cafeId}#key=${f.key}`} onClick={(e) => { e.preventDefault(); navigate(`/facilitate/${f.cafeId}#key=${f.key}`) }}>{f.title}</a> <span className="muted">{f.joinCode}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </Page>
  )
}

/** Recreates a café from a JSON archive (exported from any Nappe) and opens its console. */
function ImportArchive() {
  const { t } = useTranslation()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const load = async (file: File) => {
    setError(null)
    setBusy(true)
    try {
      let archive: unknown
      try { archive = JSON.parse(await file.text()) } catch { return setError(t('home.importNotJson')) }
      const created = await api.importCafe(archive)
      navigate(`/facilitate/${created.id}#key=${created.facilitatorKey}`)
    } catch (e) {
      setError(apiErrorText(e, t))
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <label className="button" aria-busy={busy}>
        {t('home.import')}
        <input type="file" accept=".json,application/json" className="visually-hidden" disabled={busy} onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void load(f) }} />
      </label>
      {error && <p className="form-error" role="alert">{error}</p>}
    </>
  )
}
