/** Hand-made y-websocket frames, as a hostile client would craft them, and readers of the server's answers. */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import { MESSAGE_AUTH, MESSAGE_SYNC } from '../../server/yjs/TableclothServer'

/** A sync-protocol frame carrying a Yjs update (an Update, or a SyncStep2). */
export function updateFrame(update: Uint8Array, syncType: number = syncProtocol.messageYjsUpdate): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_SYNC)
  encoding.writeVarUint(e, syncType)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

/** A SyncStep1 with an empty state vector: "send me everything". */
export function syncStep1Frame(): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_SYNC)
  syncProtocol.writeSyncStep1(e, new Y.Doc())
  return encoding.toUint8Array(e)
}

/** Reads the server's whole document out of its first SyncStep2 answer. */
export function docFromStep2(messages: Uint8Array[]): Y.Doc | null {
  for (const m of messages) {
    const d = decoding.createDecoder(m)
    if (decoding.readVarUint(d) !== MESSAGE_SYNC || decoding.readVarUint(d) !== syncProtocol.messageYjsSyncStep2) continue
    const doc = new Y.Doc()
    Y.applyUpdate(doc, decoding.readVarUint8Array(d))
    return doc
  }
  return null
}

/** The refusal reasons (auth permission-denied messages) the server sent on a raw connection. */
export function refusals(messages: Uint8Array[]): string[] {
  const out: string[] = []
  for (const m of messages) {
    const d = decoding.createDecoder(m)
    if (decoding.readVarUint(d) !== MESSAGE_AUTH || decoding.readVarUint(d) !== 0) continue
    out.push(decoding.readVarString(d))
  }
  return out
}
