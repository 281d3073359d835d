/** Where the links point, in words; a clear warning when phones cannot open them. */
import { useTranslation } from 'react-i18next'
import type { LinkBase } from '../../../shared/links'

export function LinkSourceNote({ links }: { links: LinkBase }) {
  const { t } = useTranslation()
  const text = t(`console.linkSource.${links.source}`, { base: links.base })
  if (links.source === 'loopback') {
    return (
      <div className="link-warning" role="alert" data-link-source={links.source}>
        <strong>{t('console.loopbackTitle')}</strong>
        <p>{text}</p>
      </div>
    )
  }
  return <p className="small link-source" data-link-source={links.source}>{text}</p>
}
