/**
 * The studio's tabs (one per question, per free section, the synthesis, the export) and the panel they
 * show, as the ARIA tabs pattern: one tab in the Tab order, arrows / Home / End move between tabs and
 * select them, the panel is named by its tab.
 */
import type { KeyboardEvent, ReactNode } from 'react'

export interface StudioTab {
  id: string
  label: string
  /** A count shown after the label (read with it). */
  badge?: string
}

export function StudioTabs({ tabs, current, onSelect, label, children }: {
  tabs: StudioTab[]
  current: string
  onSelect(id: string): void
  label: string
  children: ReactNode
}) {
  const at = Math.max(0, tabs.findIndex((x) => x.id === current))
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const last = tabs.length - 1
    const next = e.key === 'ArrowRight' ? Math.min(last, at + 1) : e.key === 'ArrowLeft' ? Math.max(0, at - 1) : e.key === 'Home' ? 0 : e.key === 'End' ? last : null
    if (next === null) return
    e.preventDefault()
    onSelect(tabs[next]!.id)
    e.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]')[next]?.focus()
  }
  const tabId = (i: number) => `studio-tab-${i}`
  return (
    <>
      <div className="tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
        {tabs.map((x, i) => (
          <button key={x.id} id={tabId(i)} type="button" role="tab" aria-selected={i === at} aria-controls="studio-panel" tabIndex={i === at ? 0 : -1}
            className={i === at ? 'tab active' : 'tab'} onClick={() => onSelect(x.id)}>
            {x.label}{x.badge !== undefined && <span className="badge"><span className="sr-only"> (</span>{x.badge}<span className="sr-only">)</span></span>}
          </button>
        ))}
      </div>
      <div id="studio-panel" role="tabpanel" aria-labelledby={tabId(at)}>{children}</div>
    </>
  )
}
