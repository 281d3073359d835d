import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { isOnlineTable, questionAt, venueOf } from '../../../shared/cafe'
import type { CafeDefinition } from '../../../shared/cafe'
import { seatingRound } from '../../../shared/lifecycle'
import { tableclothDocName } from '../../../shared/tablecloth'
import type { CafeView, ParticipantView } from '../../../shared/protocol'
import { Banner } from '../components/Banner'
import { StatusBadge } from '../components/StatusBadge'
import { SyncNotice } from '../components/SyncNotice'
import { Timer } from '../components/Timer'
import { useCafeConnection, useCredential, useNow, useTableclothPool, useTableclothStatus } from '../hooks'
import { navigate } from '../router'
import { forgetParticipant, participantIdentity, unsentDocsKey } from '../storage'
import { SetAsideWords } from '../tablecloth/SetAsideWords'
import { TableclothBoard } from '../tablecloth/TableclothBoard'
import { HostPhotoCard } from '../components/PhotoCapture'
import { HostBriefing } from './HostBriefing'
import { CallBar } from '../calls/CallBar'
import { participantTargets, useCallManager } from '../calls/useTableCall'
import { FullMessage, Page } from './Page'
import './participant.css'

export function ParticipantPage({ cafeId }: { cafeId: string }) {
  const { t } = useTranslation()
  const identity = participantIdentity(cafeId)
  const credential = useCredential('participant', identity?.token)
  const { conn, snap } = useCafeConnection(cafeId, credential)
  const view = snap?.view ?? null
  // Online cafés: the table calls (client/src/calls/), following the seats by themselves.
  const calls = useCallManager(view && venueOf(view.definition) !== 'room' ? conn : null)
  useEffect(() => {
    if (!calls) return
    const targets = participantTargets(view, identity?.participantId ?? null)
    calls.setTargets(targets)
    // No call here any more (the café is over; a room table of a hybrid café): the call bar is gone, so
    // the microphone and camera are let go too. Back at an online table the bar joins again by itself.
    if (!targets.live && !targets.next && calls.getSnapshot().status !== 'off') calls.stop()
  }, [calls, view, identity?.participantId])
  const lc = view?.lifecycle
  const me = view?.participants.find((p) => p.id === identity?.participantId) ?? null
  const round = lc ? seatingRound(lc) : 1
  const docName = view && me?.tableId ? docFor(view, me.tableId, round) : null
  const nextDoc = snap?.nextSeat?.docName ?? null
  // Who writes, with the name the server knows now (what a rebase writes again); and, across reloads,
  // the tablecloths of this café that still hold edits the server has not acknowledged.
  const author = me ? { id: me.id, name: me.displayName } : null
  const rememberKey = identity ? unsentDocsKey(cafeId, identity.participantId) : null
  const pool = useTableclothPool([docName, nextDoc], credential, { author, rememberKey })
  const session = docName ? pool.get(docName) ?? null : null
  const tcStatus = useTableclothStatus(session)

  if (!identity) {
    return <FullMessage title={t('participant.notJoinedTitle')} text={t('participant.notJoinedText')} action={<button type="button" className="primary" onClick={() => navigate('/')}>{t('common.home')}</button>} />
  }
  if (snap?.status === 'refused') {
    return <FullMessage title={t('participant.refusedTitle')} text={t('participant.refusedText')} action={<button type="button" className="primary" onClick={() => { forgetParticipant(cafeId); navigate('/') }}>{t('participant.rejoin')}</button>} />
  }
  if (snap?.status === 'outdated') {
    return <FullMessage title={t('common.outdatedTitle')} text={t('common.outdatedText')} action={<button type="button" className="primary" onClick={() => location.reload()}>{t('common.reload')}</button>} />
  }
  if (!view || !lc || !snap) {
    return <Page header={<StatusBadge cafe={snap?.status ?? 'connecting'} />}><p className="card" aria-busy="true">{t('common.loading')}</p></Page>
  }

  const def = view.definition
  const table = def.tables.find((x) => x.id === me?.tableId)
  const questionId = me?.tableId ? questionAt(def, round, me.tableId) : undefined
  const question = def.questions.find((q) => q.id === questionId)
  const mates = view.participants.filter((p) => p.tableId === me?.tableId && p.id !== me?.id)
  const hostStays = me?.hostOf != null && me.hostOf === me.tableId
  const canWrite = lc.phase === 'round' && Boolean(session) && !view.lockedDocs.includes(docName ?? '')
  const callBar = calls && table && isOnlineTable(def, table.id) ? <CallBar manager={calls} cafeId={cafeId} tableName={table.name} /> : null

  const header = (
    <>
      <span className="cafe-title">{def.title}</span>
      <StatusBadge cafe={snap.status} tablecloth={session ? tcStatus : null} />
      <SyncNotice current={session} background={pool.background} offline={snap.status === 'offline' || tcStatus === 'offline'} />
    </>
  )

  return (
    <Page wide header={header}>
      <Banner message={snap.message} />
      <SetAsideWords sessions={[session, ...pool.background]} />
      {(lc.phase === 'draft' || lc.phase === 'lobby') && (
        <section className="card waiting">
          <h1>{t('participant.hello', { name: me?.displayName ?? identity.displayName })}</h1>
          <p className="lead">{t('participant.waiting')}</p>
          {table && <p>{t('participant.yourTable', { table: table.name })}</p>}
          <PeopleAtTable mates={mates} hostOf={me?.hostOf ?? null} def={def} />
          <h2>{t('participant.questions')}</h2>
          <ol className="questions">{def.questions.map((q) => <li key={q.id}>{q.text}</li>)}</ol>
          <p className="muted">{t('participant.count', { count: view.participantCount })}</p>
        </section>
      )}
      {(lc.phase === 'draft' || lc.phase === 'lobby') && callBar}

      {lc.phase === 'round' && (
        <>
          <section className="round-head">
            <div className="round-where">
              <p className="eyebrow">{table?.name ?? t('participant.noTable')} · {t('timer.roundN', { n: lc.round })}</p>
              <h1 className="question">{question?.text}</h1>
              <PeopleAtTable mates={mates} hostOf={me?.hostOf ?? null} def={def} />
            </div>
            <Timer lifecycle={lc} offsetMs={snap.offsetMs} />
          </section>
          <WarningToast warning={snap.warning} />
          {snap.nextSeat && <NextSeatNotice def={def} seat={snap.nextSeat} here={me?.tableId ?? null} host={me?.hostOf ?? null} />}
          {me?.hostOf && me.tableId && <HostBriefing view={view} tableId={me.tableId} round={lc.round} session={session} credential={credential} />}
          {callBar}
          {session && me ? (
            <TableclothBoard key={session.docName} session={session} me={{ id: me.id, name: me.displayName }} round={lc.round} canWrite={canWrite} label={t('board.label', { table: table?.name ?? '', question: question?.text ?? '' })} />
          ) : <p className="card">{t('participant.noTable')}</p>}
        </>
      )}

      {lc.phase === 'transition' && (
        <>
          <section className="card move-card" aria-live="assertive">
            <p className="eyebrow">{t('participant.moveEyebrow')}</p>
            {/* A host does not move: told so, not "go to" the table they are at. */}
            <h1><KeepTogether text={t(hostStays ? 'participant.stayTitle' : 'participant.goTo', { table: table?.name ?? '?' })} part={table?.name ?? '?'} /></h1>
            {question && <p className="question">{question.text}</p>}
            {hostStays && <p className="stay-note">{t('participant.hostStays')}</p>}
            <Timer lifecycle={lc} offsetMs={snap.offsetMs} />
            <PeopleAtTable mates={mates} hostOf={me?.hostOf ?? null} def={def} />
          </section>
          {callBar}
          {session && me && <TableclothBoard key={session.docName} session={session} me={{ id: me.id, name: me.displayName }} round={round} canWrite={false} label={t('board.label', { table: table?.name ?? '', question: question?.text ?? '' })} />}
        </>
      )}

      {(lc.phase === 'harvest' || lc.phase === 'closed') && (
        <section className="card center">
          <h1>{t('participant.thanksTitle')}</h1>
          <p>{t('participant.thanksText')}</p>
        </section>
      )}
      {me?.hostOf && <HostPhotoCard view={view} hostOf={me.hostOf} token={identity.token} />}
    </Page>
  )
}

