import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { CafeShape, Language } from '../../../shared/cafe'
import { ApiError, api } from '../api'
import { markKeepLinkPending } from '../console/keepLinkFlag'
import { TableQuestionRounds } from '../create/TableQuestionRounds'
import { VenueField } from '../create/VenueField'
import type { Form } from '../create/wizardForm'
import { fromInput, roundsFor, templates, toInput } from '../create/wizardForm'
import '../create/wizard.css'
import { navigate } from '../router'
import { deleteTemplate, saveFacilitatedCafe, saveTemplate, savedTemplates } from '../storage'
import { apiErrorText } from '../errorText'
import { Page } from './Page'

export function CreateCafe() {
  const { t, i18n } = useTranslation()
  const lang: Language = i18n.resolvedLanguage === 'en' ? 'en' : 'fr'
  const [form, setForm] = useState<Form>(() => templates(t, lang)[0]!.form)
  const [fields, setFields] = useState<Record<string, string>>({})
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState(savedTemplates)
  // Any change clears the errors of the last attempt: they described the form as it was.
  const set = (patch: Partial<Form>) => { setForm((f) => ({ ...f, ...patch })); setFields({}); setError(null) }

  const setShape = (shape: CafeShape) => {
    const plan = shape === 'custom' && form.plan.length === 0 ? form.questions.map((_, r) => form.tables.map(() => r)) : form.plan
    set({ shape, plan })
  }
  const setTableCount = (n: number) => {
    const count = Math.max(1, Math.min(200, n || 1))
    const tables = Array.from({ length: count }, (_, i) => form.tables[i] ?? { name: `Table ${i + 1}`, capacity: form.tables.at(-1)?.capacity ?? 6 })
    set({ tables, plan: form.plan.map((row) => tables.map((_, i) => row[i] ?? 0)) })
  }

  const submit = async (e: React.FormEvent) => {
    e.preventDefault()
    setBusy(true); setError(null); setFields({})
    try {
      const created = await api.createCafe(toInput(form))
      saveFacilitatedCafe({ cafeId: created.id, key: created.facilitatorKey, title: form.title, joinCode: created.joinCode, createdAt: Date.now() })
      // The console opens on "Keep this link": the key is shown there, with ways to keep it.
      markKeepLinkPending(created.id)
      navigate(`/facilitate/${created.id}#key=${created.facilitatorKey}`)
    } catch (err) {
      setError(apiErrorText(err, t))
      if (err instanceof ApiError) setFields(err.fields)
    } finally {
      setBusy(false)
    }
  }

  // The server's messages are in English; the screen says it in the café's UI language.
  const fieldError = (key: string) => fields[key] ? <p className="field-error" role="alert">{fields[key] === 'required' ? t('wizard.required') : t('wizard.invalid')}</p> : null
  const totalMinutes = roundsFor(form) * form.roundMinutes + Math.max(0, roundsFor(form) - 1) * form.transitionSeconds / 60

  return (
    <Page>
      <form className="card wizard" onSubmit={submit} noValidate>
        <h1>{t('wizard.title')}</h1>
        <fieldset>
          <legend>{t('wizard.templates')}</legend>
          <div className="chips">
            {templates(t, lang).map((x) => <button key={x.id} type="button" className="chip" onClick={() => setForm({ ...x.form, title: form.title, date: form.date, place: form.place, description: form.description })}>{x.name}</button>)}
            {saved.map((x) => (
              <span key={x.name} className="chip-group">
                <button type="button" className="chip" onClick={() => { const f = fromInput(x.input); if (f) setForm(f) }}>{x.name}</button>
                <button type="button" className="chip-x" aria-label={t('wizard.deleteTemplate', { name: x.name })} onClick={() => { deleteTemplate(x.name); setSaved(savedTemplates()) }}>✕</button>
              </span>
            ))}
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('wizard.about')}</legend>
          <div className="field"><label htmlFor="title">{t('wizard.cafeTitle')}</label><input id="title" required value={form.title} onChange={(e) => set({ title: e.target.value })} maxLength={200} />{fieldError('title')}</div>
          <div className="grid2">
            <div className="field"><label htmlFor="date">{t('wizard.date')}</label><input id="date" type="date" value={form.date} onChange={(e) => set({ date: e.target.value })} /></div>
            <div className="field"><label htmlFor="place">{t('wizard.place')}</label><input id="place" value={form.place} onChange={(e) => set({ place: e.target.value })} maxLength={200} /></div>
          </div>
          <div className="field"><label htmlFor="description">{t('wizard.description')}</label><textarea id="description" rows={3} value={form.description} onChange={(e) => set({ description: e.target.value })} maxLength={5000} /></div>
          <div className="field"><label htmlFor="language">{t('wizard.language')}</label>
            <select id="language" value={form.language} onChange={(e) => set({ language: e.target.value as Language })}><option value="fr">Français</option><option value="en">English</option></select>
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('wizard.questions')}</legend>
          {form.questions.map((q, i) => (
            <div className="field row" key={i}>
              <label htmlFor={`q${i}`} className="sr-only">{t('wizard.questionN', { n: i + 1 })}</label>
              <span className="num" aria-hidden="true">{i + 1}</span>
              <input id={`q${i}`} value={q} placeholder={t('wizard.questionN', { n: i + 1 })} onChange={(e) => set({ questions: form.questions.map((x, j) => (j === i ? e.target.value : x)) })} maxLength={500} />
              {form.questions.length > 1 && <button type="button" aria-label={t('wizard.removeQuestion', { n: i + 1 })} onClick={() => set({ questions: form.questions.filter((_, j) => j !== i), plan: form.plan.map((row) => row.map((v) => (v >= i ? Math.max(0, v - 1) : v))) })}>✕</button>}
              {fieldError(`questions.${i}.text`)}
            </div>
          ))}
          <button type="button" onClick={() => set({ questions: [...form.questions, ''] })}>+ {t('wizard.addQuestion')}</button>
          {fieldError('questions')}
        </fieldset>

        <fieldset>
          <legend>{t('wizard.tables')}</legend>
          <div className="grid2">
            <div className="field"><label htmlFor="tableCount">{t('wizard.tableCount')}</label><input id="tableCount" type="number" min={1} max={200} value={form.tables.length} onChange={(e) => setTableCount(Number(e.target.value))} /></div>
            <div className="field"><label htmlFor="capacity">{t('wizard.capacity')}</label><input id="capacity" type="number" min={1} max={50} value={form.tables[0]?.capacity ?? 6} onChange={(e) => set({ tables: form.tables.map((x) => ({ ...x, capacity: Math.max(1, Math.min(50, Number(e.target.value) || 1)) })) })} /></div>
          </div>
          <details>
            <summary>{t('wizard.tableNames')}</summary>
            {form.tables.map((tb, i) => (
              <div className="field" key={i}><label htmlFor={`t${i}`} className="sr-only">{t('wizard.tableN', { n: i + 1 })}</label><input id={`t${i}`} value={tb.name} onChange={(e) => set({ tables: form.tables.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })} maxLength={80} /></div>
            ))}
          </details>
        </fieldset>

        <VenueField form={form} set={set} />

        <fieldset>
          <legend>{t('wizard.rounds')}</legend>
          <div className="radio-cards">
            {(['classic', 'table-question', 'custom'] as const).map((shape) => (
              <label key={shape} className={form.shape === shape ? 'radio-card active' : 'radio-card'}>
                <input type="radio" name="shape" value={shape} checked={form.shape === shape} onChange={() => setShape(shape)} />
                <strong>{t(`wizard.shape.${shape}`)}</strong>
                <span className="muted small">{t(`wizard.shapeHelp.${shape}`)}</span>
              </label>
            ))}
          </div>
          {form.shape === 'table-question' && <TableQuestionRounds form={form} onRounds={(roundCount) => set({ roundCount })} error={fieldError('questions')} />}
          {form.shape === 'custom' && (
            <div className="plan-grid" role="table" aria-label={t('wizard.plan')}>
              {form.plan.map((row, r) => (
                <div className="plan-row" role="row" key={r}>
                  <span role="rowheader">{t('board.roundN', { n: r + 1 })}</span>
                  {form.tables.map((tb, ti) => (
                    <select key={ti} aria-label={`${t('board.roundN', { n: r + 1 })} · ${tb.name}`} value={row[ti] ?? 0} onChange={(e) => set({ plan: form.plan.map((x, j) => (j === r ? x.map((v, k) => (k === ti ? Number(e.target.value) : v)) : x)) })}>
                      {form.questions.map((q, qi) => <option key={qi} value={qi}>{qi + 1}. {q.slice(0, 30) || t('wizard.questionN', { n: qi + 1 })}</option>)}
                    </select>
                  ))}
                  <button type="button" aria-label={t('wizard.removeRound', { n: r + 1 })} onClick={() => set({ plan: form.plan.filter((_, j) => j !== r) })}>✕</button>
                </div>
              ))}
              <button type="button" onClick={() => set({ plan: [...form.plan, form.tables.map(() => 0)] })}>+ {t('wizard.addRound')}</button>
            </div>
          )}
          <div className="grid3">
            <div className="field"><label htmlFor="roundMinutes">{t('wizard.roundMinutes')}</label><input id="roundMinutes" type="number" min={1} max={240} value={form.roundMinutes} onChange={(e) => set({ roundMinutes: Math.max(1, Math.min(240, Number(e.target.value) || 1)) })} /></div>
            <div className="field"><label htmlFor="transition">{t('wizard.transitionSeconds')}</label><input id="transition" type="number" min={0} max={1800} value={form.transitionSeconds} onChange={(e) => set({ transitionSeconds: Math.max(0, Math.min(1800, Number(e.target.value) || 0)) })} /></div>
            <div className="field"><label htmlFor="advance">{t('wizard.advance')}</label>
              <select id="advance" value={form.advance} onChange={(e) => set({ advance: e.target.value as 'auto' | 'manual' })}><option value="auto">{t('wizard.advanceAuto')}</option><option value="manual">{t('wizard.advanceManual')}</option></select>
            </div>
          </div>
          <p className="muted">{t('wizard.summary', { rounds: roundsFor(form), minutes: Math.round(totalMinutes) })}</p>
          {fieldError('rounds')}
        </fieldset>

        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="actions">
          <button type="button" onClick={() => { const name = window.prompt(t('wizard.templateName'), form.title); if (name) { saveTemplate({ name, input: toInput(form) as unknown as Record<string, unknown>, savedAt: Date.now() }); setSaved(savedTemplates()) } }}>{t('wizard.saveTemplate')}</button>
          <button type="submit" className="primary big" disabled={busy}>{busy ? t('common.wait') : t('wizard.create')}</button>
        </div>
      </form>
    </Page>
  )
}
