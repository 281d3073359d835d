import type { BroadcastMessage } from '../../../shared/protocol'
import { Icon } from './Icon'

/** The facilitator's message to everyone. Plain text only. */
export function Banner({ message }: { message: BroadcastMessage | null }) {
  if (!message) return null
  return <div className="banner" role="alert"><Icon name="megaphone" /> {message.text}</div>
}
