/**
 * A Socket.IO request's arguments: its payload, and how to answer it: through its acknowledgement, or,
 * when the client asked for none, by a `server:error` event for a refusal (success needs no word).
 */
import type { Ack } from '../../shared/errors'

export interface RequestArgs {
  payload: unknown
  ack: ((a: Ack<unknown>) => void) | null
  answer(result: Ack<unknown>): void
}

export function requestArgs(socket: { emit(event: 'server:error', error: unknown): unknown }, args: unknown[]): RequestArgs {
  const last = args.at(-1)
  const ack = typeof last === 'function' ? (last as (a: Ack<unknown>) => void) : null
  const payload = ack ? (args.length > 1 ? args[0] : undefined) : args[0]
  return {
    payload, ack,
    answer: (result) => {
      if (ack) ack(result)
      else if (!result.ok) socket.emit('server:error', result.error)
    },
  }
}
