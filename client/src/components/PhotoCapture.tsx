/**
 * "Photograph the paper tablecloth": opens the phone's camera (or a file picker on a computer),
 * resizes the picture on the device and sends it for one table and round. Used by a table's host on
 * their page, by the facilitator on each table of the console, and in the harvest studio.
 */
import { useState } from 'react'
import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import { questionAt } from '../../../shared/cafe'
import { photoRound } from '../../../shared/photos'
import type { CafeView } from '../../../shared/protocol'
import { ApiError } from '../api'
import { apiErrorText } from '../errorText'
import { photoApi, resizePhoto } from '../harvest/photoApi'
import { facilitatedCafe } from '../storage'
import './photos.css'

type Status = { kind: 'idle' } | { kind: 'sending' } | { kind: 'sent'; at: number } | { kind: 'failed'; text: string; retry: Blob | null }

/** The words for a photo that could not be sent: ours for the photo's own limits, else the server's reason. */
export function photoErrorText(err: unknown, t: TFunction): string {
  if (err instanceof Error && (err.message === 'not_image' || err.message === 'too_big')) return t(err.message === 'not_image' ? 'photos.errors.notImage' : 'photos.errors.tooBig')
  if (err instanceof ApiError && err.error?.reason === 'bad_data' && err.error.fields?.photo) {
    const kind = err.error.fieldKinds?.photo
    return t(kind === 'too_many' ? 'photos.errors.tooMany' : kind === 'out_of_range' ? 'photos.errors.tooLarge' : 'photos.errors.notImage')
  }
  return apiErrorText(err, t)
}

export function PhotoCapture({ cafeId, secret, tableId, tableName, round, onSent, compact = false }: {
  cafeId: string
  /** The facilitator key or the host's participant token (sent in a header). */
  secret: string
  tableId: string
  tableName: string
  round: number
  onSent?: () => void
  /** A small button (the console's table cards). */
  compact?: boolean
}) {
  const { t } = useTranslation()
  const [status, setStatus] = useState<Status>({ kind: 'idle' })
  const id = `photo-${tableId}-${round}-${compact ? 'c' : 'f'}`

  const send = async (resized: Blob) => {
    setStatus({ kind: 'sending' })
    try {
      await photoApi.upload(cafeId, secret, { tableId, round }, resized)
      setStatus({ kind: 'sent', at: Date.now() })
      onSent?.()
    } catch (err) {
      // Kept for a retry: the picture is not lost when the network or the server hiccups.
      setStatus({ kind: 'failed', text: photoErrorText(err, t), retry: err instanceof ApiError && err.error?.reason !== 'bad_data' ? resized : null })
    }
  }
  const chosen = async (file: File | undefined) => {
    if (!file) return
    setStatus({ kind: 'sending' })
    let resized: Blob
    try {
      resized = await resizePhoto(file)
    } catch (err) {
      return setStatus({ kind: 'failed', text: photoErrorText(err, t), retry: null })
    }
    await send(resized)
  }

  return (
    <div className={`photo-capture${compact ? ' compact' : ''}`}>
      <label htmlFor={id} className={`button${compact ? ' small' : ' primary'}${status.kind === 'sending' ? ' disabled' : ''}`}>
        <CameraIcon />{t('photos.capture', { table: tableName, n: round })}
      </label>
      <input
        id={id} type="file" accept="image/*" capture="environment" className="photo-input" disabled={status.kind === 'sending'}
        onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; void chosen(f) }}
      />
      <p className="photo-status small" role="status">
        {status.kind === 'sending' && t('photos.sending')}
        {status.kind === 'sent' && t('photos.sent', { table: tableName, n: round })}
        {status.kind === 'failed' && <span className="form-error">{status.text}</span>}
      </p>
      {status.kind === 'failed' && status.retry && (
        <button type="button" className="small" onClick={() => { const r = status.retry; if (r) void send(r) }}>{t('photos.retry')}</button>
      )}
    </div>
  )
}

/** The host's card: photograph the paper of their table for the round being played or just ended. */
export function HostPhotoCard({ view, hostOf, token }: { view: CafeView; hostOf: string; token: string }) {
  const { t } = useTranslation()
  const round = photoRound(view.lifecycle)
  const table = view.definition.tables.find((x) => x.id === hostOf)
  if (round === null || !table || view.lifecycle.phase === 'closed' || questionAt(view.definition, round, hostOf) === undefined) return null
  return (
    <section className="card photo-host" aria-labelledby="photo-host-title">
      <h2 id="photo-host-title">{t('photos.hostTitle')}</h2>
      <p className="muted small">{t('photos.hostHelp')}</p>
      <PhotoCapture cafeId={view.id} secret={token} tableId={hostOf} tableName={table.name} round={round} />
    </section>
  )
}

/** The console's button on a table card: the facilitator photographs that table's paper. */
export function ConsolePhotoButton({ view, tableId }: { view: CafeView; tableId: string }) {
  const key = facilitatedCafe(view.id)?.key
  const round = photoRound(view.lifecycle)
  const table = view.definition.tables.find((x) => x.id === tableId)
  if (!key || round === null || !table || questionAt(view.definition, round, tableId) === undefined) return null
  return <PhotoCapture compact cafeId={view.id} secret={key} tableId={tableId} tableName={table.name} round={round} />
}

/** A camera, drawn (emoji are missing on some devices). */
function CameraIcon() {
  return (
    <svg className="photo-icon" width={20} height={20} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M4 8h3l2-3h6l2 3h3v11H4z" /><circle cx="12" cy="13" r="3.5" />
    </svg>
  )
}
