/**
 * "Rewrite with the model", under a part of the synthesis, when the server has a model: a button per
 * theme of that part; the panel shows the theme's paragraph as the document has it beside the model's
 * suggestion (editable), and which of the theme's ideas the suggestion lost, re-checked as it is edited
 * (`shared/coverage.ts`). Nothing is written to the document until "Accept"; accepting with ideas missing
 * asks first, naming them; the suggestion then takes the paragraph's place (a hand edit, kept by the
 * updates from the harvest). When the paragraph cannot be found, the text is offered to copy instead.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type * as Y from 'yjs'
import { coverage } from '../../../shared/coverage'
import type { Theme } from '../../../shared/harvest'
import { synthesisText } from '../../../shared/harvest'
import { replaceText } from '../../../shared/tablecloth'
import { findThemeParagraph, replaceThemeParagraph } from '../../../shared/themeParagraph'
import { copyText } from '../copyText'
import { apiErrorText } from '../errorText'
import type { RewriteAnswer } from './rewriteApi'
import { rewriteApi, useRewriteStatus } from './rewriteApi'
import './rewrite.css'

/** What the studio gives the synthesis editor for the rewrite: the café, the key, the harvest's themes. */
export interface RewriteTarget { cafeId: string; facilitatorKey: string; themes: readonly Theme[] }

/** The buttons under one part (shown only when the server has a model and the part has themes), and the open panel. */
export function RewriteRow({ doc, partKey, partText, target }: { doc: Y.Doc; partKey: string; partText: string; target: RewriteTarget }) {
  const { t } = useTranslation()
  const status = useRewriteStatus(target.cafeId, target.facilitatorKey)
  const [open, setOpen] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const themes = target.themes.filter((th) => th.section === partKey)
  const theme = themes.find((th) => th.id === open)
  if (!status.enabled || themes.length === 0) return null
  return (
    <>
      <div className="rewrite-row">
        <span>{t('harvest.rewrite.row')}</span>
        {themes.map((th) => (
          <button key={th.id} type="button" className="small" aria-expanded={open === th.id} onClick={() => { setDone(null); setOpen(open === th.id ? null : th.id) }}>
            {t('harvest.rewrite.button', { name: th.name })}
          </button>
        ))}
      </div>
      {done && <p className="muted" role="status">{done}</p>}
      {theme && (
        <RewritePanel
          key={theme.id} doc={doc} partKey={partKey} partText={partText} theme={theme} target={target} timeoutSeconds={status.timeoutSeconds ?? 0}
          onClose={(message) => { setOpen(null); setDone(message ?? null) }}
        />
      )}
    </>
  )
}

type Ask = { phase: 'asking' } | { phase: 'failed'; error: string } | { phase: 'ready'; answer: RewriteAnswer }