/** A short table name ("Table 1") in `text` does not break across lines; a long one may (a phone is narrow). */
function KeepTogether({ text, part }: { text: string; part: string }) {
  const at = text.indexOf(part)
  if (at < 0 || part.length > 16) return <>{text}</>
  return <>{text.slice(0, at)}<span className="nowrap">{part}</span>{text.slice(at + part.length)}</>
}

function docFor(view: CafeView, tableId: string, round: number): string | null {
  const q = questionAt(view.definition, round, tableId)
  return q ? tableclothDocName(view.id, tableId, q) : null
}

function PeopleAtTable({ mates, hostOf, def }: { mates: ParticipantView[]; hostOf: string | null; def: CafeDefinition }) {
  const { t } = useTranslation()
  const badge = hostOf && <span className="host-badge"> · {t('participant.youHost', { table: def.tables.find((x) => x.id === hostOf)?.name ?? '' })}</span>
  if (mates.length === 0) return <p className="mates muted">{t('participant.alone')}{badge}</p>
  return (
    <p className="mates">
      {t('participant.with')}{' '}
      {mates.map((m, i) => (
        <span key={m.id} className={m.online ? 'mate' : 'mate offline'}>
          {m.displayName}{m.hostOf ? ` (${t('participant.host')})` : ''}{i < mates.length - 1 ? ', ' : ''}
        </span>
      ))}
      {badge}
    </p>
  )
}

function WarningToast({ warning }: { warning: { msLeft: number; receivedAt: number } | null }) {
  const { t } = useTranslation()
  const now = useNow(1000)
  if (!warning || now - warning.receivedAt > 8000) return null
  return <div className="toast" role="alert">{warning.msLeft >= 60_000 ? t('participant.warn60') : t('participant.warn10')}</div>
}

/** Where the next round takes you; "you stay at" when it is the table you are at (a host always stays). */
function NextSeatNotice({ def, seat, here, host }: { def: CafeDefinition; seat: { tableId: string; questionId: string }; here: string | null; host: string | null }) {
  const { t } = useTranslation()
  const table = def.tables.find((x) => x.id === seat.tableId)
  const q = def.questions.find((x) => x.id === seat.questionId)
  const key = seat.tableId !== here ? 'participant.nextSeat' : host === here ? 'participant.nextStayHost' : 'participant.nextStay'
  return <div className="next-seat" role="status">{t(key, { table: table?.name ?? '?', question: q?.text ?? '' })}</div>
}
