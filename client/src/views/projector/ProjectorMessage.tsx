import type { BroadcastMessage } from '../../../../shared/protocol'
import { Icon } from '../../components/Icon'

/** The facilitator's message to everyone, as large as the room needs. Plain text, never HTML. */
export function ProjectorMessage({ message }: { message: BroadcastMessage | null }) {
  if (!message) return null
  return <div className="pj-message" role="alert"><Icon name="megaphone" size={48} /> <span>{message.text}</span></div>
}
