import { useTranslation } from 'react-i18next'
import type { Contribution } from '../../../shared/contributions'
import type { Theme } from '../../../shared/harvest'
import { Linkified } from '../components/Linkified'

export const DRAG_TYPE = 'application/x-nappe-contribution'

export interface CardActions {
  setKeyPoint(key: string, on: boolean): void
  place(key: string, themeId: string | null): void
  unmerge(key: string): void
}

/** One contribution on the harvest board, with where it comes from; draggable onto a theme. */
export function ContributionCard({ c, isKey, themeId, themes, sectionTitle, merged, actions }: {
  c: Contribution
  isKey: boolean
  themeId: string | null
  themes: Theme[]
  sectionTitle(theme: Theme): string
  /** Near-duplicates merged into this one. */
  merged: Contribution[]
  actions: CardActions
}) {
  const { t } = useTranslation()
  const label = c.kind === 'drawing' ? t('harvest.drawing', { count: c.strokes }) : c.text
  return (
    <article
      className={`harvest-card${isKey ? ' key-point' : ''}`}
      draggable
      onDragStart={(e) => { e.dataTransfer.setData(DRAG_TYPE, c.key); e.dataTransfer.setData('text/plain', label); e.dataTransfer.effectAllowed = 'move' }}
      data-key={c.key}
    >
      <p className={c.kind === 'drawing' ? 'harvest-text drawing' : 'harvest-text'}>{c.kind === 'drawing' ? label : <Linkified text={c.text} />}</p>
      <p className="meta">
        {c.tableName} · {t('harvest.roundN', { n: c.round })} · {c.authorName}{c.organisation ? ` (${c.organisation})` : ''}
      </p>
      {merged.length > 0 && (
        <ul className="merged" aria-label={t('harvest.mergedHere')}>
          {merged.map((m) => (
            <li key={m.key}>
              <span>{m.kind === 'drawing' ? t('harvest.drawing', { count: m.strokes }) : m.text}</span>
              <span className="meta"> · {m.tableName}</span>
              <button type="button" className="link" onClick={() => actions.unmerge(m.key)}>{t('harvest.unmerge')}</button>
            </li>
          ))}
        </ul>
      )}
      <div className="harvest-card-bar">
        {c.stars > 0 && <span className="badge" title={t('harvest.starsTitle')}>★ {c.stars}</span>}
        {c.votes > 0 && <span className="badge" title={t('harvest.votesTitle')}>● {c.votes}</span>}
        {merged.length > 0 && <span className="badge">×{merged.length + 1}</span>}
        <button type="button" className="small" aria-pressed={isKey} onClick={() => actions.setKeyPoint(c.key, !isKey)}>
          {isKey ? t('harvest.keyPointOn') : t('harvest.keyPoint')}
        </button>
        <select className="small" aria-label={t('harvest.moveTo')} value={themeId ?? ''} onChange={(e) => actions.place(c.key, e.target.value || null)}>
          <option value="">{t('harvest.unsorted')}</option>
          {themes.map((th) => <option key={th.id} value={th.id}>{sectionTitle(th)} › {th.name}</option>)}
        </select>
      </div>
    </article>
  )
}
