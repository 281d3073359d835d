/**
 * The harvest studio (`/harvest/<cafeId>#key=…`): the facilitator's team gathers every contribution of
 * every table and round per question, groups them into themes, marks key points, and writes the
 * synthesis together; then exports it. Works during the café too (contributions refresh every 5 s).
 */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { SectionRef } from '../../../shared/harvest'
import { INTRO_PART, buildSynthesis } from '../../../shared/synthesis'
import { MAX_LABEL_CHARS, addFreeSection, defaultDraftOptions, deleteFreeSection, freeSection, harvestDocName, questionSection, renameFreeSection } from '../../../shared/harvest'
import { StatusBadge } from '../components/StatusBadge'
import { useCredential, useTableclothPool, useTableclothStatus } from '../hooks'
import { ExportButtons } from '../harvest/ExportButtons'
import { FreeSectionProse } from '../harvest/FreeSectionProse'
import { HarvestBoard } from '../harvest/HarvestBoard'
import { StudioTabs } from '../harvest/StudioTabs'
import type { StudioTab } from '../harvest/StudioTabs'
import { SynthesisEditor } from '../harvest/SynthesisEditor'
import { useHarvestData, useHarvestState } from '../harvest/useHarvest'
import { navigate } from '../router'
import { facilitatedCafe } from '../storage'
import { FullMessage, Page } from './Page'
import '../harvest/harvest.css'

type Tab = { kind: 'board'; section: SectionRef } | { kind: 'synthesis' } | { kind: 'export' }

