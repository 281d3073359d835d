import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Contribution } from '../../../shared/contributions'
import type { Theme } from '../../../shared/harvest'
import { Linkified } from '../components/Linkified'
import { DrawingThumb } from './DrawingThumb'

export const DRAG_TYPE = 'application/x-nappe-contribution'

export interface CardActions {
  setKeyPoint(key: string, on: boolean): void
  place(key: string, themeId: string | null): void
  /** Files the card under another question's theme (after the person confirmed). */
  moveAcross(key: string, themeId: string): void
  unmerge(key: string): void
}

/** Where a card may go: its own question's themes and the free sections' (its menu), other questions' (a separate, confirmed move). */
export interface ThemeChoices {
  /** Groups of themes for the card's menu: its question's, then each free section's. */
  own: Array<{ label: string; themes: Theme[] }>
  /** Other questions' themes, for the deliberate move. */
  other: Array<{ label: string; themes: Theme[] }>
}

/** One contribution on the harvest board, with where it comes from; draggable onto a theme of its question. */
export function ContributionCard({ c, isKey, themeId, choices, sectionTitle, merged, actions, note }: {
  c: Contribution
  isKey: boolean
  themeId: string | null
  choices: ThemeChoices
  sectionTitle(theme: Theme): string
  /** Near-duplicates merged into this one. */
  merged: Contribution[]
  actions: CardActions
  /** A line about where the card comes from or was ("From question 1"). */
  note?: string
}) {
  const { t } = useTranslation()
  const [moving, setMoving] = useState(false)
  const [target, setTarget] = useState('')
  const label = c.kind === 'drawing' ? t('harvest.drawing', { count: c.strokes }) : c.text
  const ownIds = new Set(choices.own.flatMap((g) => g.themes.map((th) => th.id)))
  const current = themeId !== null && !ownIds.has(themeId) ? choices.other.flatMap((g) => g.themes).find((th) => th.id === themeId) : undefined
  const others = choices.other.flatMap((g) => g.themes)
  const confirmMove = () => {
    const th = others.find((x) => x.id === target)
    if (!th) return
    const where = `${sectionTitle(th)} › ${th.name}`
    if (window.confirm(t('harvest.prose.confirmMove', { text: label.slice(0, 80), where }))) {
      actions.moveAcross(c.key, th.id)
      setMoving(false)
      setTarget('')
    }
  }
  return (
    <article
      className={`harvest-card${isKey ? ' key-point' : ''}`}
      draggable
      onDragStart={(e) => { e.dataTransfer.setData(DRAG_TYPE, c.key); e.dataTransfer.setData('text/plain', label); e.dataTransfer.effectAllowed = 'move' }}
      data-key={c.key}
    >
      <p className={c.kind === 'drawing' ? 'harvest-text drawing' : 'harvest-text'}>{c.kind === 'drawing' ? label : <Linkified text={c.text} />}</p>
      <DrawingThumb c={c} />
      <p className="meta">
        {c.tableName} · {t('harvest.roundN', { n: c.round })} · {c.authorName}{c.organisation ? ` (${c.organisation})` : ''}
      </p>
      {note && <p className="card-note">{note}</p>}
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
          {choices.own.filter((g) => g.themes.length > 0).map((g) => (
            <optgroup key={g.label} label={g.label}>
              {g.themes.map((th) => <option key={th.id} value={th.id}>{th.name}</option>)}
            </optgroup>
          ))}
          {current && <option value={current.id}>{sectionTitle(current)} › {current.name}</option>}
        </select>
        {others.length > 0 && (
          <button type="button" className="small link" aria-expanded={moving} onClick={() => setMoving((m) => !m)}>{t('harvest.prose.otherQuestion')}</button>
        )}
      </div>
      {moving && (
        <div className="move-across">
          <label htmlFor={`move-${c.key}`}>{t('harvest.prose.moveWhere')}</label>
          <div className="row">
            <select id={`move-${c.key}`} value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">{t('harvest.prose.chooseTheme')}</option>
              {choices.other.filter((g) => g.themes.length > 0).map((g) => (
                <optgroup key={g.label} label={g.label}>
                  {g.themes.map((th) => <option key={th.id} value={th.id}>{th.name}</option>)}
                </optgroup>
              ))}
            </select>
            <button type="button" className="small" disabled={!target} onClick={confirmMove}>{t('harvest.prose.move')}</button>
            <button type="button" className="small link" onClick={() => { setMoving(false); setTarget('') }}>{t('harvest.prose.cancel')}</button>
          </div>
        </div>
      )}
    </article>
  )
}
