/**
 * The harvest board of one section (a table question or a free section): the contributions still to
 * sort, and one column per theme. Cards are dragged onto themes (or moved with their menu, for touch
 * screens and keyboards); suggestions sit beside the board.
 */
import { useState } from 'react'
import type { DragEvent, ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type * as Y from 'yjs'
import type { Contribution } from '../../../shared/contributions'
import type { HarvestState, SectionRef, Theme } from '../../../shared/harvest'
import { MAX_LABEL_CHARS, addTheme, deleteTheme, mergeContribution, moveTheme, placeContributions, renameTheme, resolveMerge, setKeyPoint } from '../../../shared/harvest'
import { ContributionCard, DRAG_TYPE } from './ContributionCard'
import type { CardActions } from './ContributionCard'
import { Suggestions } from './Suggestions'

export function HarvestBoard({ doc, section, harvest, contributions, sectionTitle }: {
  doc: Y.Doc
  section: SectionRef
  harvest: HarvestState
  contributions: Contribution[]
  sectionTitle(ref: SectionRef): string
}) {
  const { t } = useTranslation()
  const [newTheme, setNewTheme] = useState('')
  const themeIds = new Set(harvest.themes.map((th) => th.id))
  const keyPoints = new Set(harvest.keyPoints)
  const placed = (c: Contribution) => { const id = harvest.placements[c.key]; return id !== undefined && themeIds.has(id) ? id : null }
  const byKey = new Map(contributions.map((c) => [c.key, c]))
  const mergedInto = new Map<string, Contribution[]>()
  const shown: Contribution[] = []
  for (const c of contributions) {
    const root = resolveMerge(harvest.merges, c.key)
    if (root !== c.key && byKey.has(root)) mergedInto.set(root, [...(mergedInto.get(root) ?? []), c])
    else shown.push(c)
  }
  const questionId = section.startsWith('q:') ? section.slice(2) : null
  const unsorted = questionId ? shown.filter((c) => c.questionId === questionId && placed(c) === null) : []
  const themes = harvest.themes.filter((th) => th.section === section)
  const actions: CardActions = {
    setKeyPoint: (key, on) => setKeyPoint(doc, key, on),
    place: (key, themeId) => placeContributions(doc, [key], themeId),
    unmerge: (key) => mergeContribution(doc, key, null),
  }
  const card = (c: Contribution) => (
    <ContributionCard
      key={c.key} c={c} isKey={keyPoints.has(c.key)} themeId={placed(c)} themes={harvest.themes} merged={mergedInto.get(c.key) ?? []}
      sectionTitle={(th: Theme) => sectionTitle(th.section)} actions={actions}
    />
  )
  const add = () => {
    const name = newTheme.trim()
    if (!name) return
    addTheme(doc, section, name)
    setNewTheme('')
  }

  return (
    <div className="harvest-layout">
      <div className="harvest-board">
        {questionId && (
          <DropColumn title={t('harvest.unsortedCount', { count: unsorted.length })} onDropKey={(key) => placeContributions(doc, [key], null)} className="unsorted">
            {unsorted.length === 0 ? <p className="muted">{t('harvest.allSorted')}</p> : unsorted.map(card)}
          </DropColumn>
        )}
        {themes.map((th, i) => {
          const items = shown.filter((c) => placed(c) === th.id)
          return (
            <DropColumn
              key={th.id}
              onDropKey={(key) => placeContributions(doc, [key], th.id)}
              title={
                <div className="theme-head">
                  <input aria-label={t('harvest.themeName')} maxLength={MAX_LABEL_CHARS} defaultValue={th.name} key={th.name} onBlur={(e) => { if (e.target.value.trim() && e.target.value !== th.name) renameTheme(doc, th.id, e.target.value) }} />
                  <span className="theme-count">{t('harvest.themeCount', { count: items.length })}</span>
                  <button type="button" className="small" aria-label={t('harvest.themeUp', { name: th.name })} disabled={i === 0} onClick={() => moveTheme(doc, th.id, -1)}>↑</button>
                  <button type="button" className="small" aria-label={t('harvest.themeDown', { name: th.name })} disabled={i === themes.length - 1} onClick={() => moveTheme(doc, th.id, 1)}>↓</button>
                  <button type="button" className="small danger" aria-label={t('harvest.themeDelete', { name: th.name })} onClick={() => { if (window.confirm(t('harvest.confirmThemeDelete', { name: th.name }))) deleteTheme(doc, th.id) }}>×</button>
                </div>
              }
            >
              {items.length === 0 ? <p className="muted drop-hint">{t('harvest.dropHere')}</p> : items.map(card)}
            </DropColumn>
          )
        })}
        <form className="harvest-column new-theme" onSubmit={(e) => { e.preventDefault(); add() }}>
          <label htmlFor={`new-theme-${section}`}>{t('harvest.newTheme')}</label>
          <input id={`new-theme-${section}`} value={newTheme} maxLength={MAX_LABEL_CHARS} placeholder={t('harvest.newThemePlaceholder')} onChange={(e) => setNewTheme(e.target.value)} />
          <button type="submit" className="primary" disabled={!newTheme.trim()}>{t('harvest.addTheme')}</button>
        </form>
      </div>
      {questionId && <Suggestions doc={doc} harvest={harvest} contributions={shown.filter((c) => c.questionId === questionId)} />}
    </div>
  )
}

function DropColumn({ title, children, onDropKey, className = '' }: { title: ReactNode; children: ReactNode; onDropKey(key: string): void; className?: string }) {
  const [over, setOver] = useState(false)
  const accepts = (e: DragEvent) => e.dataTransfer.types.includes(DRAG_TYPE)
  return (
    <section
      className={`harvest-column ${className}${over ? ' drop-over' : ''}`}
      onDragOver={(e) => { if (accepts(e)) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; setOver(true) } }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => { setOver(false); const key = e.dataTransfer.getData(DRAG_TYPE); if (key) { e.preventDefault(); onDropKey(key) } }}
    >
      <header className="harvest-column-head">{typeof title === 'string' ? <h3>{title}</h3> : title}</header>
      <div className="harvest-cards">{children}</div>
    </section>
  )
}
