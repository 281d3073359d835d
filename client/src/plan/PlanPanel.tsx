/**
 * The seating plan in the facilitator's console: who sits where in each round, its quality in words and
 * numbers, and editing by drag and drop (or tap, then tap, on touch screens and with a keyboard). Every
 * move is a `plan:move` request; the server pins it and checks capacities and hosts. In a hybrid café,
 * a person can be dropped, moved or swapped only to a table of their venue (the server refuses the rest).
 */
import type { DragEvent } from 'react'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { CafeView, ParticipantView } from '../../../shared/protocol'
import type { Seating } from '../../../shared/rotation'
import type { PlanView } from '../../../shared/seatingPlan'
import { fitsVenue, isSplit } from '../../../shared/hybridSeats'
import { groupKey } from '../../../shared/planner/model'
import { Icon } from '../components/Icon'
import { QualitySummary } from './QualitySummary'
import './plan.css'

const DRAG_TYPE = 'application/x-nappe-person'

type Run = (event: 'plan:move' | 'plan:unpin' | 'plan:replan', payload: unknown) => Promise<boolean>

export function PlanPanel({ view, facilitatorKey, run }: { view: CafeView; facilitatorKey: string; run: Run }) {
  const { t } = useTranslation()
  const plan = view.plan
  const def = view.definition
  const total = def.rounds.length
  const [chosen, setRound] = useState<number | null>(null)
  const [selected, setSelected] = useState<string | null>(null)
  const [done, setDone] = useState<{ text: string; focus: string } | null>(null)
  /** Who is being dragged: a drop is offered only where they may sit. */
  const [dragging, setDragging] = useState<string | null>(null)
  const people = useMemo(() => new Map(view.participants.map((p) => [p.id, p])), [view.participants])
  // After a move, keyboard and screen reader users stay on the person they moved.
  useEffect(() => {
    if (!done) return
    const el = document.querySelector<HTMLElement>(`[data-person="${CSS.escape(done.focus)}"]`)
    if (el && document.activeElement !== el && (document.activeElement === document.body || document.activeElement === null)) el.focus()
  }, [done, view])
  if (!plan) return null
  const round = Math.min(total, chosen ?? Math.max(1, Math.min(total, plan.firstEditableRound)))
  const row = plan.rounds[round - 1] ?? {}
  const pins = plan.pinned[round - 1] ?? {}
  const editable = round >= plan.firstEditableRound
  const unplanned = editable ? view.participants.filter((p) => !(p.id in row) && !p.absent) : []
  const absent = view.participants.filter((p) => p.absent)
  const move = async (participantId: string, tableId: string, swapWith: string | null = null) => {
    setSelected(null)
    if (row[participantId] === tableId) return
    const table = def.tables.find((tb) => tb.id === tableId)?.name ?? ''
    if (await run('plan:move', { round, participantId, tableId, swapWith })) {
      const name = people.get(participantId)?.displayName ?? ''
      setDone({ text: swapWith ? t('plan.swapped', { a: name, b: people.get(swapWith)?.displayName ?? '' }) : t('plan.moved', { name, table }), focus: participantId })
    }
  }
  // Hybrid cafés: whether a person may sit at a table (their venue's), for every table's offers.
  const split = isSplit(def.tables)
  const mayGo = (personId: string, tableId: string | undefined) => {
    const table = def.tables.find((tb) => tb.id === tableId)
    const person = people.get(personId)
    return !table || !person || fitsVenue(split, table, person)
  }
  const printUrl = (kind: string) => `/print/${view.id}#key=${facilitatorKey}&kind=${kind}`
  const selectedPerson = selected ? people.get(selected) ?? null : null

  return (
    <section className="card plan-panel" aria-labelledby="plan-title">
      <div className="row spread">
        <h2 id="plan-title">{t('plan.title')}</h2>
        {plan.planning && <span className="tag" role="status">{t('plan.planning')}</span>}
      </div>
      {view.participants.length === 0 ? <p className="muted">{t('plan.nobody')}</p> : (
        <>
          {plan.quality && <QualitySummary quality={plan.quality} />}
          <div className="plan-tabs" role="tablist" aria-label={t('plan.tabs')}
            onKeyDown={(e) => {
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0
              if (!step) return
              e.preventDefault()
              const n = Math.min(total, Math.max(1, round + step))
              setRound(n)
              setSelected(null)
              e.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]')[n - 1]?.focus()
            }}>
            {Array.from({ length: total }, (_, i) => i + 1).map((n) => {
              const state = stateOf(n, plan, view)
              return (
                <button key={n} type="button" role="tab" aria-selected={n === round} tabIndex={n === round ? 0 : -1} className={n === round ? 'primary' : ''} onClick={() => { setRound(n); setSelected(null) }}>
                  {t('plan.roundN', { n })}{state ? ` · ${t(`plan.${state}`)}` : ''}
                </button>
              )
            })}
          </div>
          <p className="muted small">{editable ? t('plan.help') : t('plan.playedHelp')}</p>
          <p className="sr-only" role="status">{done?.text ?? ''}</p>
          {selectedPerson && (
            <p className="selected-note" role="status">
              {t('plan.selected', { name: selectedPerson.displayName })} <button type="button" className="small" onClick={() => setSelected(null)}>{t('plan.cancel')}</button>
            </p>
          )}
          <div className="plan-tables" role="tabpanel" aria-label={t('plan.roundN', { n: round })}>
            {def.tables.map((tb) => (
              <PlanTable key={tb.id} tableId={tb.id} name={tb.name} capacity={tb.capacity} round={round} plan={plan} row={row} pins={pins}
                people={people} editable={editable} selected={selected} onSelect={setSelected} onMove={move}
                online={tb.online === true} dragging={dragging} onDrag={setDragging} mayGo={mayGo}
                onUnpin={(id) => void run('plan:unpin', { round, participantId: id })} />
            ))}
          </div>
          {unplanned.length > 0 && <p className="muted small">{t('plan.unplanned', { names: unplanned.map((p) => p.displayName).join(', ') })}</p>}
          {absent.length > 0 && <p className="muted small">{t('plan.absent', { names: absent.map((p) => p.displayName).join(', ') })}</p>}
          <div className="row wrap">
            {plan.firstOpenRound <= total && (
              <>
                <button type="button" onClick={() => void run('plan:replan', { fresh: false })}>{t('plan.replan')}</button>
                <button type="button" onClick={() => { if (window.confirm(t('plan.confirmFresh'))) void run('plan:replan', { fresh: true }) }}>{t('plan.fresh')}</button>
              </>
            )}
            <a className="button" href={printUrl('cards')} target="_blank" rel="noreferrer">{t('plan.printCards')}</a>
            <a className="button" href={printUrl('tables')} target="_blank" rel="noreferrer">{t('plan.printTables')}</a>
          </div>
        </>
      )}
    </section>
  )
}

