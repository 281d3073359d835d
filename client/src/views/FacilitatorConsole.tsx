import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { definitionToInput, questionAt, questionOf } from '../../../shared/cafe'
import { MAX_NAME_CHARS } from '../../../shared/constants'
import { seatingRound } from '../../../shared/lifecycle'
import type { CafeView, ParticipantView } from '../../../shared/protocol'
import { tableclothDocName } from '../../../shared/tablecloth'
import { Banner } from '../components/Banner'
import { ExportButtons } from '../harvest/ExportButtons'
import { StatusBadge } from '../components/StatusBadge'
import { SyncNotice } from '../components/SyncNotice'
import { TableclothThumbnail } from '../components/TableclothThumbnail'
import { Timer } from '../components/Timer'
import { useCafeConnection, useCredential, useItems, useNow, useTableclothPool } from '../hooks'
import { PlanPanel } from '../plan/PlanPanel'
import { navigate } from '../router'
import { facilitatedCafe, saveFacilitatedCafe, saveTemplate } from '../storage'
import { SetAsideWords } from '../tablecloth/SetAsideWords'
import { TableclothBoard } from '../tablecloth/TableclothBoard'
import type { CafeConnection } from '../transport/CafeConnection'
import type { TableclothSession } from '../transport/TableclothSession'
import { FullMessage, Page } from './Page'

/** A table is "silent" when nothing was written on its tablecloth for this long during a round. */
const SILENT_AFTER_MS = 3 * 60_000

