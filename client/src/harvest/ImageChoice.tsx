/** Which tablecloth images a question's section of the synthesis shows: none, the final state, or the end of a round. */
import { useTranslation } from 'react-i18next'
import type * as Y from 'yjs'
import type { ImageChoice as Choice } from '../../../shared/harvest'
import { setQuestionImages } from '../../../shared/harvest'

export function ImageChoice({ doc, questionId, rounds, value }: { doc: Y.Doc; questionId: string; rounds: number[]; value: Choice | null }) {
  const { t } = useTranslation()
  const id = `images-${questionId}`
  return (
    <div className="card image-choice">
      <label htmlFor={id}>{t('harvest.prose.images')}</label>
      <select
        id={id}
        value={value === null ? '' : String(value)}
        onChange={(e) => { const v = e.target.value; setQuestionImages(doc, questionId, v === '' ? null : v === 'final' ? 'final' : Number(v)) }}
      >
        <option value="">{t('harvest.prose.imagesNone')}</option>
        <option value="final">{t('harvest.prose.imagesFinal')}</option>
        {rounds.map((n) => <option key={n} value={String(n)}>{t('harvest.prose.imagesRound', { n })}</option>)}
      </select>
    </div>
  )
}