/** "played", "now" or "next" for a round tab, or null for a planned one. */
function stateOf(n: number, plan: PlanView, view: CafeView): 'played' | 'now' | 'next' | null {
  if (n < plan.firstEditableRound) return 'played'
  if (n === plan.firstEditableRound && view.lifecycle.phase !== 'draft' && view.lifecycle.phase !== 'lobby') return 'now'
  if (view.nextSeating && n === plan.firstEditableRound + 1) return 'next'
  return null
}

function PlanTable({ tableId, name, capacity, round, plan, row, pins, people, editable, selected, onSelect, onMove, onUnpin, online, dragging, onDrag, mayGo }: {
  tableId: string; name: string; capacity: number; round: number; plan: PlanView; row: Seating; pins: Seating
  people: Map<string, ParticipantView>; editable: boolean; selected: string | null
  onSelect(id: string | null): void; onMove(id: string, tableId: string, swapWith?: string | null): void; onUnpin(id: string): void
  online: boolean; dragging: string | null; onDrag(id: string | null): void; mayGo(personId: string, tableId: string | undefined): boolean
}) {
  const { t } = useTranslation()
  const [over, setOver] = useState(false)
  const here = Object.keys(row).filter((id) => row[id] === tableId && people.has(id))
    .sort((a, b) => Number(people.get(b)!.hostOf === tableId) - Number(people.get(a)!.hostOf === tableId) || people.get(a)!.displayName.localeCompare(people.get(b)!.displayName))
  const repeated = pairsMeetingElsewhere(here, plan.rounds, round - 1)
  const sameOrg = sameOrganisation(here, people)
  const accepts = (e: DragEvent) => editable && e.dataTransfer.types.includes(DRAG_TYPE) && (dragging === null || mayGo(dragging, tableId))
  // A swap sends the one chosen here and the one here to the other's table: both must be of its venue.
  const maySwap = (mover: string, other: string) => mayGo(mover, tableId) && mayGo(other, row[mover])
  const drop = (e: DragEvent, swapWith: string | null) => {
    setOver(false)
    const id = e.dataTransfer.getData(DRAG_TYPE)
    if (!id || !editable || (swapWith === null ? !mayGo(id, tableId) : !maySwap(id, swapWith))) return
    e.preventDefault()
    e.stopPropagation()
    onMove(id, tableId, swapWith)
  }
  const movable = selected !== null && row[selected] !== tableId
  const fitsHere = selected === null || mayGo(selected, tableId)
  const full = here.length >= capacity
  const selectedName = selected ? people.get(selected)?.displayName ?? '' : ''
  return (
    <article className={`plan-table${over ? ' over' : ''}`} aria-label={name}
      onDragOver={(e) => { if (accepts(e)) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; setOver(true) } }}
      onDragLeave={() => setOver(false)} onDrop={(e) => drop(e, null)}>
      <header>
        <h3>{name}</h3>
        <span className={here.length > capacity ? 'tag warn' : 'tag'}>{t('plan.seats', { count: here.length, capacity })}</span>
      </header>
      <ul className="plan-people">
        {here.map((id) => {
          const p = people.get(id)!
          const host = p.hostOf === tableId
          const pinned = id in pins
          return (
            <li key={id} className={`plan-person${selected === id ? ' selected' : ''}${host ? ' host' : ''}`}
              draggable={editable && !host}
              onDragStart={(e) => { e.dataTransfer.setData(DRAG_TYPE, id); e.dataTransfer.setData('text/plain', p.displayName); e.dataTransfer.effectAllowed = 'move'; onDrag(id) }}
              onDragEnd={() => onDrag(null)}
              onDragOver={(e) => { if (accepts(e) && !host && (dragging === null || maySwap(dragging, id))) { e.preventDefault(); e.dataTransfer.dropEffect = 'move' } }}
              onDrop={(e) => { if (!host && (dragging === null || maySwap(dragging, id))) drop(e, id) }}>
              <button type="button" className="person-button" data-person={id} disabled={!editable || host} aria-pressed={host ? undefined : selected === id}
                title={[p.displayName, p.organisation].filter(Boolean).join(' · ')} aria-describedby={p.organisation ? `plan-org-${id}` : undefined} data-org={p.organisation ?? undefined}
                aria-label={host ? `${p.displayName} (${t('plan.host')})`
                  : selected !== null && selected !== id && row[selected] !== tableId && maySwap(selected, id) ? t('plan.swapWith', { a: selectedName, b: p.displayName })
                    : t('plan.select', { name: p.displayName })}
                onClick={() => {
                  if (selected === id) onSelect(null)
                  else if (selected !== null && row[selected] !== tableId && maySwap(selected, id)) onMove(selected, tableId, id)
                  else onSelect(id)
                }}>
                <span className="person-name">{host && <span aria-hidden="true">★ </span>}{p.displayName}</span>
                {/* The organisation shows under the name (plan.css, from data-org) and is read as the button's
                    description: the button's name says what pressing it does, and contains all its visible text. */}
                {p.organisation && <span id={`plan-org-${id}`} hidden>{p.organisation}</span>}
              </button>
              {pinned && editable && !host && (
                <button type="button" className="pin" title={t('plan.pinned')} aria-label={t('plan.unpin', { name: p.displayName })} onClick={() => onUnpin(id)}><Icon name="pin" size={18} /></button>
              )}
            </li>
          )
        })}
      </ul>
      {movable && editable && (!fitsHere
        ? <p className="small muted">{t(online ? 'plan.onlineTable' : 'plan.roomTable', { name: selectedName })}</p>
        : full ? <p className="small muted">{t('plan.fullHint')}</p>
        : <button type="button" className="small primary" onClick={() => onMove(selected!, tableId)}>{t('plan.moveHere', { name: selectedName })}</button>)}
      {repeated > 0 && <p className="small warn-text">{t('plan.metBefore', { count: repeated })}</p>}
      {sameOrg.length > 0 && <p className="small muted">{t('plan.sameOrg', { names: sameOrg.join(', ') })}</p>}
    </article>
  )
}

/** Pairs at this table in round `index` who also sit together in another round of the plan. */
function pairsMeetingElsewhere(here: string[], rounds: Seating[], index: number): number {
  let count = 0
  for (let a = 0; a < here.length; a++) {
    for (let b = a + 1; b < here.length; b++) {
      const x = here[a]!, y = here[b]!
      if (rounds.some((row, r) => r !== index && row[x] !== undefined && row[x] === row[y])) count++
    }
  }
  return count
}

/** Organisations with two people or more at this table. */
function sameOrganisation(here: string[], people: Map<string, ParticipantView>): string[] {
  const counts = new Map<string, { name: string; n: number }>()
  for (const id of here) {
    const org = people.get(id)?.organisation
    const key = groupKey(org)
    if (key === null) continue
    const c = counts.get(key)
    if (c) c.n++
    else counts.set(key, { name: org!.trim(), n: 1 })
  }
  return [...counts.values()].filter((c) => c.n > 1).map((c) => c.name)
}
