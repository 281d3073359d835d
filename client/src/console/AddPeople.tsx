/** People registered beforehand, pasted one per line ("name; organisation; sector", or a spreadsheet's columns). */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { MAX_NAME_CHARS } from '../../../shared/constants'
import type { Run } from './run'

export function AddPeople({ run, hybrid = false }: { run: Run; hybrid?: boolean }) {
  const { t } = useTranslation()
  const [text, setText] = useState('')
  /** Hybrid cafés: where the people of this batch take part. */
  const [remote, setRemote] = useState(false)
  const [note, setNote] = useState<string | null>(null)
  const submit = async () => {
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)
    const people = []
    for (const [i, line] of lines.entries()) {
      const [displayName = '', organisation = '', sector = ''] = line.split(/[;\t]/).map((x) => x.trim())
      if ([displayName, organisation, sector].some((x) => x.length > MAX_NAME_CHARS)) return setNote(t('console.addTooLong', { line: i + 1 }))
      if (displayName) people.push({ displayName, organisation: organisation || null, sector: sector || null, ...(hybrid ? { remote } : {}) })
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
      {hybrid && (
        <div className="field">
          <label htmlFor="add-where">{t('hybrid.addWhere')}</label>
          <select id="add-where" value={remote ? 'online' : 'room'} onChange={(e) => setRemote(e.target.value === 'online')}>
            <option value="room">{t('hybrid.addRoom')}</option>
            <option value="online">{t('hybrid.addOnline')}</option>
          </select>
        </div>
      )}
      <div className="row">
        <button type="button" className="primary" disabled={!text.trim()} onClick={() => void submit()}>{t('console.addButton')}</button>
        {note && <span role="status" className="small">{note}</span>}
      </div>
    </details>
  )
}
