/**
 * A WebSocket for y-websocket's provider that never sends a sync frame over the server's limit: a
 * SyncStep2 or update larger than `MAX_YJS_FRAME_BYTES` (a phone's offline backlog, drawings mostly)
 * goes as several updates cut by `splitUpdate`, each applicable after the one before. Without it, the
 * server would close the connection (1009) at every reconnection and the words would never arrive.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { MAX_YJS_FRAME_BYTES } from '../../../shared/constants'
import { splitUpdate } from '../../../shared/splitUpdate'

const MESSAGE_SYNC = 0
/** Room for the message's own header (message type, sync type, update length) under the limit. */
const HEADER_BYTES = 16

/** The frames to send for one y-websocket message: itself, or its update in pieces. */
export function splitSyncMessage(message: Uint8Array, maxFrameBytes: number = MAX_YJS_FRAME_BYTES): Uint8Array[] {
  if (message.length <= maxFrameBytes) return [message]
  try {
    const decoder = decoding.createDecoder(message)
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return [message]
    const type = decoding.readVarUint(decoder)
    if (type !== syncProtocol.messageYjsSyncStep2 && type !== syncProtocol.messageYjsUpdate) return [message]
    const pieces = splitUpdate(decoding.readVarUint8Array(decoder), maxFrameBytes - HEADER_BYTES)
    return pieces.map((piece) => {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      encoding.writeVarUint(encoder, type)
      encoding.writeVarUint8Array(encoder, piece)
      return encoding.toUint8Array(encoder)
    })
  } catch {
    return [message] // not ours to judge: the server answers what it cannot read
  }
}

interface Sender { send(data: never): void }
type SocketClass = new (url: string, protocols?: string | string[]) => Sender

/** `Base` (the browser's WebSocket, or `ws` in node) whose `send` cuts oversized sync messages. */
export function splittingWebSocket<T extends SocketClass>(Base: T, maxFrameBytes: number = MAX_YJS_FRAME_BYTES): T {
  const Splitting = class extends (Base as SocketClass) {
    override send(data: never): void {
      const bytes: unknown = data
      if (!(bytes instanceof Uint8Array) || bytes.length <= maxFrameBytes) return super.send(data)
      for (const frame of splitSyncMessage(bytes, maxFrameBytes)) super.send(frame as never)
    }
  }
  return Splitting as unknown as T
}
