/**
 * The sticky bar of the console: where the café is, its countdown, and what to do next. One line on a
 * laptop, a small bar on a phone. What ends something for good ("End the rounds…", with a confirm that
 * says what ending does) sits in the "More" menu, away from the buttons used every few minutes.
 */
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { definitionToInput } from '../../../shared/cafe'
import type { LifecycleState } from '../../../shared/lifecycle'
import type { CafeView } from '../../../shared/protocol'
import { Timer } from '../components/Timer'
import { saveTemplate } from '../storage'
import type { Run } from './run'

export function ConsoleBar({ view, offsetMs, run, error }: { view: CafeView; offsetMs: number; run: Run; error: string | null }) {
  const { t } = useTranslation()
  const lc = view.lifecycle
  const def = view.definition
  const total = def.rounds.length
  const over = lc.phase === 'harvest' || lc.phase === 'closed'
  const more = useRef<HTMLDetailsElement>(null)
  const [menuOpen, setMenuOpen] = useState(false)
  const closeMenu = () => { if (more.current) more.current.open = false }
  // A tap or click anywhere else closes the menu.
  useEffect(() => {
    if (!menuOpen) return
    const away = (e: PointerEvent) => { if (more.current && !more.current.contains(e.target as Node)) more.current.open = false }
    document.addEventListener('pointerdown', away)
    return () => document.removeEventListener('pointerdown', away)
  }, [menuOpen])
  const endRounds = () => {
    closeMenu()
    if (window.confirm(t('console.confirmEndRounds'))) void run('cafe:end')
  }
  const saveAsTemplate = () => {
    closeMenu()
    const name = window.prompt(t('wizard.templateName'), def.title)
    if (name) saveTemplate({ name, input: definitionToInput(def) as unknown as Record<string, unknown>, savedAt: Date.now() })
  }
  const canEnd = lc.phase === 'lobby' || lc.phase === 'round' || lc.phase === 'transition'
  return (
    <section className="console-bar" aria-label={t('console.barLabel')}>
      <div className={`bar-status phase-${lc.phase}`}>
        <span className="bar-phase">{lc.phase === 'round' ? t('console.roundOf', { n: lc.round, total }) : t(`phase.${lc.phase}`)}</span>
        {/* Between rounds with no countdown, the phase and "Start round n" say it all. */}
        {!(lc.phase === 'transition' && lc.endsAt === null) && <Timer lifecycle={lc} offsetMs={offsetMs} />}
      </div>
      <div className="bar-controls">
        <PhaseControls lc={lc} total={total} run={run} />
      </div>
      <details className="bar-more" ref={more} onToggle={(e) => setMenuOpen(e.currentTarget.open)} onKeyDown={(e) => { if (e.key === 'Escape' && more.current?.open) { closeMenu(); more.current.querySelector('summary')?.focus() } }}>
        <summary className="button">{t('console.more')} <span aria-hidden="true">▾</span></summary>
        <div className="bar-menu">
          {canEnd && <button type="button" className="danger" onClick={endRounds}>{t('console.endRounds')}</button>}
          {!over && (
            <label className="toggle">
              <input type="checkbox" checked={def.advance === 'auto'} onChange={(e) => void run('cafe:setAdvance', { advance: e.target.checked ? 'auto' : 'manual' })} />
              {t('console.autoAdvance')}
            </label>
          )}
          <button type="button" onClick={saveAsTemplate}>{t('wizard.saveTemplate')}</button>
        </div>
      </details>
      {error && <p className="form-error bar-error" role="alert">{error}</p>}
    </section>
  )
}

function PhaseControls({ lc, total, run }: { lc: LifecycleState; total: number; run: Run }) {
  const { t } = useTranslation()
  switch (lc.phase) {
    case 'draft': return <button type="button" className="primary" onClick={() => void run('cafe:open')}>{t('console.open')}</button>
    case 'lobby': return <button type="button" className="primary" onClick={() => void run('round:start')}>{t('console.startFirst')}</button>
    case 'round': return (
      <>
        {lc.timer.status === 'running'
          ? <button type="button" onClick={() => void run('round:pause')}>{t('console.pause')}</button>
          : <button type="button" className="primary" onClick={() => void run('round:resume')}>{t('console.resume')}</button>}
        <button type="button" onClick={() => void run('round:addTime', { ms: 60_000 })}>+1 min</button>
        <button type="button" onClick={() => void run('round:addTime', { ms: 5 * 60_000 })}>+5 min</button>
        <button type="button" onClick={() => void run('round:addTime', { ms: -60_000 })}>−1 min</button>
        <button type="button" onClick={() => void run('round:skip')}>{lc.round < total ? t('console.endRoundNow') : t('console.endLastRound')}</button>
      </>
    )
    case 'transition': return (
      <>
        <button type="button" className="primary" onClick={() => void run('round:start')}>{t('console.startNext', { n: lc.completedRound + 1 })}</button>
        {lc.endsAt !== null && <button type="button" onClick={() => void run('round:addTime', { ms: 60_000 })}>+1 min</button>}
      </>
    )
    case 'harvest': return <button type="button" onClick={() => { if (window.confirm(t('console.confirmClose'))) void run('cafe:close') }}>{t('console.close')}</button>
    case 'closed': return null
    default: {
      const never: never = lc
      return never
    }
  }
}
