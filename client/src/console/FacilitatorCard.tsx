/**
 * The printable facilitator card: the café, its facilitator link written out and as a QR code (drawn in
 * the browser: the key never reaches the server), and how participants join. In the reader's language.
 */
import type { useTranslation } from 'react-i18next'
import type { CafeView } from '../../../shared/protocol'
import { facilitatorLink } from './KeepLinkPanel'
import { QrCode } from './QrCode'

type T = ReturnType<ReturnType<typeof useTranslation>['i18n']['getFixedT']>

export function FacilitatorCard({ view, base, facilitatorKey, when, t }: { view: CafeView; base: string; facilitatorKey: string; when: string; t: T }) {
  const url = facilitatorLink(base, view.id, facilitatorKey)
  const joinUrl = `${base.replace(/^https?:\/\//, '')}/join/${view.joinCode}`
  return (
    <article className="facilitator-card" aria-label={t('print.facilitatorTitle')}>
      <p className="eyebrow">{t('print.facilitatorEyebrow')}</p>
      <h2>{view.definition.title}</h2>
      {when && <p className="muted">{when}</p>}
      <p>{t('print.facilitatorText')}</p>
      <div className="facilitator-card-body">
        <QrCode text={url} label={t('print.facilitatorQr')} size={208} />
        <div className="facilitator-card-link">
          <p className="small">{t('print.facilitatorHow')}</p>
          <p className="eyebrow">{t('print.facilitatorLink')}</p>
          <p className="facilitator-url">{url}</p>
        </div>
      </div>
      <p className="small">{t('print.facilitatorJoin', { url: joinUrl, code: view.joinCode })}</p>
    </article>
  )
}
