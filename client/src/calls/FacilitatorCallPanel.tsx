/** The console's table calls: speak to every online table, or listen at one (and speak there to help). */
import { useEffect, useId, useState, useSyncExternalStore } from 'react'
import { useTranslation } from 'react-i18next'
import { isOnlineTable } from '../../../shared/cafe'
import type { CafeView } from '../../../shared/protocol'
import type { CafeConnection } from '../transport/CafeConnection'
import { FacilitatorCalls } from './FacilitatorCalls'
import type { CallSocket } from './TableCall'
import './calls.css'

export function FacilitatorCallPanel({ conn, view }: { conn: CafeConnection; view: CafeView }) {
  const { t } = useTranslation()
  const id = useId()
  const [calls, setCalls] = useState<FacilitatorCalls | null>(null)
  useEffect(() => {
    const c = new FacilitatorCalls(conn.socket as unknown as CallSocket)
    // After a lost connection the server has dropped this console from its calls: join them again.
    const onConnect = () => c.rejoin()
    conn.socket.on('connect', onConnect)
    setCalls(c)
    return () => { conn.socket.off('connect', onConnect); c.destroy() }
  }, [conn])
  useEffect(() => { calls?.setView(view) }, [calls, view])
  const s = useSyncExternalStore(calls?.subscribe ?? noop, calls?.getSnapshot ?? nothing)
  if (!calls || !s) return null
  const tables = view.definition.tables.filter((tb) => isOnlineTable(view.definition, tb.id))
  const at = tables.find((tb) => tb.id === s.listeningAt)
  return (
    <section className="card call-console" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('calls.consoleTitle')}</h2>
      <p className="muted small">{t('calls.consoleHelp')}</p>
      <div className="row wrap">
        <button type="button" className={s.announcing ? 'primary' : ''} onClick={() => void calls.announce(!s.announcing)}>
          {s.announcing ? t('calls.stopSpeaking') : t('calls.speakAll')}
        </button>
      </div>
      {/* Live regions stay in the page, their text changing, so that screen readers announce it. */}
      <p role="status" className={s.announcing ? '' : 'sr-only'}>{s.announcing ? t('calls.speakingAll') : ''}</p>
      <div className="call-tables" role="group" aria-label={t('calls.onlineTables')}>
        {tables.map((tb) => (
          <button key={tb.id} type="button" className={s.listeningAt === tb.id ? 'primary' : ''} onClick={() => void calls.listen(s.listeningAt === tb.id ? null : tb.id)}>
            {s.listeningAt === tb.id ? `${t('calls.leaveTable')} (${tb.name})` : t('calls.dropIn', { table: tb.name })}
          </button>
        ))}
      </div>
      <p role="status" className={at ? '' : 'sr-only'}>{at ? t('calls.listeningAt', { table: at.name }) : ''}</p>
      {at && (
        <div className="row wrap">
          <button type="button" onClick={() => void calls.help(!s.helping)}>{s.helping ? t('calls.helpMute') : t('calls.helpTalk')}</button>
        </div>
      )}
      {s.micProblem && <p className="call-problem" role="alert">{t(`calls.mic.${s.micProblem}`)}</p>}
    </section>
  )
}

const noop = () => () => {}
const nothing = () => null
