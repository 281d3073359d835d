/**
 * The item bar, docked under the sheet (never over it): who wrote the selected item and when, and what one
 * may do with it (star, dots, edit and delete one's own; for facilitators, remove and restore). With
 * nothing selected it says how to pick an item. Escape inside it goes back to the item.
 */
import { forwardRef } from 'react'
import { useTranslation } from 'react-i18next'
import type { TableclothItem } from '../../../shared/tablecloth'

export interface ItemBarProps {
  item: TableclothItem | null
  meId: string
  canEdit: boolean
  canModerate: boolean
  canReact: boolean
  dotsLeft: number
  hint: React.ReactNode
  onEdit(): void
  onDelete(): void
  onStar(): void
  onVote(delta: 1 | -1): void
  onRemove(): void
  onRestore(): void
  onClose(): void
  /** Escape: back to the item on the sheet. */
  onBack(): void
}

export const ItemBar = forwardRef<HTMLDivElement, ItemBarProps>(function ItemBar(p, ref) {
  const { t, i18n } = useTranslation()
  const item = p.item
  if (!item) return <div className="item-bar" ref={ref}><p className="item-hint">{p.hint}</p></div>
  const starred = item.stars.includes(p.meId)
  const mine = item.votesBy[p.meId] ?? 0
  const fmt = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' })
  return (
    <div className="item-bar">
      <div className="item-actions" role="dialog" aria-label={t('board.itemActions')} ref={ref} onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); p.onBack() } }}>
        <div className="item-meta">
          <strong>{item.authorName || t('board.unknownAuthor')}</strong> · {t('board.roundN', { n: item.round })} · {fmt.format(item.createdAt)}
          {item.removed && <> · <span className="removed-info">{t('board.removedBy', { time: fmt.format(item.removed.at) })}</span></>}
        </div>
        <div className="item-buttons">
          {p.canReact && <button type="button" onClick={p.onStar} aria-pressed={starred}><span aria-hidden="true">{starred ? '★' : '☆'}</span> {t('board.star')}</button>}
          {p.canReact && <button type="button" onClick={() => p.onVote(1)} disabled={p.dotsLeft <= 0} aria-label={t('board.addDotName')} title={t('board.addDot')}><span aria-hidden="true">● +1</span></button>}
          {p.canReact && mine > 0 && <button type="button" onClick={() => p.onVote(-1)} aria-label={t('board.takeDotName')} title={t('board.takeDot')}><span aria-hidden="true">● −1</span></button>}
          {p.canEdit && item.kind !== 'stroke' && <button type="button" onClick={p.onEdit}>{t('board.edit')}</button>}
          {p.canEdit && <button type="button" className="danger" onClick={p.onDelete}>{t('board.delete')}</button>}
          {p.canModerate && !item.removed && <button type="button" className="danger" onClick={p.onRemove} title={t('board.removeLabel')}>{t('board.remove')}</button>}
          {p.canModerate && item.removed && <button type="button" onClick={p.onRestore} title={t('board.restoreLabel')}>{t('board.restore')}</button>}
          <button type="button" onClick={p.onClose} aria-label={t('common.close')} title={t('common.close')}><span aria-hidden="true">✕</span></button>
        </div>
      </div>
    </div>
  )
})
