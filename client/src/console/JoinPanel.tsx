/** How participants join: the QR code, the code, the link, and where that link points (LAN, public…). */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { LinkBase } from '../../../shared/links'
import type { CafeView } from '../../../shared/protocol'
import { copyText } from '../copyText'
import { LinkSourceNote } from './LinkSourceNote'

export function JoinPanel({ view, links, facilitatorKey, onShowKey }: { view: CafeView; links: LinkBase & { known: boolean }; facilitatorKey: string; onShowKey(): void }) {
  const { t } = useTranslation()
  const joinUrl = `${links.base}/join/${view.joinCode}`
  const [copied, setCopied] = useState<boolean | null>(null)
  return (
    <section className="card join-panel" aria-labelledby="join-title">
      <h2 id="join-title">{t('console.joinTitle')}</h2>
      <div className="join-row">
        <img src={`/api/cafes/${view.id}/qr.svg`} alt={t('console.qrAlt', { url: joinUrl })} className="qr" width={160} height={160} />
        <div className="join-text">
          <p className="muted">{t('console.code')}</p>
          <p className="join-code"><span className="sr-only">{view.joinCode.split('').join(' ')}</span><span aria-hidden="true">{view.joinCode.slice(0, 4)} {view.joinCode.slice(4)}</span></p>
          <p className="small join-url"><a href={joinUrl}>{joinUrl}</a></p>
        </div>
      </div>
      {links.known && <LinkSourceNote links={links} />}
      <div className="row wrap">
        <button type="button" onClick={() => void copyText(joinUrl).then(setCopied)}>{copied ? t('common.copied') : t('console.copyJoin')}</button>
        <button type="button" id="keep-link-open" onClick={onShowKey}>{t('console.keepOpen')}</button>
        <a className="button" href={`/projector/${view.id}#key=${facilitatorKey}`} target="_blank" rel="noreferrer">{t('console.projector')}</a>
      </div>
      {copied === false && <p className="small warn-text" role="status">{t('console.copyFailed')}</p>}
      <p className="muted small">{t('console.count', { count: view.participantCount })}</p>
    </section>
  )
}
