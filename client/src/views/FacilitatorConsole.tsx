/**
 * The facilitator's console: the bar (phase, countdown, next step), the facilitator link to keep, how to
 * join, the message to everyone, the seating plan, the tables and the people. Its parts are in ../console.
 */
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { questionAt, venueOf } from '../../../shared/cafe'
import { seatingRound } from '../../../shared/lifecycle'
import type { CafeView } from '../../../shared/protocol'
import { tableclothDocName } from '../../../shared/tablecloth'
import { Banner } from '../components/Banner'
import { StatusBadge } from '../components/StatusBadge'
import { SyncNotice } from '../components/SyncNotice'
import { consoleAckError } from '../console/ackError'
import { BroadcastPanel } from '../console/BroadcastPanel'
import { FacilitatorCallPanel } from '../calls/FacilitatorCallPanel'
import { ConsoleBar } from '../console/ConsoleBar'
import { HarvestPanel } from '../console/HarvestPanel'
import { JoinPanel } from '../console/JoinPanel'
import { KeepLinkPanel } from '../console/KeepLinkPanel'
import { keepLinkDone, keepLinkPending } from '../console/keepLinkFlag'
import { NextRotation } from '../console/NextRotation'
import { PeoplePanel } from '../console/PeoplePanel'
import type { Run } from '../console/run'
import { TableCard } from '../console/TableCard'
import { useLinks } from '../useLinks'
import '../console/console.css'
import { useCafeConnection, useCredential, useTableclothPool } from '../hooks'
import { PlanPanel } from '../plan/PlanPanel'
import { facilitatedCafe, saveFacilitatedCafe } from '../storage'
import { SetAsideWords } from '../tablecloth/SetAsideWords'
import { TableclothBoard } from '../tablecloth/TableclothBoard'
import { FullMessage, Page } from './Page'

export function FacilitatorConsole({ cafeId, keyFromUrl }: { cafeId: string; keyFromUrl: string | null }) {
  const { t } = useTranslation()
  const key = keyFromUrl ?? facilitatedCafe(cafeId)?.key ?? null
  const credential = useCredential('facilitator', key)
  const { conn, snap } = useCafeConnection(cafeId, credential)
  const view = snap?.view ?? null
  const links = useLinks()
  const [error, setError] = useState<string | null>(null)
  const [openDoc, setOpenDoc] = useState<string | null>(null)
  // "Keep this link": pending after creation on this device, or opened from the joining panel.
  const [keep, setKeep] = useState<'pending' | 'open' | null>(() => (keepLinkPending(cafeId) ? 'pending' : null))

  // Remember this café on this device, so the home page can list it.
  useEffect(() => {
    if (key && view && !facilitatedCafe(cafeId)) saveFacilitatedCafe({ cafeId, key, title: view.definition.title, joinCode: view.joinCode, createdAt: Date.now() })
  }, [cafeId, key, view])

  const lc = view?.lifecycle
  const round = lc ? seatingRound(lc) : 1
  const docs = view ? view.definition.tables.map((tb) => { const q = questionAt(view.definition, round, tb.id); return q ? tableclothDocName(cafeId, tb.id, q) : null }) : []
  const pool = useTableclothPool([...docs, openDoc], credential, { author: { id: 'facilitator', name: t('console.facilitator') } })

  if (!key) return <FullMessage title={t('console.noKeyTitle')} text={t('console.noKeyText')} />
  if (snap?.status === 'refused') return <FullMessage title={t('console.refusedTitle')} text={t('console.refusedText')} />
  if (snap?.status === 'outdated') return <FullMessage title={t('common.outdatedTitle')} text={t('common.outdatedText')} action={<button type="button" className="primary" onClick={() => location.reload()}>{t('common.reload')}</button>} />
  if (!view || !lc || !conn || !snap) return <Page header={<StatusBadge cafe={snap?.status ?? 'connecting'} />}><p className="card" aria-busy="true">{t('common.loading')}</p></Page>

  const run: Run = async (event, payload = {}) => {
    setError(null)
    const ack = await conn.request(event, payload)
    if (!ack.ok) setError(consoleAckError(ack.error, t))
    return ack.ok
  }
  const def = view.definition
  const over = lc.phase === 'harvest' || lc.phase === 'closed'
  const openSession = openDoc ? pool.get(openDoc) ?? null : null
  const showKeep = () => {
    setKeep((k) => k ?? 'open')
    // Opened on request: the reader lands on it.
    requestAnimationFrame(() => document.getElementById('keep-title')?.focus())
  }
  const closeKeep = () => {
    keepLinkDone(cafeId)
    setKeep(null)
    // Back where the facilitator can open it again.
    requestAnimationFrame(() => document.getElementById('keep-link-open')?.focus())
  }

  return (
    <Page wide header={<><h1 className="cafe-title">{def.title}</h1><StatusBadge cafe={snap.status} /><SyncNotice current={openSession} background={pool.background} offline={snap.status === 'offline'} /></>}>
      {snap.health?.storage === 'degraded' && <div className="banner danger" role="alert">{t('console.storageDegraded', { count: snap.health.pendingWrites })}</div>}
      {/* A banner can always be taken down, also once the café has ended. */}
      <Banner message={snap.message} onClear={() => void run('cafe:broadcast', { text: '' })} />
      <ConsoleBar view={view} offsetMs={snap.offsetMs} run={run} error={error} />

      {keep && <KeepLinkPanel cafeId={cafeId} facilitatorKey={key} links={links} pending={keep === 'pending'} onDone={closeKeep} />}

      {over ? null : (
        <div className="console-grid">
          <JoinPanel view={view} links={links} facilitatorKey={key} onShowKey={showKeep} />
          <BroadcastPanel current={snap.message?.text ?? ''} onSend={(text) => run('cafe:broadcast', { text })} />
          {venueOf(view.definition) !== 'room' && <FacilitatorCallPanel conn={conn} view={view} />}
        </div>
      )}

      <HarvestPanel cafeId={cafeId} facilitatorKey={key} over={over} onShowKey={showKeep} />

      {view.nextSeating && lc.phase === 'round' && <NextRotation view={view} />}

      {!over && <PlanPanel view={view} facilitatorKey={key} run={run} />}

      <section className="card" aria-labelledby="tables-title">
        <h2 id="tables-title">{t('console.tables')}</h2>
        <div className="table-grid">
          {def.tables.map((tb, i) => {
            const docName = docs[i]
            return (
              <TableCard key={tb.id} view={view} tableId={tb.id} round={round} docName={docName ?? null} session={docName ? pool.get(docName) ?? null : null}
                onOpen={() => setOpenDoc(docName ?? null)} onLock={(locked) => { const q = questionAt(def, round, tb.id); if (q) void run('tablecloth:lock', { tableId: tb.id, questionId: q, locked }) }} />
            )
          })}
        </div>
      </section>

      {openSession && openDoc && (
        <section className="card open-board" aria-label={t('console.openTablecloth')}>
          <div className="row spread"><h2>{tableName(view, openDoc)}</h2><button type="button" onClick={() => setOpenDoc(null)}>{t('common.close')}</button></div>
          <SetAsideWords sessions={[openSession]} />
          <TableclothBoard key={openDoc} session={openSession} me={{ id: 'facilitator', name: t('console.facilitator') }} round={Math.max(1, round)} canWrite moderator label={tableName(view, openDoc)} />
        </section>
      )}

      <PeoplePanel view={view} run={run} />
    </Page>
  )
}

function tableName(view: CafeView, docName: string): string {
  const tableId = docName.split('.')[1]
  return view.definition.tables.find((x) => x.id === tableId)?.name ?? docName
}
