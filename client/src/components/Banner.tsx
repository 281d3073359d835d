import { useTranslation } from 'react-i18next'
import type { BroadcastMessage } from '../../../shared/protocol'
import { Icon } from './Icon'

/**
 * The facilitator's message to everyone. Plain text only. With `onClear` (the facilitator's screens) it
 * has a button to take it down, whatever the café's phase: a banner can always be cleared.
 */
export function Banner({ message, onClear }: { message: BroadcastMessage | null; onClear?: () => void }) {
  const { t } = useTranslation()
  if (!message) return null
  if (!onClear) return <div className="banner" role="alert"><Icon name="megaphone" /> {message.text}</div>
  return (
    <div className="banner banner-clearable">
      <p className="banner-text" role="alert"><Icon name="megaphone" /> <span className="sr-only">{t('console.bannerShown')} </span>{message.text}</p>
      <button type="button" className="small banner-clear" onClick={onClear}>{t('console.broadcastClear')}</button>
    </div>
  )
}
