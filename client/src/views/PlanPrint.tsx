/**
 * Printable seating plan, in the café's language: itinerary cards (one per participant: their table in
 * each round) or the table plan (one page per round). For rooms where people sit at real tables.
 * Also the facilitator's card (its link and QR code), in the reader's language.
 */
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { CafeDefinition } from '../../../shared/cafe'
import { questionAt, questionOf } from '../../../shared/cafe'
import type { CafeView, ParticipantView } from '../../../shared/protocol'
import { FacilitatorCard } from '../console/FacilitatorCard'
import '../console/console.css'
import { useLinks } from '../useLinks'
import { useCafeConnection, useCredential } from '../hooks'
import type { PrintKind } from '../router'
import { facilitatedCafe } from '../storage'
import { FullMessage } from './Page'

export function PlanPrint({ cafeId, keyFromUrl, kind }: { cafeId: string; keyFromUrl: string | null; kind: PrintKind }) {
  const { t: uiT, i18n } = useTranslation()
  // Browsers print the page's address in the footer: the key must not be in it. Kept in memory only.
  const [key] = useState(() => keyFromUrl ?? facilitatedCafe(cafeId)?.key ?? null)
  useEffect(() => {
    if (keyFromUrl) history.replaceState(null, '', `${location.pathname}#kind=${kind}`)
  }, [keyFromUrl, kind])
  const credential = useCredential('facilitator', key)
  const { snap } = useCafeConnection(cafeId, credential)
  const links = useLinks()
  const view = snap?.view
  if (!key) return <FullMessage title={uiT('console.noKeyTitle')} text={uiT('console.noKeyText')} />
  if (snap?.status === 'refused') return <FullMessage title={uiT('console.refusedTitle')} text={uiT('console.refusedText')} />
  if (!view) return <p className="card" aria-busy="true">{uiT('common.loading')}</p>
  const def = view.definition
  // Cards and plans are for the participants: the café's language. The facilitator's card: the reader's.
  const t = kind === 'facilitator' ? i18n.getFixedT(i18n.resolvedLanguage ?? def.language) : i18n.getFixedT(def.language)
  const plan = view.plan
  const total = def.rounds.length
  const ready = links.settled && (kind === 'facilitator' || (plan !== null && !plan.planning && plan.rounds.length === total && view.participants.length > 0))
  const title = kind === 'cards' ? t('print.cardsTitle') : kind === 'tables' ? t('print.tablesTitle') : t('print.facilitatorTitle')
  return (
    <main className="print-page" lang={kind === 'facilitator' ? i18n.resolvedLanguage : def.language}>
      <div className="print-bar no-print">
        <h1>{title} — {def.title}</h1>
        <div className="row wrap">
          <button type="button" className="primary" disabled={!ready} onClick={() => window.print()}>{t('print.print')}</button>
          <a className="button" href={`/facilitate/${cafeId}#key=${key}`}>{t('print.back')}</a>
        </div>
        {kind !== 'facilitator' && plan?.planning && <p className="tag" role="status">{t('plan.planning')}</p>}
      </div>
      {kind === 'facilitator'
        ? (ready ? <FacilitatorCard view={view} base={links.base} facilitatorKey={key} when={whenOf(def)} t={t} /> : <p className="card" aria-busy="true">{t('common.loading')}</p>)
        : !ready ? <p className="card">{t('print.notReady')}</p> : kind === 'cards'
          ? <Cards view={view} t={t} host={new URL(links.base).host} />
          : <TablePlan view={view} t={t} />}
    </main>
  )
}

type T = ReturnType<ReturnType<typeof useTranslation>['i18n']['getFixedT']>

const byName = (a: ParticipantView, b: ParticipantView) => a.displayName.localeCompare(b.displayName)

function tableName(def: CafeDefinition, id: string | undefined): string {
  return def.tables.find((tb) => tb.id === id)?.name ?? '—'
}

function questionText(def: CafeDefinition, round: number, tableId: string | undefined): string {
  return (tableId ? questionOf(def, round, tableId)?.text : undefined) ?? ''
}

/** "3 December 2026 · Wavre", in the café's language. */
function whenOf(def: CafeDefinition): string {
  return [def.date ? new Date(`${def.date}T12:00:00`).toLocaleDateString(def.language, { day: 'numeric', month: 'long', year: 'numeric' }) : null, def.place || null].filter(Boolean).join(' · ')
}

function Cards({ view, t, host }: { view: CafeView; t: T; host: string }) {
  const def = view.definition
  const rounds = view.plan!.rounds
  // Where the server's links point (the LAN address when this page is on localhost): phones type it.
  const joinUrl = `${host}/join/${view.joinCode}`
  const when = whenOf(def)
  return (
    <div className="print-cards">
      {view.participants.filter((p) => !p.absent).sort(byName).map((p) => (
        <article key={p.id} className="itinerary-card" aria-label={p.displayName}>
          <p className="eyebrow">{def.title}{when ? ` · ${when}` : ''}</p>
          <h2>{p.displayName}</h2>
          {p.organisation && <p className="muted">{[p.organisation, p.sector].filter(Boolean).join(' · ')}</p>}
          {p.hostOf ? <p className="hosting">{t('print.hosting', { table: tableName(def, p.hostOf) })}</p> : null}
          <table>
            <caption className="sr-only">{t('print.you')}</caption>
            <tbody>
              {rounds.map((row, i) => (
                <tr key={i}>
                  <th scope="row">{t('print.round', { n: i + 1 })}</th>
                  <td><strong>{tableName(def, row[p.id])}</strong>{def.shape !== 'classic' && <span className="q"> — {clip(questionText(def, i + 1, row[p.id]))}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small join-line"><img src={`/api/cafes/${view.id}/qr.svg`} alt="" width={56} height={56} /> {t('print.join', { url: joinUrl, code: view.joinCode })}</p>
        </article>
      ))}
    </div>
  )
}

function TablePlan({ view, t }: { view: CafeView; t: T }) {
  const def = view.definition
  const people = new Map(view.participants.map((p) => [p.id, p]))
  return (
    <div className="print-tables">
      {view.plan!.rounds.map((row, i) => {
        const round = i + 1
        const sameQuestion = new Set(def.tables.map((tb) => questionAt(def, round, tb.id))).size === 1
        return (
          <section key={round} className="print-round">
            <h2>{t('print.round', { n: round })}{sameQuestion ? ` — ${questionText(def, round, def.tables[0]?.id)}` : ''}</h2>
            <div className="print-table-grid">
              {def.tables.map((tb) => {
                const here = Object.keys(row).filter((id) => row[id] === tb.id && people.has(id)).map((id) => people.get(id)!).sort(byName)
                return (
                  <div key={tb.id} className="print-table">
                    <h3>{tb.name} <span className="muted small">({t('print.people', { count: here.length })})</span></h3>
                    {!sameQuestion && <p className="small q">{clip(questionText(def, round, tb.id))}</p>}
                    <ul>{here.map((p) => <li key={p.id}>{p.hostOf === tb.id ? '★ ' : ''}{p.displayName}{p.organisation ? <span className="muted"> · {p.organisation}</span> : null}</li>)}</ul>
                  </div>
                )
              })}
            </div>
          </section>
        )
      })}
    </div>
  )
}

function clip(text: string, max = 90): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
