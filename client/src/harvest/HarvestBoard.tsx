/**
 * The harvest board of one section (a table question or a free section): the contributions still to
 * sort, and one column per theme, each written as a paragraph or a list in the synthesis. Cards are
 * dragged onto their question's themes (or moved with their menu, for touch screens and keyboards); a drop
 * never moves a card to another question: that is the card's own, confirmed "Another question…" action.
 * Suggestions and the question's figures sit beside the board.
 */
import { useState } from 'react'
import type { DragEvent, ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type * as Y from 'yjs'
import type { Contribution } from '../../../shared/contributions'
import type { BlockForm, HarvestState, SectionRef, Theme } from '../../../shared/harvest'
import {
  MAX_LABEL_CHARS, addTheme, deleteTheme, filingOf, mergeContribution, moveTheme, moveToOtherQuestion, placeContributions, questionSection, renameTheme,
  resolveMerge, setDraftOption, setKeyPoint, setThemeForm,
} from '../../../shared/harvest'
import { ContributionCard, DRAG_TYPE } from './ContributionCard'
import type { CardActions, ThemeChoices } from './ContributionCard'
import { ImageChoice } from './ImageChoice'
import { Suggestions } from './Suggestions'
import { PhotoPanel } from './PhotoPanel'

export function HarvestBoard({ doc, section, harvest, contributions, sectionTitle, questionIds, rounds }: {
  doc: Y.Doc
  section: SectionRef
  harvest: HarvestState
  contributions: Contribution[]
  sectionTitle(ref: SectionRef): string
  /** The café's questions, in order. */
  questionIds: string[]
  /** For a question's board: the rounds in which it was on a table. */
  rounds: number[]
}) {
  const { t } = useTranslation()
  const [newTheme, setNewTheme] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const keyPoints = new Set(harvest.keyPoints)
  const filed = filingOf(harvest)
  const themeById = new Map(harvest.themes.map((th) => [th.id, th]))
  const byKey = new Map(contributions.map((c) => [c.key, c]))
  const mergedInto = new Map<string, Contribution[]>()
  const shown: Contribution[] = []
  for (const c of contributions) {
    const root = resolveMerge(harvest.merges, c.key)
    if (root !== c.key && byKey.has(root)) mergedInto.set(root, [...(mergedInto.get(root) ?? []), c])
    else shown.push(c)
  }
  const questionId = section.startsWith('q:') ? section.slice(2) : null
  const unsorted = questionId ? shown.filter((c) => c.questionId === questionId && filed(c) === null) : []
  const themes = harvest.themes.filter((th) => th.section === section)
  const questionLabel = (q: string) => sectionTitle(questionSection(q))
  const freeGroups = harvest.sections.map((s) => ({ label: s.title, themes: harvest.themes.filter((th) => th.section === `f:${s.id}`) }))
  const choicesFor = (c: Contribution): ThemeChoices => ({
    own: [{ label: questionLabel(c.questionId), themes: harvest.themes.filter((th) => th.section === questionSection(c.questionId)) }, ...freeGroups],
    other: questionIds.filter((q) => q !== c.questionId).map((q) => ({ label: questionLabel(q), themes: harvest.themes.filter((th) => th.section === questionSection(q)) })),
  })
  const actions: CardActions = {
    setKeyPoint: (key, on) => setKeyPoint(doc, key, on),
    place: (key, themeId) => placeContributions(doc, [key], themeId),
    moveAcross: (key, themeId) => moveToOtherQuestion(doc, key, themeId),
    unmerge: (key) => mergeContribution(doc, key, null),
  }
  /** A line on a card that crossed to another question, or that an old placement had put under one. */
  const noteFor = (c: Contribution): string | undefined => {
    if (c.questionId !== questionId && filed(c) !== null && section.startsWith('q:')) return t('harvest.prose.fromQuestion', { question: questionLabel(c.questionId) })
    const placedAt = harvest.placements[c.key]
    const th = placedAt === undefined ? undefined : themeById.get(placedAt)
    if (th && filed(c) === null) return t('harvest.prose.wasUnder', { where: `${sectionTitle(th.section)} › ${th.name}` })
    return undefined
  }
  const card = (c: Contribution) => (
    <ContributionCard
      key={c.key} c={c} isKey={keyPoints.has(c.key)} themeId={filed(c)} choices={choicesFor(c)} merged={mergedInto.get(c.key) ?? []}
      sectionTitle={(th: Theme) => sectionTitle(th.section)} actions={actions} note={noteFor(c)}
    />
  )
  /** A drop files a card in this board's column, never across questions. */
  const drop = (key: string, themeId: string | null) => {
    const c = byKey.get(key)
    if (!c) return
    const target = themeId === null ? questionSection(questionId ?? c.questionId) : themeById.get(themeId)?.section
    const crossed = harvest.crossings?.[key] !== undefined && filed(c) === harvest.crossings[key]
    if (target?.startsWith('q:') && target !== questionSection(c.questionId)) {
      // Already moved here on purpose: it may change theme within this question.
      if (crossed && themeId !== null && themeById.get(filed(c)!)?.section === target) { moveToOtherQuestion(doc, key, themeId); setNotice(null); return }
      setNotice(t('harvest.prose.dropRefused', { question: questionLabel(c.questionId) }))
      return
    }
    setNotice(null)
    placeContributions(doc, [key], themeId)
  }
  const add = () => {
    const name = newTheme.trim()
    if (!name) return
    addTheme(doc, section, name)
    setNewTheme('')
  }
  const questionCards = questionId ? contributions.filter((c) => c.questionId === questionId) : []

  return (
    <div className="harvest-layout">
      {questionId && <PhotoPanel doc={doc} questionId={questionId} />}
      {notice && <p className="notice card" role="status">{notice}</p>}
      <div className="harvest-board">
        {questionId && (
          <DropColumn title={t('harvest.unsortedCount', { count: unsorted.length })} onDropKey={(key) => drop(key, null)} className="unsorted">
            <FormChoice
              label={t('harvest.prose.inSynthesis')}
              value={harvest.draft?.unsorted[questionId] ?? 'paragraph'}
              onChange={(form) => setDraftOption(doc, { unsorted: questionId, form })}
              id={`unsorted-form-${questionId}`}
            />
            {unsorted.length === 0 ? <p className="muted">{t('harvest.allSorted')}</p> : unsorted.map(card)}
          </DropColumn>
        )}
        {themes.map((th, i) => {
          const items = shown.filter((c) => filed(c) === th.id)
          return (
            <DropColumn
              key={th.id}
              onDropKey={(key) => drop(key, th.id)}
              title={
                <div className="theme-head">
                  <input aria-label={t('harvest.themeName')} maxLength={MAX_LABEL_CHARS} defaultValue={th.name} key={th.name} onBlur={(e) => { if (e.target.value.trim() && e.target.value !== th.name) renameTheme(doc, th.id, e.target.value) }} />
                  <span className="theme-count">{t('harvest.themeCount', { count: items.length })}</span>
                  <button type="button" className="small" aria-label={t('harvest.themeUp', { name: th.name })} disabled={i === 0} onClick={() => moveTheme(doc, th.id, -1)}>↑</button>
                  <button type="button" className="small" aria-label={t('harvest.themeDown', { name: th.name })} disabled={i === themes.length - 1} onClick={() => moveTheme(doc, th.id, 1)}>↓</button>
                  <button type="button" className="small danger" aria-label={t('harvest.themeDelete', { name: th.name })} onClick={() => { if (window.confirm(t('harvest.confirmThemeDelete', { name: th.name }))) deleteTheme(doc, th.id) }}>×</button>
                  <FormChoice label={t('harvest.prose.inSynthesis')} value={th.form ?? 'paragraph'} onChange={(form) => setThemeForm(doc, th.id, form)} id={`form-${th.id}`} />
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
      {questionId && (
        <div className="harvest-side-stack">
          <ImageChoice doc={doc} questionId={questionId} rounds={rounds} value={harvest.questionImages[questionId] ?? null} />
          <Suggestions doc={doc} harvest={harvest} contributions={shown.filter((c) => c.questionId === questionId)} all={questionCards} />
        </div>
      )}
    </div>
  )
}

/** "In the synthesis: a paragraph / a list". */
function FormChoice({ label, value, onChange, id }: { label: string; value: BlockForm; onChange(form: BlockForm): void; id: string }) {
  const { t } = useTranslation()
  return (
    <span className="form-choice">
      <label htmlFor={id}>{label}</label>
      <select id={id} className="small" value={value} onChange={(e) => onChange(e.target.value === 'list' ? 'list' : 'paragraph')}>
        <option value="paragraph">{t('harvest.prose.paragraph')}</option>
        <option value="list">{t('harvest.prose.list')}</option>
      </select>
    </span>
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
