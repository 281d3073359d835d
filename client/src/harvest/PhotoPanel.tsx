/**
 * The photos of paper tablecloths of one question, in its harvest board: each photo with its table and
 * round, and beside it the contributions the team types from it (each one a contribution of that table,
 * question and round, sorted into themes like the others). A photo can also be added here.
 */
import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type * as Y from 'yjs'
import { MAX_TRANSCRIPTION_CHARS, addTranscription, deleteTranscription, editTranscription, readTranscriptions } from '../../../shared/transcriptions'
import type { Transcription } from '../../../shared/transcriptions'
import { PhotoCanvas } from '../components/PhotoCanvas'
import { PhotoCapture } from '../components/PhotoCapture'
import { apiErrorText } from '../errorText'
import type { StudioPhoto } from './photoApi'
import { forgetPhoto, notifyTyped, photoApi, photoBlob, refreshPhotos, usePhotos } from './photoApi'
import '../components/photos.css'

/** The contributions typed from photos, re-read whenever the harvest document changes. */
export function useTranscriptions(doc: Y.Doc): Transcription[] {
  const [list, setList] = useState<Transcription[]>(() => readTranscriptions(doc))
  useEffect(() => {
    const read = () => setList(readTranscriptions(doc))
    read()
    doc.on('update', read)
    return () => doc.off('update', read)
  }, [doc])
  return list
}

export function PhotoPanel({ doc, questionId }: { doc: Y.Doc; questionId: string }) {
  const { t } = useTranslation()
  const feed = usePhotos()
  const typed = useTranscriptions(doc)
  const def = feed?.definition ?? null
  // Where this question was discussed: (table, round) pairs of the plan.
  const places = def ? def.rounds.flatMap((r, i) => def.tables.filter((tb) => r.questionByTable[tb.id] === questionId).map((tb) => ({ tableId: tb.id, tableName: tb.name, round: i + 1 }))) : []
  const [place, setPlace] = useState(0)
  if (!feed || !def) return null
  const photos = (feed.photos ?? []).filter((p) => p.questionId === questionId)
  const tableName = (id: string) => def.tables.find((tb) => tb.id === id)?.name ?? id
  const at = places[Math.min(place, places.length - 1)]
  const headingId = `photos-${questionId}`

  return (
    <section className="photo-panel card" aria-labelledby={headingId}>
      <header>
        <h3 id={headingId}>{t('photos.panelTitle', { count: photos.length })}</h3>
        <p className="muted small">{t('photos.panelHelp')}</p>
      </header>
      {feed.error != null && <p className="form-error" role="alert">{apiErrorText(feed.error, t)}</p>}
      {photos.length > 0 && (
        <ul className="photo-list">
          {photos.map((p) => (
            <PhotoItem key={p.id} photo={p} tableName={tableName(p.tableId)} typed={typed.filter((x) => x.photoId === p.id)} doc={doc} cafeId={feed.cafeId} secret={feed.key} />
          ))}
        </ul>
      )}
      {at && (
        <div className="photo-add">
          <label>
            {t('photos.addFor')}
            <select value={Math.min(place, places.length - 1)} onChange={(e) => setPlace(Number(e.target.value))}>
              {places.map((x, i) => <option key={`${x.tableId}-${x.round}`} value={i}>{t('photos.where', { table: x.tableName, n: x.round })}</option>)}
            </select>
          </label>
          <PhotoCapture cafeId={feed.cafeId} secret={feed.key} tableId={at.tableId} tableName={at.tableName} round={at.round} onSent={refreshPhotos} />
        </div>
      )}
    </section>
  )
}

function PhotoItem({ photo, tableName, typed, doc, cafeId, secret }: { photo: StudioPhoto; tableName: string; typed: Transcription[]; doc: Y.Doc; cafeId: string; secret: string }) {
  const { t, i18n } = useTranslation()
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)
  const load = useCallback(() => photoBlob(cafeId, secret, photo.id), [cafeId, secret, photo.id])
  const name = t('photos.photoOf', { table: tableName, n: photo.round })
  const by = photo.by.kind === 'host' ? t('photos.byHost', { name: photo.by.name }) : t('photos.byFacilitator')
  const time = new Date(photo.createdAt).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' })
  const fieldId = `typed-${photo.id}`
  const add = () => {
    if (!text.trim()) return
    if (addTranscription(doc, { photoId: photo.id, tableId: photo.tableId, questionId: photo.questionId, round: photo.round, text }, Date.now())) { setText(''); notifyTyped() }
  }
  const remove = async () => {
    if (!window.confirm(t('photos.confirmDelete', { photo: name }))) return
    try {
      await photoApi.remove(cafeId, secret, photo.id)
      forgetPhoto(photo.id)
      refreshPhotos()
    } catch (err) {
      setError(apiErrorText(err, t))
    }
  }
  return (
    <li className="photo-item">
      <PhotoCanvas load={load} label={name} placeholder={t('photos.loading', { photo: name })} />
      <p className="meta">{name} · {by} · {time}</p>
      {typed.length > 0 && (
        <ul className="typed-list" aria-label={t('photos.typedFrom', { photo: name })}>
          {typed.map((x) => <TypedEntry key={x.id} entry={x} doc={doc} />)}
        </ul>
      )}
      <form onSubmit={(e) => { e.preventDefault(); add() }}>
        <label htmlFor={fieldId}>{t('photos.typeLabel', { photo: name })}</label>
        <textarea
          id={fieldId} value={text} maxLength={MAX_TRANSCRIPTION_CHARS} rows={2} placeholder={t('photos.typePlaceholder')}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); add() } }}
        />
        <div className="row">
          <button type="submit" className="primary small" disabled={!text.trim()}>{t('photos.addTyped')}</button>
          <button type="button" className="small danger" onClick={() => void remove()}>{t('photos.deletePhoto')}</button>
        </div>
      </form>
      {error && <p className="form-error" role="alert">{error}</p>}
    </li>
  )
}

/** One contribution typed from a photo: its words, to correct or remove. */
function TypedEntry({ entry, doc }: { entry: Transcription; doc: Y.Doc }) {
  const { t } = useTranslation()
  const [editing, setEditing] = useState<string | null>(null)
  if (editing !== null) {
    const save = () => { editTranscription(doc, entry.id, editing); setEditing(null); notifyTyped() }
    return (
      <li>
        <form className="row" onSubmit={(e) => { e.preventDefault(); save() }}>
          <input
            aria-label={t('photos.editTyped', { text: entry.text })} value={editing} maxLength={MAX_TRANSCRIPTION_CHARS} autoFocus
            onChange={(e) => setEditing(e.target.value)} onKeyDown={(e) => { if (e.key === 'Escape') setEditing(null) }}
          />
          <button type="submit" className="small">{t('photos.save')}</button>
          <button type="button" className="small" onClick={() => setEditing(null)}>{t('photos.cancel')}</button>
        </form>
      </li>
    )
  }
  return (
    <li>
      <span>{entry.text}</span>
      <span className="row">
        <button type="button" className="small link" onClick={() => setEditing(entry.text)} aria-label={t('photos.editTyped', { text: entry.text })}>{t('photos.edit')}</button>
        <button type="button" className="small link" onClick={() => { deleteTranscription(doc, entry.id); notifyTyped() }} aria-label={t('photos.removeTyped', { text: entry.text })}>{t('photos.remove')}</button>
      </span>
    </li>
  )
}
