/**
 * How much a Socket.IO client may ask of the server: limits a real café never reaches (a facilitator
 * clicking fast, a participant fixing their name, a conference behind one NAT address reconnecting after
 * a Wi-Fi blip), far below what would hold the event loop. Documented in docs/protocol.md, "Socket.IO limits".
 */
import type { RequestName } from '../../shared/protocol'
import type { BucketRate } from './TokenBuckets'

/** What a command costs the server: an answer from memory, a change written to the store, or much more. */
export type CommandClass = 'read' | 'write' | 'heavy'

export const COMMAND_CLASS: Record<RequestName, CommandClass> = {
  'clock:sync': 'read',
  'cafe:open': 'write',
  'cafe:end': 'write',
  'cafe:close': 'write',
  'cafe:setAdvance': 'write',
  'round:start': 'write',
  'round:pause': 'write',
  'round:resume': 'write',
  'round:skip': 'write',
  'round:addTime': 'write',
  'participant:move': 'write',
  'participant:setHost': 'write',
  'participant:remove': 'write',
  'participant:setPresent': 'write',
  'participant:setRemote': 'write',
  'participant:leave': 'write',
  'participant:update': 'write',
  'tablecloth:lock': 'write',
  'cafe:broadcast': 'write',
  'plan:move': 'write',
  'plan:unpin': 'write',
  /** Up to 500 people created, hashed and written at once. */
  'participant:add': 'heavy',
  /** A planning of every open round in the worker thread. */
  'plan:replan': 'heavy',
}

export const COMMAND_COST_POINTS: Record<CommandClass, number> = { read: 1, write: 5, heavy: 50 }

export interface SocketLimits {
  /** Each participant, all their connections together (a person may open many tabs). */
  participant: BucketRate
  /** Each facilitator connection. */
  facilitator: BucketRate
  /** Everyone behind one address together. Going over is refused, never a reason to disconnect. */
  address: BucketRate
  /** A person or facilitator connection that asks this many times their rate is disconnected. */
  floodFactor: number
  connections: {
    /** Connections open at once from one address. */
    maxOpenPerAddress: number
    /** New connections from one address. */
    perAddress: BucketRate
  }
}

export const SOCKET_LIMITS: SocketLimits = {
  // 60 clock syncs (20 reconnections) or 12 changes at once; then 2 points/s (a change every 2.5 s).
  participant: { burst: 60, perSecond: 2 },
  // 60 commands or 6 heavy ones at once; then 3 commands a second, or a heavy one every 3.3 s.
  facilitator: { burst: 300, perSecond: 15 },
  // 1,500 phones reconnecting at once (3 clock syncs each) fit, with room to spare.
  address: { burst: 6000, perSecond: 300 },
  floodFactor: 10,
  connections: {
    maxOpenPerAddress: 3000,
    // 1,500 at once, then 50 a second (3,000 a minute).
    perAddress: { burst: 1500, perSecond: 50 },
  },
}
