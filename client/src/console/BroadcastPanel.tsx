/** The facilitator's message to everyone, shown as a banner on every screen until taken down (on the banner itself). */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'

export function BroadcastPanel({ current, onSend }: { current: string; onSend(text: string): Promise<boolean> }) {
  const { t } = useTranslation()
  const [text, setText] = useState('')
  return (
    <section className="card" aria-labelledby="broadcast-title">
      <h2 id="broadcast-title">{t('console.broadcastTitle')}</h2>
      <form onSubmit={(e) => { e.preventDefault(); void onSend(text.trim()).then((ok) => { if (ok) setText('') }) }}>
        <label htmlFor="broadcast" className="sr-only">{t('console.broadcastTitle')}</label>
        <textarea id="broadcast" rows={2} maxLength={500} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('console.broadcastPlaceholder')} />
        <div className="row">
          <button type="submit" className="primary" disabled={!text.trim()}>{t('console.broadcastSend')}</button>
          {current && <span className="small muted">{t('console.broadcastShown')}</span>}
        </div>
      </form>
    </section>
  )
}