export function HarvestStudio({ cafeId, keyFromUrl }: { cafeId: string; keyFromUrl: string | null }) {
  const { t } = useTranslation()
  const key = keyFromUrl ?? facilitatedCafe(cafeId)?.key ?? null
  const credential = useCredential('facilitator', key)
  const docName = harvestDocName(cafeId)
  const session = useTableclothPool([docName], credential).get(docName) ?? null
  const status = useTableclothStatus(session)
  const { harvest, parts } = useHarvestState(session)
  const { data, error, images } = useHarvestData(cafeId, key)
  const [tab, setTab] = useState<Tab | null>(null)
  const [newSection, setNewSection] = useState('')

  if (!key) return <FullMessage title={t('console.noKeyTitle')} text={t('console.noKeyText')} />
  if (status === 'refused') return <FullMessage title={t('console.refusedTitle')} text={t('console.refusedText')} />
  if (!data || !session) {
    return <Page header={<StatusBadge cafe="connecting" />}>{error ? <p className="form-error" role="alert">{error}</p> : <p className="card" aria-busy="true">{t('common.loading')}</p>}</Page>
  }
  const def = data.definition
  const current: Tab = tab ?? { kind: 'board', section: questionSection(def.questions[0]!.id) }
  const sectionTitle = (ref: SectionRef): string => {
    if (ref.startsWith('q:')) {
      const i = def.questions.findIndex((q) => q.id === ref.slice(2))
      return i >= 0 ? t('harvest.questionN', { n: i + 1 }) : ref
    }
    return harvest.sections.find((s) => s.id === ref.slice(2))?.title ?? ref
  }
  const partTitle = (k: string) => (k === INTRO_PART ? t('harvest.intro') : sectionTitle(k as SectionRef))
  const tabIdOf = (x: Tab) => (x.kind === 'board' ? `board:${x.section}` : x.kind)
  const entries: Array<Omit<StudioTab, 'id'> & { tab: Tab }> = [
    ...def.questions.map((q, i) => ({ tab: { kind: 'board', section: questionSection(q.id) } as const, label: t('harvest.questionN', { n: i + 1 }), badge: String(data.contributions.filter((c) => c.questionId === q.id).length) })),
    ...harvest.sections.map((s) => ({ tab: { kind: 'board', section: freeSection(s.id) } as const, label: s.title })),
    { tab: { kind: 'synthesis' }, label: t('harvest.synthesisTab') },
    { tab: { kind: 'export' }, label: t('harvest.exportTab') },
  ]
  const tabs = entries.map((x) => ({ ...x, id: tabIdOf(x.tab) }))
  const freeRef = current.kind === 'board' && current.section.startsWith('f:') ? current.section.slice(2) : null
  const freeNow = freeRef ? harvest.sections.find((s) => s.id === freeRef) : undefined
  const boardQuestion = current.kind === 'board' && current.section.startsWith('q:') ? current.section.slice(2) : null
  // The rounds in which the question was on a table (for the choice of tablecloth images).
  const rounds = boardQuestion ? def.rounds.flatMap((r, i) => (Object.values(r.questionByTable).includes(boardQuestion) ? [i + 1] : [])) : []

  return (
    <Page wide header={<><span className="cafe-title">{def.title}</span><StatusBadge cafe={status === 'synced' ? 'online' : status === 'offline' ? 'offline' : 'connecting'} /></>}>
      <div className="harvest-top">
        <h1>{t('harvest.title')}</h1>
        <button type="button" className="link" onClick={() => navigate(`/facilitate/${cafeId}`)}>{t('harvest.backToConsole')}</button>
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      <StudioTabs tabs={tabs} current={tabIdOf(current)} onSelect={(id) => setTab(tabs.find((x) => x.id === id)?.tab ?? null)} label={t('harvest.sections')}>
        {current.kind === 'board' && (
          <>
            {current.section.startsWith('q:')
              ? <h2 className="question-text">{def.questions.find((q) => q.id === current.section.slice(2))?.text}</h2>
              : freeNow && (
                <div className="row free-head">
                  <input aria-label={t('harvest.sectionTitle')} maxLength={MAX_LABEL_CHARS} defaultValue={freeNow.title} key={freeNow.title} onBlur={(e) => { if (e.target.value.trim()) renameFreeSection(session.doc, freeNow.id, e.target.value) }} />
                  <button type="button" className="danger" onClick={() => { if (window.confirm(t('harvest.confirmSectionDelete', { name: freeNow.title }))) { deleteFreeSection(session.doc, freeNow.id); setTab(null) } }}>{t('harvest.deleteSection')}</button>
                </div>
              )}
            {freeNow && <FreeSectionProse key={freeNow.id} doc={session.doc} sectionId={freeNow.id} />}
            <HarvestBoard doc={session.doc} section={current.section} harvest={harvest} contributions={data.contributions} sectionTitle={sectionTitle} questionIds={def.questions.map((q) => q.id)} rounds={rounds} />
            <form className="card row new-section" onSubmit={(e) => { e.preventDefault(); const title = newSection.trim(); if (!title) return; const id = addFreeSection(session.doc, title); setNewSection(''); setTab({ kind: 'board', section: freeSection(id) }) }}>
              <label htmlFor="new-section">{t('harvest.newSection')}</label>
              <input id="new-section" value={newSection} maxLength={MAX_LABEL_CHARS} placeholder={t('harvest.newSectionPlaceholder')} onChange={(e) => setNewSection(e.target.value)} />
              <button type="submit" disabled={!newSection.trim()}>{t('harvest.addSection')}</button>
            </form>
          </>
        )}
        {current.kind === 'synthesis' && <SynthesisEditor doc={session.doc} synced={status === 'synced'} draft={harvest.draft ?? defaultDraftOptions()} fresh={buildSynthesis({ definition: def, people: data.people, contributions: data.contributions, harvest, images })} parts={parts} partTitle={partTitle} rewrite={{ cafeId, facilitatorKey: key, themes: harvest.themes }} />}
        {current.kind === 'export' && (
          <section className="card">
            <h2>{t('harvest.exportTab')}</h2>
            <p className="muted">{t('harvest.exportHelp')}</p>
            <ExportButtons cafeId={cafeId} facilitatorKey={key} />
          </section>
        )}
      </StudioTabs>
    </Page>
  )
}
