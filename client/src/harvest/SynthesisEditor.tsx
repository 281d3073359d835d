/**
 * The synthesis document: generated from the harvest, then edited by hand by the whole team at once
 * (each part is a shared Y.Text). Regenerating replaces only the parts nobody edited; for edited parts it
 * asks, part by part, whether to keep the hand edits or take the new draft.
 */
import { useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type * as Y from 'yjs'
import type { DraftOptions, SynthesisConflict, SynthesisPartState } from '../../../shared/harvest'
import { applyGenerated, setDraftOption, synthesisText } from '../../../shared/harvest'
import type { SynthesisPart } from '../../../shared/synthesis'
import { joinParts } from '../../../shared/synthesis'
import { MarkdownPreview } from './MarkdownPreview'
import type { RewriteTarget } from './RewritePanel'
import { RewriteRow } from './RewritePanel'
import { SharedTextArea } from './SharedTextArea'

export function SynthesisEditor({ doc, synced, fresh, parts, partTitle, draft, rewrite }: {
  doc: Y.Doc
  /** What the draft includes beyond the prose (counts, frequent words). */
  draft: DraftOptions
  /** Generating before the document has synced could overwrite parts others already wrote. */
  synced: boolean
  /** The draft the harvest gives now. */
  fresh: SynthesisPart[]
  /** What the document holds. */
  parts: SynthesisPartState[]
  partTitle(key: string): string
  /** "Rewrite with the model" under each part with themes (shown only when the server has a model). */
  rewrite?: RewriteTarget
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
        <fieldset className="draft-options">
          <legend>{t('harvest.prose.include')}</legend>
          <label><input type="checkbox" checked={draft.counts} onChange={(e) => setDraftOption(doc, { counts: e.target.checked })} /> {t('harvest.prose.includeCounts')}</label>
          <label><input type="checkbox" checked={draft.frequent} onChange={(e) => setDraftOption(doc, { frequent: e.target.checked })} /> {t('harvest.prose.includeFrequent')}</label>
        </fieldset>
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
        <PartEditor key={key} doc={doc} partKey={key} label={partTitle(key)} edited={stored.get(key)!.text !== stored.get(key)!.generated}>
          {rewrite && <RewriteRow doc={doc} partKey={key} partText={stored.get(key)!.text} target={rewrite} />}
        </PartEditor>
      ))}
    </div>
  )
}

/** One part of the document, on its shared text. */
function PartEditor({ doc, partKey, label, edited, children }: { doc: Y.Doc; partKey: string; label: string; edited: boolean; children?: ReactNode }) {
  const { t } = useTranslation()
  const text = useMemo(() => synthesisText(doc, partKey), [doc, partKey])
  return (
    <section className="card part">
      <div className="part-head">
        <label htmlFor={`part-${partKey}`} className="eyebrow">{label}</label>
        {edited && <span className="badge" id={`part-${partKey}-edited`}>{t('harvest.editedByHand')}</span>}
      </div>
      <SharedTextArea doc={doc} text={text} id={`part-${partKey}`} describedBy={edited ? `part-${partKey}-edited` : undefined} />
      {children}
    </section>
  )
}
