/**
 * "Keep this link": the facilitator link is the café's only key, shown after creation (and whenever asked)
 * with what to do with it: copy it, scan it to carry it to a phone, print a facilitator card. The QR code
 * is drawn here, in the browser: the key (in the #fragment) is never sent to the server.
 */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { LinkBase } from '../../../shared/links'
import { copyText } from '../copyText'
import { QrCode } from './QrCode'

export function facilitatorLink(base: string, cafeId: string, key: string): string {
  return `${base}/facilitate/${cafeId}#key=${key}`
}

export function KeepLinkPanel({ cafeId, facilitatorKey, links, pending, onDone }: {
  cafeId: string; facilitatorKey: string; links: LinkBase; pending: boolean; onDone(): void
}) {
  const { t } = useTranslation()
  const url = facilitatorLink(links.base, cafeId, facilitatorKey)
  const [copied, setCopied] = useState<boolean | null>(null)
  return (
    <section className="card keep-link" aria-labelledby="keep-title">
      <h2 id="keep-title" tabIndex={-1}>{t('console.keepTitle')}</h2>
      <p>{t('console.keepText')}</p>
      <p className="small warn-text">{t('console.keepSecret')}</p>
      <div className="keep-grid">
        <div className="keep-copy">
          <label htmlFor="facilitator-link">{t('console.keepLinkLabel')}</label>
          <input id="facilitator-link" className="keep-url" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
          <div className="row wrap">
            <button type="button" className="primary" onClick={() => void copyText(url).then(setCopied)}>{copied ? t('common.copied') : t('console.keepCopy')}</button>
            <a className="button" href={`/print/${cafeId}#key=${facilitatorKey}&kind=facilitator`} target="_blank" rel="noreferrer">{t('console.keepPrint')}</a>
          </div>
          <p className="small" role="status">{copied === false ? t('console.copyFailed') : ''}</p>
          {links.source === 'loopback' && <p className="small warn-text">{t('console.keepLoopback')}</p>}
        </div>
        <figure className="keep-qr">
          <QrCode text={url} label={t('console.keepQrAlt')} size={176} />
          <figcaption className="small">{t('console.keepQr')}</figcaption>
        </figure>
      </div>
      <div className="row">
        <button type="button" onClick={onDone}>{pending ? t('console.keepDone') : t('common.close')}</button>
      </div>
    </section>
  )
}
