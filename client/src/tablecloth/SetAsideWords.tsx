/**
 * What the server would not take, shown to the person who wrote it: each word set aside with the
 * reason, a button to copy the text and one to try again; and a short notice when other changes of
 * theirs (stars, moves) were refused. Kept on this device only (storage.ts).
 */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useSessionSnapshot } from '../hooks'
import type { SetAsideWord } from '../storage'
import type { TableclothSession } from '../transport/TableclothSession'
import { refusalText } from './refusalText'
import { copyText } from '../copyText'

export function SetAsideWords({ sessions }: { sessions: ReadonlyArray<TableclothSession | null> }) {
  return (
    <div className="set-aside-area" aria-live="polite">
      {sessions.map((s) => (s ? <SessionWords key={s.docName} session={s} /> : null))}
    </div>
  )
}

function SessionWords({ session }: { session: TableclothSession }) {
  const { t } = useTranslation()
  const snap = useSessionSnapshot(session)
  if (!snap) return null
  const { notice, setAside } = snap
  return (
    <>
      {notice && (
        <div className="refusal-notice">
          <p>{t('setAside.dropped', { reason: refusalText(t, notice.reason) })}</p>
          <button type="button" className="small" onClick={() => session.dismissNotice()}>{t('setAside.dismissNotice')}</button>
        </div>
      )}
      {setAside.length > 0 && (
        <section className="set-aside card" aria-label={t('setAside.title')}>
          <h2>{t('setAside.title')}</h2>
          <p className="muted small">{t('setAside.help')}</p>
          <ul>{setAside.map((w) => <Word key={w.key} word={w} session={session} />)}</ul>
        </section>
      )}
    </>
  )
}

function Word({ word, session }: { word: SetAsideWord; session: TableclothSession }) {
  const { t } = useTranslation()
  const [copied, setCopied] = useState(false)
  const text = word.item.kind === 'stroke' ? null : word.item.text
  const copy = () => {
    if (text === null) return
    // On the room's http://192.168.x.y the Clipboard API is missing: copyText falls back.
    void copyText(text).then(setCopied, () => setCopied(false))
  }
  return (
    <li className="set-aside-word">
      <p className="set-aside-reason">{t('setAside.notAccepted', { reason: refusalText(t, word.reason) })}</p>
      {word.change === 'text' && <p className="muted small">{t('setAside.newText')}</p>}
      {text === null ? <p><em>{t('setAside.drawing')}</em></p> : <blockquote className="set-aside-text">{text}</blockquote>}
      <div className="row wrap">
        {text !== null && <button type="button" onClick={copy}>{copied ? t('setAside.copied') : t('setAside.copy')}</button>}
        <button type="button" onClick={() => session.retry(word.key)}>{t('setAside.retry')}</button>
        <button type="button" className="small" onClick={() => session.dismiss(word.key)}>{t('setAside.dismiss')}</button>
      </div>
    </li>
  )
}
