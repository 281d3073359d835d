/**
 * Help for the harvest, never forced and never in the document unless asked for (the synthesis tab's
 * options): the question's figures, the words the tables used most, near-duplicates to merge.
 */
import { useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import type * as Y from 'yjs'
import type { Contribution } from '../../../shared/contributions'
import type { HarvestState } from '../../../shared/harvest'
import { dismissSuggestion, mergeContribution } from '../../../shared/harvest'
import { frequentTerms, suggestDuplicates } from '../../../shared/textAnalysis'

const SHOWN_SUGGESTIONS = 8

export function Suggestions({ doc, harvest, contributions, all }: {
  doc: Y.Doc
  harvest: HarvestState
  /** The question's contributions on the board (near-duplicates already merged are not). */
  contributions: Contribution[]
  /** Every contribution of the question, for its figures. */
  all: Contribution[]
}) {
  const { t } = useTranslation()
  const texts = useMemo(() => contributions.filter((c) => c.kind !== 'drawing'), [contributions])
  const byKey = new Map(texts.map((c) => [c.key, c]))
  const dismissed = useMemo(() => new Set(harvest.dismissed), [harvest.dismissed])
  const pairs = useMemo(() => suggestDuplicates(texts, { skip: dismissed, limit: SHOWN_SUGGESTIONS }), [texts, dismissed])
  const frequent = useMemo(() => frequentTerms(texts.map((c) => c.text), { limit: 10 }), [texts])
  // The one with more stars and dots stays; the other joins it.
  const weight = (c: Contribution) => c.stars + c.votes
  return (
    <aside className="harvest-side card" aria-label={t('harvest.suggestions')}>
      <h3>{t('harvest.prose.figures')}</h3>
      <p className="figures">{t('harvest.prose.figuresText', {
        count: all.length,
        tables: t('harvest.prose.tables', { count: new Set(all.map((c) => c.tableId)).size }),
        rounds: t('harvest.prose.rounds', { count: new Set(all.map((c) => c.round)).size }),
      })}</p>
      <p className="muted">{t('harvest.prose.figuresHelp')}</p>
      <h3>{t('harvest.frequent')}</h3>
      {frequent.length === 0 ? <p className="muted">{t('harvest.noFrequent')}</p> : (
        <ul className="chips terms">{frequent.map((f) => <li key={f.word} className="chip">{f.word} <span className="muted">({f.count})</span></li>)}</ul>
      )}
      <h3>{t('harvest.duplicates')}</h3>
      {pairs.length === 0 ? <p className="muted">{t('harvest.noDuplicates')}</p> : (
        <ul className="suggestions">
          {pairs.map((p) => {
            const a = byKey.get(p.a)!, b = byKey.get(p.b)!
            const [keep, join] = weight(b) > weight(a) ? [b, a] : [a, b]
            return (
              <li key={`${p.a}|${p.b}`} className="suggestion">
                <p><q>{keep.text}</q><br /><q>{join.text}</q></p>
                <div className="row">
                  <button type="button" className="small primary" onClick={() => mergeContribution(doc, join.key, keep.key)}>{t('harvest.merge')}</button>
                  <button type="button" className="small" onClick={() => dismissSuggestion(doc, p.a, p.b)}>{t('harvest.notSame')}</button>
                </div>
              </li>
            )
          })}
        </ul>
      )}
    </aside>
  )
}