function RewritePanel({ doc, partKey, partText, theme, target, timeoutSeconds, onClose }: {
  doc: Y.Doc; partKey: string; partText: string; theme: Theme; target: RewriteTarget; timeoutSeconds: number
  onClose(message?: string): void
}) {
  const { t } = useTranslation()
  const [ask, setAsk] = useState<Ask>({ phase: 'asking' })
  const [text, setText] = useState('')
  const [lost, setLost] = useState(false)
  const [copyNote, setCopyNote] = useState<string | null>(null)
  const pending = useRef<AbortController | null>(null)
  const id = `rewrite-${theme.id}`

  const request = useCallback(() => {
    pending.current?.abort()
    const controller = new AbortController()
    pending.current = controller
    setAsk({ phase: 'asking' })
    setLost(false)
    setCopyNote(null)
    rewriteApi.rewrite(target.cafeId, target.facilitatorKey, theme.id, controller.signal)
      .then((answer) => { if (!controller.signal.aborted) { setAsk({ phase: 'ready', answer }); setText(answer.text) } })
      .catch((err: unknown) => { if (!controller.signal.aborted) setAsk({ phase: 'failed', error: apiErrorText(err, t) }) })
  }, [target.cafeId, target.facilitatorKey, theme.id, t])
  useEffect(() => { request(); return () => pending.current?.abort() }, [request])
  // A paragraph that could not be found may be back after someone else's edit.
  useEffect(() => setLost(false), [partText])

  const items = ask.phase === 'ready' ? ask.answer.items : []
  const { missing } = useMemo(() => coverage(text, items), [text, items])
  const spot = findThemeParagraph(partText, theme.name)
  const placeable = spot !== null && !lost

  const accept = () => {
    if (!text.trim()) return
    if (missing.length > 0 && !window.confirm(t('harvest.rewrite.confirmMissing', { count: missing.length, list: missing.map((m) => `• ${m.text}`).join('\n') }))) return
    const shared = synthesisText(doc, partKey)
    const next = replaceThemeParagraph(shared.toString(), theme.name, text)
    if (next === null) { setLost(true); return }
    doc.transact(() => replaceText(shared, next))
    onClose(t('harvest.rewrite.accepted', { name: theme.name }))
  }
  const copy = async () => setCopyNote(t(await copyText(text) ? 'harvest.rewrite.copied' : 'harvest.rewrite.copyFailed'))

  return (
    <section className="rewrite-panel" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('harvest.rewrite.title', { name: theme.name })}</h3>
      {ask.phase === 'asking' && (
        <div className="rewrite-actions" aria-busy="true">
          <p role="status">{t('harvest.rewrite.asking', { seconds: timeoutSeconds })}</p>
          <button type="button" onClick={() => onClose()}>{t('harvest.rewrite.cancel')}</button>
        </div>
      )}
      {ask.phase === 'failed' && (
        <>
          <p className="form-error" role="alert">{ask.error}</p>
          <div className="rewrite-actions">
            <button type="button" onClick={request}>{t('harvest.rewrite.retry')}</button>
            <button type="button" onClick={() => onClose()}>{t('harvest.rewrite.discard')}</button>
          </div>
        </>
      )}
      {ask.phase === 'ready' && (
        <>
          <p className="muted">{t('harvest.rewrite.sent', { count: items.length })}</p>
          <div className="rewrite-compare">
            <div>
              <h4>{t('harvest.rewrite.draft')}</h4>
              {spot ? <p className="rewrite-draft">{spot.text}</p> : <p className="rewrite-draft muted">—</p>}
            </div>
            <div>
              <label htmlFor={`${id}-text`}>{t('harvest.rewrite.suggestion')}</label>
              <textarea id={`${id}-text`} value={text} onChange={(e) => setText(e.target.value)} />
            </div>
          </div>
          <div className={`rewrite-coverage${missing.length > 0 || !text.trim() ? ' missing' : ''}`} role="status">
            {!text.trim() ? <p>{t('harvest.rewrite.empty')}</p> : missing.length === 0 ? <p>{t('harvest.rewrite.allPresent', { count: items.length })}</p> : (
              <>
                <p>{t('harvest.rewrite.missing', { count: missing.length })}</p>
                <ul>{missing.map((m) => <li key={m.key}>{m.text}</li>)}</ul>
              </>
            )}
          </div>
          {!placeable && <p className="notice" role="alert">{t('harvest.rewrite.notFound', { name: theme.name })}</p>}
          <div className="rewrite-actions">
            <button type="button" className="primary" onClick={accept} disabled={!placeable || !text.trim()}>{t('harvest.rewrite.accept')}</button>
            <button type="button" onClick={() => onClose()}>{t('harvest.rewrite.discard')}</button>
            <button type="button" onClick={() => void copy()}>{t('harvest.rewrite.copy')}</button>
            <button type="button" onClick={request}>{t('harvest.rewrite.retry')}</button>
          </div>
          {copyNote && <p className="muted" role="status">{copyNote}</p>}
        </>
      )}
    </section>
  )
}
