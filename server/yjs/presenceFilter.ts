/**
 * What a tablecloth connection may say of presence (y-protocols awareness: who is here, their cursor):
 * only for the awareness client ids its person owns, and with the server's idea of who they are.
 * Used by `TableclothServer` on every awareness message; it changes only who owns which id (the document's
 * owners, the connection's ids).
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type * as awarenessProtocol from 'y-protocols/awareness'

/** A connection may own this many awareness client ids (a tab normally has one). */
const MAX_AWARENESS_IDS_PER_CONN = 4
/** Awareness client ids remembered per person and document (a reload brings a new one). */
const MAX_AWARENESS_IDS_PER_PERSON = 16
/** Awareness states are a name, a colour and a cursor: a bigger one is not from our client. */
const MAX_AWARENESS_STATE_CHARS = 4096

/** The part of a connection presence needs: who it is, and the awareness client ids it owns. */
export interface PresenceConn {
  who: { role: 'facilitator' | 'participant'; participantId: string | null; name: string }
  clientIds: Set<number>
}

/** Who owns an awareness client id on a document: a person, whichever of their connections is live. */
export interface PresenceOwner<C> { person: string; conn: C | null }

/** The part of a loaded document presence needs. */
export interface PresenceDoc<C> {
  awareness: awarenessProtocol.Awareness
  owners: Map<number, PresenceOwner<C>>
}

/**
 * Keeps only awareness entries for client ids this connection's person owns (binding a new id on first
 * use, for good on this document: a tablemate whose connection blips finds their id still theirs) and
 * overwrites `user.id`, `user.name` and `user.role` with who the connection really is. Stock y-websocket
 * clients echo the states of others back to the server: entries for another person's id are dropped,
 * and a newer clock than the server has for such an id is a forgery ('spoofed', the sender is closed).
 */
export function filterAwareness<C extends PresenceConn>(live: PresenceDoc<C>, conn: C, update: Uint8Array): Uint8Array | 'spoofed' {
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  const person = conn.who.participantId ?? 'facilitator'
  const kept: Array<{ clientId: number; clock: number; state: string }> = []
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const raw = decoding.readVarString(decoder)
    if (raw.length > MAX_AWARENESS_STATE_CHARS) throw new Error('awareness state too large')
    const state: unknown = JSON.parse(raw)
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new Error('awareness state must be an object or null')
    const owner = live.owners.get(clientId)
    const known = live.awareness.meta.get(clientId)
    if (owner && owner.person !== person) {
      if (known && clock > known.clock) return 'spoofed'
      continue
    }
    if (owner && owner.conn !== conn) {
      // The same person on a new connection (a reconnect, another tab with the same state): it is theirs.
      if (conn.clientIds.size >= MAX_AWARENESS_IDS_PER_CONN) return 'spoofed'
      owner.conn?.clientIds.delete(clientId)
      owner.conn = conn
      conn.clientIds.add(clientId)
    } else if (!owner) {
      if (known && clock <= known.clock) continue // an echo of someone who has left
      if (conn.clientIds.size >= MAX_AWARENESS_IDS_PER_CONN) return 'spoofed'
      forgetOldestIds(live, person)
      live.owners.set(clientId, { person, conn })
      conn.clientIds.add(clientId)
    }
    const clean = state === null ? null : {
      ...(state as Record<string, unknown>),
      user: {
        ...(typeof (state as { user?: unknown }).user === 'object' ? (state as { user: object }).user : {}),
        id: person, name: conn.who.name, role: conn.who.role,
      },
    }
    kept.push({ clientId, clock, state: JSON.stringify(clean) })
  }
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, kept.length)
  for (const e of kept) {
    encoding.writeVarUint(encoder, e.clientId)
    encoding.writeVarUint(encoder, e.clock)
    encoding.writeVarString(encoder, e.state)
  }
  return encoding.toUint8Array(encoder)
}

/** A person keeps at most MAX_AWARENESS_IDS_PER_PERSON ids on a document: the oldest unused ones go. */
function forgetOldestIds<C extends PresenceConn>(live: PresenceDoc<C>, person: string): void {
  const mine = [...live.owners].filter(([, o]) => o.person === person)
  for (const [id, o] of mine) {
    if (mine.length < MAX_AWARENESS_IDS_PER_PERSON) return
    if (o.conn === null) { live.owners.delete(id); mine.splice(mine.findIndex(([i]) => i === id), 1) }
  }
}
