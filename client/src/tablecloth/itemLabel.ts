/** What a screen reader says for an item of the sheet: what it is, whose, which round, its words, stars and dots. */
import type { TableclothItem } from '../../../shared/tablecloth'

type T = (key: string, options?: Record<string, unknown>) => string

/** "Note by Amélie (round 1)". */
export function itemTitle(t: T, item: TableclothItem): string {
  return t(`board.itemTitle.${item.kind}`, { author: item.authorName || t('board.unknownAuthor'), round: item.round })
}

export function itemLabel(t: T, item: TableclothItem, meId: string): string {
  const parts = [itemTitle(t, item)]
  if (item.kind !== 'stroke') parts.push(item.text.trim() ? item.text.slice(0, 300) : t('board.emptyNote'))
  const extras: string[] = []
  if (item.stars.length > 0) extras.push(t('board.stars', { count: item.stars.length }))
  if (item.stars.includes(meId)) extras.push(t('board.starredByYou'))
  if (item.votes > 0) extras.push(t('board.votes', { count: item.votes }))
  if (item.author === meId) extras.push(t('board.yours'))
  if (item.removed) extras.push(t('board.removedTag'))
  return `${parts.join(': ')}${extras.length ? ` (${extras.join(', ')})` : ''}`
}
