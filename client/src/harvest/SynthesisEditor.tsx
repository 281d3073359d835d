/**
 * The synthesis document: generated from the harvest, then edited by hand by the whole team at once
 * (each part is a shared Y.Text). Regenerating replaces only the parts nobody edited; for edited parts it
 * asks, part by part, whether to keep the hand edits or take the new draft.
 */
import { useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type * as Y from 'yjs'
import type { SynthesisConflict, SynthesisPartState } from '../../../shared/harvest'
import { applyGenerated, synthesisText } from '../../../shared/harvest'
import { replaceText } from '../../../shared/tablecloth'
import type { SynthesisPart } from '../../../shared/synthesis'
import { joinParts } from '../../../shared/synthesis'
import { MarkdownPreview } from './MarkdownPreview'

export function SynthesisEditor({ doc, synced, fresh, parts, partTitle }: {
  doc: Y.Doc
  /** Generating before the document has synced could overwrite parts others already wrote. */
  synced: boolean
  /** The draft the harvest gives now. */
  fresh: SynthesisPart[]
  /** What the document holds. */
  parts: SynthesisPartState[]
  partTitle(key: string): string
}) {
  const { t } = useTranslation()
  const [conflicts, setConflicts] = useState<SynthesisConflict[]>([])
  const [preview, setPreview] = useState(false)
  const stored = new Map(parts.map((p) => [p.key, p]))
  const keys = [...fresh.map((p) => p.key), ...parts.filter((p) => !fresh.some((f) => f.key === p.key)).map((p) => p.key)]
  const outdated = fresh.filter((f) => { const s = stored.get(f.key); return !s || s.generated !== f.markdown }).length
  const generate = () => setConflicts(applyGenerated(doc, fresh))
  const resolve = (key: string, how: 'replace' | 'keep') => {
    applyGenerated(doc, fresh, how === 'replace' ? { replace: new Set([key]) } : { keep: new Set([key]) })
    setConflicts((cs) => cs.filter((c) => c.key !== key))
  }
  const whole = joinParts(keys.map((k) => stored.get(k)?.text ?? ''))

  return (
    <div className="synthesis">
      <div className="card synthesis-bar">
        <p>{parts.length === 0 ? t('harvest.noDraft') : outdated > 0 ? t('harvest.outdated', { count: outdated }) : t('harvest.upToDate')}</p>
        <div className="row">
          <button type="button" className="primary" onClick={generate} disabled={!synced || (parts.length > 0 && outdated === 0)}>
            {parts.length === 0 ? t('harvest.generate') : t('harvest.regenerate')}
          </button>
          <button type="button" aria-pressed={preview} onClick={() => setPreview((p) => !p)} disabled={parts.length === 0}>{t('harvest.preview')}</button>
        </div>
        <p className="muted">{t('harvest.syntaxHelp')}</p>
      </div>
      {conflicts.map((c) => (
        <div key={c.key} className="card conflict" role="alert">
          <p><strong>{partTitle(c.key)}</strong> — {c.proposed === '' ? t('harvest.conflictGone') : t('harvest.conflict')}</p>
          {c.proposed !== '' && (
            <details><summary>{t('harvest.seeDraft')}</summary><pre className="draft" tabIndex={0} aria-label={t('harvest.seeDraft')}>{c.proposed}</pre></details>
          )}
          <div className="row">
            <button type="button" onClick={() => resolve(c.key, 'keep')}>{t('harvest.keepMine')}</button>
            <button type="button" className="danger" onClick={() => resolve(c.key, 'replace')}>{c.proposed === '' ? t('harvest.removePart') : t('harvest.takeDraft')}</button>
          </div>
        </div>
      ))}
      {preview ? <article className="card"><MarkdownPreview markdown={whole} /></article> : keys.filter((k) => stored.has(k)).map((key) => (
        <PartEditor key={key} doc={doc} partKey={key} label={partTitle(key)} edited={stored.get(key)!.text !== stored.get(key)!.generated} />
      ))}
    </div>
  )
}

/**
 * A textarea on a shared text. Local typing goes in as minimal edits under this editor's own origin;
 * other people's edits come from the Y.Text itself (not from React state, which lags a frame behind the
 * keyboard) and shift the caret by what was inserted or removed before it.
 */
function PartEditor({ doc, partKey, label, edited }: { doc: Y.Doc; partKey: string; label: string; edited: boolean }) {
  const { t } = useTranslation()
  const ref = useRef<HTMLTextAreaElement>(null)
  const origin = useMemo(() => ({ editor: partKey }), [partKey])
  const [rows, setRows] = useState(4)
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const text = synthesisText(doc, partKey)
    const fit = () => setRows(Math.min(30, Math.max(4, el.value.split('\n').length + 1)))
    el.value = text.toString()
    fit()
    const onRemote = (event: Y.YTextEvent, tr: Y.Transaction) => {
      if (tr.origin === origin) return
      let [start, end] = [el.selectionStart, el.selectionEnd]
      let index = 0
      for (const op of event.delta) {
        if (op.retain !== undefined) index += op.retain
        else if (typeof op.insert === 'string') {
          const n = op.insert.length
          if (index < start) start += n
          if (index < end) end += n
          index += n
        } else if (op.delete !== undefined) {
          const n = op.delete
          if (index < start) start -= Math.min(n, start - index)
          if (index < end) end -= Math.min(n, end - index)
        }
      }
      const focused = document.activeElement === el
      el.value = text.toString()
      if (focused) el.setSelectionRange(start, end)
      fit()
    }
    text.observe(onRemote)
    return () => text.unobserve(onRemote)
  }, [doc, partKey, origin])
  return (
    <section className="card part">
      <div className="part-head">
        <label htmlFor={`part-${partKey}`} className="eyebrow">{label}</label>
        {edited && <span className="badge" id={`part-${partKey}-edited`}>{t('harvest.editedByHand')}</span>}
      </div>
      <textarea
        id={`part-${partKey}`}
        aria-describedby={edited ? `part-${partKey}-edited` : undefined}
        ref={ref}
        rows={rows}
        spellCheck
        onChange={(e) => { const next = e.target.value; doc.transact(() => replaceText(synthesisText(doc, partKey), next), origin) }}
      />
    </section>
  )
}
