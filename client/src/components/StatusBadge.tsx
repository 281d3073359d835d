import { useTranslation } from 'react-i18next'
import type { ConnectionStatus } from '../transport/CafeConnection'
import type { TableclothStatus } from '../transport/TableclothSession'

/** Always-visible connection state: online, reconnecting, or offline with writing kept on the device. */
export function StatusBadge({ cafe, tablecloth }: { cafe: ConnectionStatus | null; tablecloth?: TableclothStatus | null }) {
  const { t } = useTranslation()
  const offline = cafe === 'offline' || tablecloth === 'offline'
  const connecting = cafe === 'connecting' || tablecloth === 'connecting'
  const state = offline ? 'offline' : connecting ? 'connecting' : 'online'
  return (
    <span className={`status status-${state}`} role="status" aria-live="polite">
      <span className="dot" aria-hidden="true" />
      {t(`status.${state}`)}
    </span>
  )
}
