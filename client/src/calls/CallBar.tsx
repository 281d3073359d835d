/**
 * The call bar of an online table, beside the tablecloth: joining (with a word before the browser asks
 * for the microphone), mute, camera, devices, who is in the call and who speaks, and why it fails when
 * it does. Joins and departures are read out by screen readers (a polite live region).
 */
import { useEffect, useId, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { isErrorReason } from '../../../shared/errorReasons'
import type { CallManager, CallSnapshot, PeerView } from './CallManager'
import { callChoice, useCallSnapshot } from './useTableCall'
import './calls.css'

export function CallBar({ manager, cafeId, tableName }: { manager: CallManager; cafeId: string; tableName: string }) {
  const { t } = useTranslation()
  const snap = useCallSnapshot(manager)
  // Joined before in this tab: join again by itself (the browser remembers the microphone permission).
  useEffect(() => {
    const choice = callChoice.get(cafeId)
    if (choice && manager.getSnapshot().status === 'off') void manager.start({ microphone: choice === 'mic' })
  }, [manager, cafeId])
  const replaced = snap?.joinProblem === 'call_replaced'
  // Taken over by another tab or device: this tab no longer joins by itself.
  useEffect(() => { if (replaced) callChoice.set(cafeId, null) }, [replaced, cafeId])
  if (!snap) return null
  const join = (microphone: boolean) => {
    callChoice.set(cafeId, microphone ? 'mic' : 'listen')
    void manager.start({ microphone })
  }
  const leave = () => { callChoice.set(cafeId, null); manager.stop() }

  return (
    <section className="call-bar" aria-label={t('calls.label', { table: tableName })}>
      <Presence snap={snap} />
      {snap.status === 'off' ? (
        <div className="call-intro">
          <p className="call-title"><span aria-hidden="true">🎧 </span>{t('calls.prompt')}</p>
          <p className="muted small">{t('calls.promptDetail')}</p>
          {replaced && <p className="call-problem" role="status">{t('errors.reason.call_replaced')}</p>}
          <div className="row wrap">
            <button type="button" className="primary" onClick={() => join(true)}>{t('calls.join')}</button>
            <button type="button" onClick={() => join(false)}>{t('calls.joinListen')}</button>
          </div>
        </div>
      ) : (
        <>
          <div className="call-head">
            <p className="call-status" role="status">{statusText(snap, t)}</p>
            <div className="call-controls row wrap">
              {snap.micProblem === null && (
                <button type="button" onClick={() => manager.setMuted(!snap.muted)} className={snap.muted ? 'call-muted' : ''}>
                  {snap.muted ? t('calls.unmute') : t('calls.mute')}
                </button>
              )}
              <button type="button" onClick={() => void manager.setCamera(!snap.camera)}>{snap.camera ? t('calls.cameraOff') : t('calls.cameraOn')}</button>
              <Devices manager={manager} snap={snap} />
              <button type="button" onClick={leave}>{t('calls.leave')}</button>
            </div>
          </div>
          {snap.playBlocked && <button type="button" className="primary" onClick={() => void manager.resumePlayback()}>{t('calls.soundOn')}</button>}
          {snap.micProblem && <p className="call-problem" role="alert">{t(`calls.mic.${snap.micProblem}`)}</p>}
          {snap.cameraProblem && <p className="call-problem">{t(`calls.cam.${snap.cameraProblem}`)}</p>}
          {snap.networkFailed && <p className="call-problem" role="alert">{t('calls.networkFailed')}</p>}
          {snap.joinProblem && <p className="call-problem" role="alert">{t('calls.joinProblem', { reason: isErrorReason(snap.joinProblem) ? t(`errors.reason.${snap.joinProblem}`) : t('errors.generic') })}</p>}
          <FacilitatorNotice peers={snap.peers} />
          <ul className="call-people" aria-label={t('calls.people')}>
            <li className={`call-person self${snap.selfSpeaking ? ' speaking' : ''}`}>
              <span className="call-dot" aria-hidden="true" />
              <span>{t('calls.you')}{snap.muted || snap.micProblem ? ` · ${t('calls.mutedShort')}` : ''}</span>
              {snap.selfSpeaking && <span className="sr-only"> · {t('calls.speaking')}</span>}
            </li>
            {snap.peers.map((p) => <Person key={p.peerId} p={p} />)}
          </ul>
          {snap.nextReady > 0 && <p className="muted small">{t('calls.nextReady', { count: snap.nextReady })}</p>}
          <Videos peers={snap.peers} />
        </>
      )}
    </section>
  )
}

function statusText(snap: CallSnapshot, t: (k: string, o?: Record<string, unknown>) => string): string {
  switch (snap.status) {
    case 'asking': return t('calls.asking')
    case 'joining': return t('calls.joining')
    case 'failed': return t('calls.failed')
    case 'live': return t('calls.live', { count: snap.peers.length + 1 })
    default: return ''
  }
}

function Person({ p }: { p: PeerView }) {
  const { t } = useTranslation()
  const name = p.role === 'facilitator' ? t('calls.facilitatorName') : p.name
  const state = p.state === 'connected' ? '' : p.state === 'failed' ? t('calls.peerFailed') : t('calls.peerConnecting')
  return (
    <li className={`call-person${p.speaking ? ' speaking' : ''}${p.state === 'failed' ? ' failed' : ''}`}>
      <span className="call-dot" aria-hidden="true" />
      <span>{name}{state ? ` · ${state}` : ''}</span>
      {p.speaking && <span className="sr-only"> · {t('calls.speaking')}</span>}
    </li>
  )
}

function FacilitatorNotice({ peers }: { peers: PeerView[] }) {
  const { t } = useTranslation()
  const f = peers.filter((p) => p.role === 'facilitator')
  if (f.length === 0) return null
  const text = f.some((p) => p.mode === 'announce') ? t('calls.facilitatorAnnouncing')
    : f.some((p) => p.mode === 'talk') ? t('calls.facilitatorTalking') : t('calls.facilitatorListening')
  return <p className="call-facilitator" role="status">{text}</p>
}

function Devices({ manager, snap }: { manager: CallManager; snap: CallSnapshot }) {
  const { t } = useTranslation()
  const id = useId()
  return (
    <details className="call-devices">
      <summary>{t('calls.devices')}</summary>
      <div className="call-device-list">
        <label htmlFor={`${id}-mic`}>{t('calls.microphone')}</label>
        <select id={`${id}-mic`} value={snap.microphoneId} onChange={(e) => void manager.setMicrophone(e.target.value)} disabled={snap.microphones.length === 0}>
          {snap.microphones.length === 0 && <option value="">{t('calls.none')}</option>}
          {snap.microphones.map((d) => <option key={d.deviceId} value={d.deviceId}>{d.label}</option>)}
        </select>
        <label htmlFor={`${id}-cam`}>{t('calls.camera')}</label>
        <select id={`${id}-cam`} value={snap.cameraId} onChange={(e) => void manager.setCameraDevice(e.target.value)} disabled={snap.cameras.length === 0}>
          <option value="">{snap.cameras.length === 0 ? t('calls.none') : t('calls.default')}</option>
          {snap.cameras.map((d) => <option key={d.deviceId} value={d.deviceId}>{d.label}</option>)}
        </select>
        {snap.speakers.length > 0 && (
          <>
            <label htmlFor={`${id}-out`}>{t('calls.speaker')}</label>
            <select id={`${id}-out`} value={snap.speakerId} onChange={(e) => manager.setSpeaker(e.target.value)}>
              <option value="">{t('calls.default')}</option>
              {snap.speakers.map((d) => <option key={d.deviceId} value={d.deviceId}>{d.label}</option>)}
            </select>
          </>
        )}
        <p className="muted small">{t('calls.noRecording')}</p>
      </div>
    </details>
  )
}

function Videos({ peers }: { peers: PeerView[] }) {
  const { t } = useTranslation()
  const withVideo = peers.filter((p) => p.video)
  if (withVideo.length === 0) return null
  return (
    <div className="call-videos">
      {withVideo.map((p) => <Video key={p.peerId} stream={p.video!} label={t('calls.videoOf', { name: p.role === 'facilitator' ? t('calls.facilitatorName') : p.name })} />)}
    </div>
  )
}

function Video({ stream, label }: { stream: MediaStream; label: string }) {
  const ref = useRef<HTMLVideoElement>(null)
  useEffect(() => { if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream }, [stream])
  // Muted: the sound plays through the call's own audio element.
  return <video ref={ref} autoPlay playsInline muted aria-label={label} />
}

/** Who joined or left, read out once. */
function Presence({ snap }: { snap: CallSnapshot }) {
  const { t } = useTranslation()
  const p = snap.presence
  const name = p ? (p.role === 'facilitator' ? t('calls.facilitatorName') : p.name) : ''
  return <div className="sr-only" role="status" aria-live="polite">{p ? t(p.kind === 'joined' ? 'calls.joined' : 'calls.left', { name }) : ''}</div>
}
