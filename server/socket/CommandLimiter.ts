/**
 * Decides, before anything else is done, whether a Socket.IO command may run: each person (all their
 * connections), each facilitator connection and each address spends points from a token bucket.
 * A sender far over its limit (`floodFactor` times) is to be disconnected.
 */
import type { RequestName } from '../../shared/protocol'
import { FACILITATOR_REQUESTS, PARTICIPANT_REQUESTS } from '../../shared/protocol'
import { COMMAND_CLASS, COMMAND_COST_POINTS } from './socketLimits'
import type { SocketLimits } from './socketLimits'
import { TokenBuckets } from './TokenBuckets'

export type Verdict = 'ok' | 'limited' | 'flooding'

export interface Sender {
  /** The participant's id, or null for a facilitator. */
  participantId: string | null
  /** The connection (a facilitator is limited per connection). */
  socketId: string
  /** The client's address, as `addressKey` gives it. */
  address: string
}

export class CommandLimiter {
  private readonly participants: TokenBuckets
  private readonly facilitators: TokenBuckets
  private readonly addresses: TokenBuckets
  /** Every attempt, refused ones too, at `floodFactor` times the rate. */
  private readonly participantAttempts: TokenBuckets
  private readonly facilitatorAttempts: TokenBuckets

  constructor(limits: SocketLimits, now: () => number) {
    const times = (r: { burst: number; perSecond: number }) => ({ burst: r.burst * limits.floodFactor, perSecond: r.perSecond * limits.floodFactor })
    this.participants = new TokenBuckets(limits.participant, now)
    this.facilitators = new TokenBuckets(limits.facilitator, now)
    this.addresses = new TokenBuckets(limits.address, now)
    this.participantAttempts = new TokenBuckets(times(limits.participant), now)
    this.facilitatorAttempts = new TokenBuckets(times(limits.facilitator), now)
  }

  check(sender: Sender, name: RequestName): Verdict {
    const cost = costOf(name, sender.participantId !== null)
    const [own, attempts, key] = sender.participantId !== null
      ? [this.participants, this.participantAttempts, sender.participantId]
      : [this.facilitators, this.facilitatorAttempts, sender.socketId]
    if (!attempts.take(key, cost)) return 'flooding'
    if (!own.take(key, cost)) return 'limited'
    if (!this.addresses.take(sender.address, cost)) {
      own.refund(key, cost)
      return 'limited'
    }
    return 'ok'
  }
}

/** Points a request costs; one the sender's role may not send is refused at once, so it costs as a read. */
export function costOf(name: RequestName, isParticipant: boolean): number {
  const refused = isParticipant ? FACILITATOR_REQUESTS.has(name) : PARTICIPANT_REQUESTS.has(name)
  return COMMAND_COST_POINTS[refused ? 'read' : COMMAND_CLASS[name]]
}
