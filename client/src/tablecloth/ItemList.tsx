/**
 * The same tablecloth as a list: for keyboard and screen-reader users and for small screens. Everything
 * the sheet offers except drawing: add a note, edit or delete one's own, star, dot votes; for
 * facilitators, remove anyone's item (kept, shown faded to them) and restore it.
 * After "Add", the new note's text field has the focus (what is typed next goes on in that note); leaving
 * a text field with Escape puts the focus back on that item's Edit button.
 */
import { useRef, useState } from 'react'
import { flushSync } from 'react-dom'
import { useTranslation } from 'react-i18next'
import type { TableclothItem } from '../../../shared/tablecloth'
import { changeVote, deleteItem, removeItem, setItemText, toggleStar, unremoveItem } from '../../../shared/tablecloth'
import { TABLECLOTH_LIMITS } from '../../../shared/tableclothRules'
import type { TableclothSession } from '../transport/TableclothSession'
import { DOTS_PER_PERSON, inkFamily } from './inks'
import type { Me } from './TableclothBoard'
import { CharCount } from './CharCount'
import { refusalText } from './refusalText'
import { Linkified } from '../components/Linkified'

export function ItemList({ items, me, round, canWrite, moderator, session, earlier, addNote }: {
  items: TableclothItem[]; me: Me; round: number; canWrite: boolean; moderator: boolean; session: TableclothSession; earlier: 'show' | 'fade' | 'hide'
  /** Writes a note with this text on the sheet, in a free spot; its id. */
  addNote(text: string): string
}) {
  const { t, i18n } = useTranslation()
  const [draft, setDraft] = useState('')
  const [editLength, setEditLength] = useState(0)
  const atItemLimit = items.filter((i) => i.author === me.id && i.round === round).length >= TABLECLOTH_LIMITS.itemsPerPersonRound
  const fmt = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' })
  const [editing, setEditing] = useState<string | null>(null)
  const origin = session.localOrigin
  const myDots = items.reduce((n, i) => n + (i.votesBy[me.id] ?? 0), 0)
  const rounds = [...new Set(items.map((i) => i.round))].sort((a, b) => b - a).filter((r) => r >= round || earlier !== 'hide')
  const listRef = useRef<HTMLDivElement>(null)

  const add = (e: React.FormEvent) => {
    e.preventDefault()
    const text = draft.trim()
    if (!text || atItemLimit) return
    // At once, so that the next keys typed land in the new note's field.
    flushSync(() => {
      const id = addNote(text)
      setDraft('')
      setEditing(id)
      setEditLength(text.length)
    })
  }
  const stopEditing = (id: string, refocus: boolean) => {
    setEditing(null)
    if (refocus) requestAnimationFrame(() => listRef.current?.querySelector<HTMLElement>(`[data-edit-of="${id}"]`)?.focus())
  }

  return (
    <div className="item-list" ref={listRef}>
      {canWrite && (
        <form onSubmit={add} className="add-note">
          <label htmlFor="new-note">{t('board.newNote')}</label>
          <div className="row">
            <textarea id="new-note" value={draft} onChange={(e) => setDraft(e.target.value)} rows={2} maxLength={TABLECLOTH_LIMITS.textChars} aria-describedby="new-note-help"
              onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); e.currentTarget.form?.requestSubmit() } }} />
            <button type="submit" className="primary" disabled={!draft.trim() || atItemLimit}>{t('board.add')}</button>
          </div>
          <p id="new-note-help" className="add-help">{t('board.newNoteHelp')}</p>
          <CharCount length={draft.length} />
          {atItemLimit && <p className="board-limit" role="alert">{refusalText(t, 'too-many-items')}</p>}
        </form>
      )}
      {items.length === 0 && <p className="empty">{t('board.empty')}</p>}
      {rounds.map((r) => (
        <section key={r} aria-labelledby={`round-${r}`}>
          <h2 id={`round-${r}`} style={{ color: inkFamily(r).inks[0] }}>{t('board.roundN', { n: r })}{r < round ? ` · ${t('board.earlierRound')}` : ''}</h2>
          <ul>
            {items.filter((i) => i.round === r).sort((a, b) => b.stars.length - a.stars.length || b.votes - a.votes || a.createdAt - b.createdAt).map((item) => {
              // One's own items only: the server refuses changes to anyone else's.
              const own = canWrite && item.author === me.id
              const moderate = canWrite && moderator && item.author !== me.id
              const starred = item.stars.includes(me.id)
              return (
                <li key={item.id} className={`list-item kind-${item.kind}${item.removed ? ' removed' : ''}`} style={{ borderColor: inkFamily(item.round).inks[0], opacity: item.round < round && earlier === 'fade' ? 0.6 : 1 }}>
                  {editing === item.id && item.kind !== 'stroke' ? (
                    <>
                      <textarea autoFocus aria-label={t('board.editText')} defaultValue={item.text} maxLength={TABLECLOTH_LIMITS.textChars}
                        onFocus={(e) => { const end = e.target.value.length; e.target.setSelectionRange(end, end); setEditLength(end) }}
                        onChange={(e) => { setEditLength(e.target.value.length); setItemText(session.doc, item.id, e.target.value, origin) }}
                        onKeyDown={(e) => { if (e.key === 'Escape' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) { e.preventDefault(); e.stopPropagation(); stopEditing(item.id, true) } }}
                        onBlur={() => setEditing((cur) => (cur === item.id ? null : cur))} />
                      <CharCount length={editLength} />
                    </>
                  ) : (
                    <p className="list-text">{item.kind === 'stroke' ? <em>{t('board.drawing')}</em> : item.text ? <Linkified text={item.text} /> : <em>{t('board.emptyNote')}</em>}</p>
                  )}
                  <p className="list-meta">
                    {item.authorName || t('board.unknownAuthor')} · {t(`board.kind.${item.kind}`)}
                    {item.stars.length > 0 && <> · ★ {item.stars.length}</>}
                    {item.votes > 0 && <> · {t('board.votes', { count: item.votes })}</>}
                    {item.removed && <> · <span className="removed-info">{t('board.removedBy', { time: fmt.format(item.removed.at) })}</span></>}
                  </p>
                  <div className="list-actions">
                    {canWrite && !item.removed && <button type="button" onClick={() => toggleStar(session.doc, item.id, me.id, origin)} aria-pressed={starred}><span aria-hidden="true">{starred ? '★' : '☆'}</span> {t('board.star')}</button>}
                    {canWrite && !item.removed && <button type="button" disabled={myDots >= DOTS_PER_PERSON} onClick={() => changeVote(session.doc, item.id, me.id, 1, origin)} aria-label={t('board.addDotName')} title={t('board.addDot')}><span aria-hidden="true">● +1</span></button>}
                    {canWrite && !item.removed && (item.votesBy[me.id] ?? 0) > 0 && <button type="button" onClick={() => changeVote(session.doc, item.id, me.id, -1, origin)} aria-label={t('board.takeDotName')} title={t('board.takeDot')}><span aria-hidden="true">● −1</span></button>}
                    {own && item.kind !== 'stroke' && <button type="button" data-edit-of={item.id} onClick={() => setEditing(item.id)}>{t('board.edit')}</button>}
                    {own && <button type="button" className="danger" onClick={() => deleteItem(session.doc, item.id, origin)}>{t('board.delete')}</button>}
                    {moderate && !item.removed && <button type="button" className="danger" title={t('board.removeLabel')} onClick={() => removeItem(session.doc, item.id, me.id, Date.now(), origin)}>{t('board.remove')}</button>}
                    {moderate && item.removed && <button type="button" title={t('board.restoreLabel')} onClick={() => unremoveItem(session.doc, item.id, origin)}>{t('board.restore')}</button>}
                  </div>
                </li>
              )
            })}
          </ul>
        </section>
      ))}
    </div>
  )
}