export function FacilitatorConsole({ cafeId, keyFromUrl }: { cafeId: string; keyFromUrl: string | null }) {
  const { t } = useTranslation()
  const key = keyFromUrl ?? facilitatedCafe(cafeId)?.key ?? null
  const credential = useCredential('facilitator', key)
  const { conn, snap } = useCafeConnection(cafeId, credential)
  const view = snap?.view ?? null
  const [error, setError] = useState<string | null>(null)
  const [openDoc, setOpenDoc] = useState<string | null>(null)

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

  const run = async (event: Parameters<CafeConnection['request']>[0], payload: unknown = {}) => {
    setError(null)
    const ack = await conn.request(event, payload)
    if (!ack.ok) setError(ack.error.message)
    return ack.ok
  }
  const def = view.definition
  const total = def.rounds.length
  const over = lc.phase === 'harvest' || lc.phase === 'closed'
  const openSession = openDoc ? pool.get(openDoc) ?? null : null

  return (
    <Page wide header={<><span className="cafe-title">{def.title}</span><StatusBadge cafe={snap.status} /><SyncNotice current={openSession} background={pool.background} offline={snap.status === 'offline'} /></>}>
      {snap.health?.storage === 'degraded' && <div className="banner danger" role="alert">{t('console.storageDegraded', { count: snap.health.pendingWrites })}</div>}
      <Banner message={snap.message} />
      <section className="console-bar card">
        <div>
          <p className="eyebrow">{lc.phase === 'round' ? t('console.roundOf', { n: lc.round, total }) : t(`phase.${lc.phase}`)}</p>
          <Timer lifecycle={lc} offsetMs={snap.offsetMs} size="big" />
        </div>
        <div className="controls">
          {lc.phase === 'draft' && <button type="button" className="primary big" onClick={() => run('cafe:open')}>{t('console.open')}</button>}
          {lc.phase === 'lobby' && <button type="button" className="primary big" onClick={() => run('round:start')}>{t('console.startFirst')}</button>}
          {lc.phase === 'round' && (
            <>
              {lc.timer.status === 'running'
                ? <button type="button" onClick={() => run('round:pause')}>{t('console.pause')}</button>
                : <button type="button" className="primary" onClick={() => run('round:resume')}>{t('console.resume')}</button>}
              <button type="button" onClick={() => run('round:addTime', { ms: 60_000 })}>+1 min</button>
              <button type="button" onClick={() => run('round:addTime', { ms: 5 * 60_000 })}>+5 min</button>
              <button type="button" onClick={() => run('round:addTime', { ms: -60_000 })}>−1 min</button>
              <button type="button" onClick={() => run('round:skip')}>{lc.round < total ? t('console.endRoundNow') : t('console.endLastRound')}</button>
            </>
          )}
          {lc.phase === 'transition' && (
            <>
              <button type="button" className="primary big" onClick={() => run('round:start')}>{t('console.startNext', { n: lc.completedRound + 1 })}</button>
              {lc.endsAt !== null && <button type="button" onClick={() => run('round:addTime', { ms: 60_000 })}>+1 min</button>}
            </>
          )}
          {(lc.phase === 'lobby' || lc.phase === 'round' || lc.phase === 'transition') && (
            <button type="button" onClick={() => { if (window.confirm(t('console.confirmHarvest'))) void run('cafe:end') }}>{t('console.openHarvest')}</button>
          )}
          {lc.phase === 'harvest' && <button type="button" onClick={() => { if (window.confirm(t('console.confirmClose'))) void run('cafe:close') }}>{t('console.close')}</button>}
          <button type="button" onClick={() => { const name = window.prompt(t('wizard.templateName'), def.title); if (name) { saveTemplate({ name, input: definitionToInput(def) as unknown as Record<string, unknown>, savedAt: Date.now() }); setError(null) } }}>{t('wizard.saveTemplate')}</button>
          {!over && (
            <label className="toggle">
              <input type="checkbox" checked={def.advance === 'auto'} onChange={(e) => run('cafe:setAdvance', { advance: e.target.checked ? 'auto' : 'manual' })} />
              {t('console.autoAdvance')}
            </label>
          )}
        </div>
        {error && <p className="form-error" role="alert">{error}</p>}
      </section>

      <section className="card harvest-panel">
        <h2>{t('console.harvestTitle')}</h2>
        <p>{over ? t('console.overText') : t('console.harvestDuring')}</p>
        <div className="row wrap">
          <a className="button primary" href={`/harvest/${cafeId}#key=${key}`} onClick={(e) => { e.preventDefault(); navigate(`/harvest/${cafeId}#key=${key}`) }}>{t('console.openStudio')}</a>
          {over && <a className="button" href={`/projector/${cafeId}#key=${key}`} target="_blank" rel="noreferrer">{t('console.projector')}</a>}
        </div>
        <h3>{t('console.exports')}</h3>
        <ExportButtons cafeId={cafeId} facilitatorKey={key} />
      </section>

      {over ? null : (
        <div className="console-grid">
          <JoinPanel view={view} cafeId={cafeId} facilitatorKey={key} />
          <BroadcastPanel current={snap.message?.text ?? ''} onSend={(text) => run('cafe:broadcast', { text })} />
        </div>
      )}

      {view.nextSeating && lc.phase === 'round' && <NextRotation view={view} />}

      {!over && <PlanPanel view={view} facilitatorKey={key} run={run} />}

      <section className="card">
        <h2>{t('console.tables')}</h2>
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

function JoinPanel({ view, cafeId, facilitatorKey }: { view: CafeView; cafeId: string; facilitatorKey: string }) {
  const { t } = useTranslation()
  const joinUrl = `${location.origin}/join/${view.joinCode}`
  const [copied, setCopied] = useState<string | null>(null)
  const copy = (what: string, text: string) => { void navigator.clipboard?.writeText(text).then(() => setCopied(what), () => setCopied(null)) }
  return (
    <section className="card join-panel">
      <h2>{t('console.joinTitle')}</h2>
      <div className="join-row">
        <img src={`/api/cafes/${cafeId}/qr.svg`} alt={t('console.qrAlt', { url: joinUrl })} className="qr" width={160} height={160} />
        <div>
          <p className="muted">{t('console.code')}</p>
          <p className="join-code" aria-label={view.joinCode.split('').join(' ')}>{view.joinCode.slice(0, 4)} {view.joinCode.slice(4)}</p>
          <p className="small"><a href={joinUrl}>{joinUrl}</a></p>
          <div className="row wrap">
            <button type="button" onClick={() => copy('join', joinUrl)}>{copied === 'join' ? t('common.copied') : t('console.copyJoin')}</button>
            <button type="button" onClick={() => copy('fac', `${location.origin}/facilitate/${cafeId}#key=${facilitatorKey}`)}>{copied === 'fac' ? t('common.copied') : t('console.copyFacilitator')}</button>
            <a className="button" href={`/projector/${cafeId}#key=${facilitatorKey}`} target="_blank" rel="noreferrer">{t('console.projector')}</a>
          </div>
        </div>
      </div>
      <p className="muted small">{t('console.count', { count: view.participantCount })}</p>
    </section>
  )
}

function BroadcastPanel({ current, onSend }: { current: string; onSend(text: string): Promise<boolean> }) {
  const { t } = useTranslation()
  const [text, setText] = useState('')
  return (
    <section className="card">
      <h2>{t('console.broadcastTitle')}</h2>
      <form onSubmit={(e) => { e.preventDefault(); void onSend(text.trim()).then((ok) => { if (ok) setText('') }) }}>
        <label htmlFor="broadcast" className="sr-only">{t('console.broadcastTitle')}</label>
        <textarea id="broadcast" rows={2} maxLength={500} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('console.broadcastPlaceholder')} />
        <div className="row">
          <button type="submit" className="primary" disabled={!text.trim()}>{t('console.broadcastSend')}</button>
          {current && <button type="button" onClick={() => void onSend('')}>{t('console.broadcastClear')}</button>}
        </div>
      </form>
    </section>
  )
}

function NextRotation({ view }: { view: CafeView }) {
  const { t } = useTranslation()
  const next = view.nextSeating ?? {}
  const byTable = view.definition.tables.map((tb) => ({ tb, people: view.participants.filter((p) => next[p.id] === tb.id) }))
  return (
    <section className="card">
      <h2>{t('console.nextRotation')}</h2>
      <div className="rotation-grid">
        {byTable.map(({ tb, people }) => (
          <div key={tb.id}><strong>{tb.name}</strong><ul className="plain">{people.map((p) => <li key={p.id}>{p.displayName}{p.hostOf ? ` (${t('participant.host')})` : ''}</li>)}</ul></div>
        ))}
      </div>
    </section>
  )
}

function TableCard({ view, tableId, round, docName, session, onOpen, onLock }: {
  view: CafeView; tableId: string; round: number; docName: string | null; session: TableclothSession | null; onOpen(): void; onLock(locked: boolean): void
}) {
  const { t } = useTranslation()
  const now = useNow(5000)
  const { items, lastChangeAt } = useItems(session)
  const def = view.definition
  const table = def.tables.find((x) => x.id === tableId)!
  const q = questionOf(def, round, tableId)
  const people = view.participants.filter((p) => p.tableId === tableId)
  // Change times seen by this browser (participants' clocks may be off).
  const lastActivity = lastChangeAt ?? 0
  const running = view.lifecycle.phase === 'round'
  const roundStartedAt = running && view.lifecycle.phase === 'round' && view.lifecycle.timer.status === 'running' ? view.lifecycle.timer.endsAt - view.lifecycle.timer.durationMs : 0
  const silent = running && now - Math.max(lastActivity, roundStartedAt) > SILENT_AFTER_MS
  const locked = docName ? view.lockedDocs.includes(docName) : false
  const thisRound = items.filter((i) => i.round === round).length
  return (
    <article className={`table-card${silent ? ' silent' : ''}`} aria-label={table.name}>
      <header>
        <h3>{table.name}</h3>
        {silent && <span className="tag warn">{t('console.silent')}</span>}
        {locked && <span className="tag">🔒 {t('console.locked')}</span>}
      </header>
      {q && <p className="small q">{q.text}</p>}
      <button type="button" className="thumb-button" onClick={onOpen} aria-label={t('console.openTableclothOf', { table: table.name })}>
        <TableclothThumbnail session={session} round={round} label={t('console.thumbnailOf', { table: table.name })} />
      </button>
      <p className="small">{t('console.activity', { count: thisRound })}{lastActivity ? ` · ${t('console.lastEdit', { minutes: Math.max(0, Math.floor((now - lastActivity) / 60_000)) })}` : ''}</p>
      <ul className="people-chips">
        {people.map((p) => <li key={p.id} className={p.online ? '' : 'offline'} title={p.organisation ?? ''}>{p.hostOf === tableId ? '★ ' : ''}{p.displayName}</li>)}
        {people.length === 0 && <li className="muted">{t('console.empty')}</li>}
      </ul>
      <label className="toggle small"><input type="checkbox" checked={locked} onChange={(e) => onLock(e.target.checked)} /> {t('console.lock')}</label>
    </article>
  )
}

function PeoplePanel({ view, run }: { view: CafeView; run(event: Parameters<CafeConnection['request']>[0], payload?: unknown): Promise<boolean> }) {
  const { t } = useTranslation()
  const [filter, setFilter] = useState('')
  const people = view.participants.filter((p) => !filter || `${p.displayName} ${p.organisation ?? ''} ${p.sector ?? ''}`.toLowerCase().includes(filter.toLowerCase()))
  const tables = view.definition.tables
  return (
    <section className="card">
      <div className="row spread">
        <h2>{t('console.people', { count: view.participants.length })}</h2>
        <input type="search" aria-label={t('console.search')} placeholder={t('console.search')} value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <AddPeople run={run} />
      {view.participants.length === 0 ? <p className="muted">{t('console.nobody')}</p> : (
        <div className="table-scroll"><table className="people-table">
          <thead><tr><th>{t('console.present')}</th><th>{t('console.name')}</th><th>{t('console.organisation')}</th><th>{t('console.table')}</th><th>{t('console.host')}</th><th><span className="sr-only">{t('console.actions')}</span></th></tr></thead>
          <tbody>
            {people.map((p: ParticipantView) => (
              <tr key={p.id} className={p.absent ? 'absent' : ''}>
                <td><input type="checkbox" aria-label={t('console.presentLabel', { name: p.displayName })} checked={!p.absent} onChange={(e) => void run('participant:setPresent', { participantId: p.id, present: e.target.checked })} /></td>
                <td><span className={p.online ? 'online-dot on' : 'online-dot'} aria-label={p.online ? t('console.online') : t('console.offline')} /> {p.displayName}</td>
                <td className="muted">{[p.organisation, p.sector].filter(Boolean).join(' · ')}</td>
                <td>
                  <select aria-label={t('console.moveLabel', { name: p.displayName })} value={p.tableId ?? ''} disabled={Boolean(p.hostOf) || p.absent} onChange={(e) => void run('participant:move', { participantId: p.id, tableId: e.target.value })}>
                    {p.tableId === null && <option value="">{p.absent ? t('console.absentTag') : '—'}</option>}
                    {tables.map((tb) => <option key={tb.id} value={tb.id}>{tb.name}</option>)}
                  </select>
                </td>
                <td>
                  <select aria-label={t('console.hostLabel', { name: p.displayName })} value={p.hostOf ?? ''} onChange={(e) => void run('participant:setHost', { participantId: p.id, tableId: e.target.value || null })}>
                    <option value="">{t('console.traveller')}</option>
                    {tables.map((tb) => <option key={tb.id} value={tb.id}>{t('console.hostOf', { table: tb.name })}</option>)}
                  </select>
                </td>
                <td><button type="button" className="danger small" onClick={() => { if (window.confirm(t('console.confirmRemove', { name: p.displayName }))) void run('participant:remove', { participantId: p.id }) }}>{t('console.remove')}</button></td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
      <p className="muted small"><a href="/" onClick={(e) => { e.preventDefault(); navigate('/') }}>{t('common.home')}</a></p>
    </section>
  )
}

/** People registered beforehand, pasted one per line ("name; organisation; sector", or a spreadsheet's columns). */
function AddPeople({ run }: { run(event: Parameters<CafeConnection['request']>[0], payload?: unknown): Promise<boolean> }) {
  const { t } = useTranslation()
  const [text, setText] = useState('')
  const [note, setNote] = useState<string | null>(null)
  const submit = async () => {
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)
    const people = []
    for (const [i, line] of lines.entries()) {
      const [displayName = '', organisation = '', sector = ''] = line.split(/[;\t]/).map((x) => x.trim())
      if ([displayName, organisation, sector].some((x) => x.length > MAX_NAME_CHARS)) return setNote(t('console.addTooLong', { line: i + 1 }))
      if (displayName) people.push({ displayName, organisation: organisation || null, sector: sector || null })
    }
    if (people.length === 0) return
    if (await run('participant:add', { people })) {
      setText('')
      setNote(t('console.added', { count: people.length }))
    }
  }
  return (
    <details className="add-people">
      <summary>{t('console.addPeople')}</summary>
      <p className="muted small" id="add-help">{t('console.addHelp')}</p>
      <label htmlFor="add-people" className="sr-only">{t('console.addLabel')}</label>
      <textarea id="add-people" rows={5} aria-describedby="add-help" value={text} onChange={(e) => { setText(e.target.value); setNote(null) }} placeholder={'Amélie; AMO Rixensart; Aide à la jeunesse\nBruno; Athénée de Wavre; École'} />
      <div className="row">
        <button type="button" className="primary" disabled={!text.trim()} onClick={() => void submit()}>{t('console.addButton')}</button>
        {note && <span role="status" className="small">{note}</span>}
      </div>
    </details>
  )
}
