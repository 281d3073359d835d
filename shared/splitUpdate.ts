/**
 * Cuts one Yjs update into several, each at most `maxBytes`, that the server can check and apply one
 * after the other. The server refuses frames over `MAX_YJS_FRAME_BYTES` (decoding them would hold its
 * loop), so a phone that wrote a lot while offline (drawings are the bulky part) sends its backlog in
 * pieces rather than a frame refused at every reconnection.
 *
 * Each piece is acceptable on its own:
 * - a client's structs go in clock order (Yjs integrates nothing after a gap);
 * - every piece depends only on what the server had or on earlier pieces;
 * - an item is never cut from its fields: the rules (tableclothRules.ts) judge a new item whole, so all
 *   the structs a client wrote under one new item (its map, fields, text, stars) stay in one piece;
 * - the deletions come last, in a piece of their own.
 *
 * Yjs has no public "split" (its `diffUpdate` only cuts below a state vector), so this reads the update
 * with `Y.decodeUpdate` and writes the structs back with Yjs's own encoder and `struct.write`, as
 * `Y.mergeUpdates` does.
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { structAt } from './yjsStructs'

type Struct = Y.Item | Y.GC | Y.Skip
/** The bytes a piece holds besides its structs: header, client blocks, the empty delete set. */
const PIECE_OVERHEAD_BYTES = 32
const BLOCK_OVERHEAD_BYTES = 16

/** Consecutive structs of one client that must travel together. */
interface Unit { client: number; structs: Struct[]; bytes: number }

/**
 * The pieces, in the order to send them. An update that fits is returned as is; a unit larger than
 * `maxBytes` (the rules never allow one) goes alone in its piece.
 */
export function splitUpdate(update: Uint8Array, maxBytes: number): Uint8Array[] {
  if (update.length <= maxBytes) return [update]
  const { structs, ds } = Y.decodeUpdate(update) as unknown as { structs: Struct[]; ds: { clients: Map<number, unknown[]> } }
  const queues = new Map<number, Struct[]>()
  for (const s of structs) {
    const q = queues.get(s.id.client)
    if (q) q.push(s)
    else queues.set(s.id.client, [s])
  }
  for (const q of queues.values()) q.sort((a, b) => a.id.clock - b.id.clock)
  const atoms = new Atoms(queues)
  const units = new Map([...queues].map(([client, q]) => [client, unitsOf(client, q, atoms)]))

  // Below the first clock of each client in the update, the server already has everything.
  const sent = new Map([...queues].map(([client, q]) => [client, q[0]!.id.clock]))
  const ready = (id: Y.ID | null) => id === null || !sent.has(id.client) || id.clock < sent.get(id.client)!
  const ownClockOf = (unit: Unit, id: Y.ID | null) => id !== null && id.client === unit.client && id.clock >= unit.structs[0]!.id.clock
  const depsMet = (unit: Unit) => unit.structs.every((s) => !(s instanceof Y.Item)
    || [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null].every((id) => ready(id) || ownClockOf(unit, id)))

  const pieces: Uint8Array[] = []
  let piece: Unit[] = []
  let pieceBytes = PIECE_OVERHEAD_BYTES
  const flush = () => {
    if (piece.length > 0) pieces.push(encodeUnits(piece))
    piece = []
    pieceBytes = PIECE_OVERHEAD_BYTES
  }
  const add = (unit: Unit) => {
    // One run per client in a piece: a second unit of the same client must follow the first directly.
    const last = [...piece].reverse().find((u) => u.client === unit.client)
    const gap = last !== undefined && endOf(last) !== unit.structs[0]!.id.clock
    if (piece.length > 0 && (pieceBytes + unit.bytes > maxBytes || gap)) flush()
    piece.push(unit)
    pieceBytes += unit.bytes
    sent.set(unit.client, endOf(unit))
  }
  const heads = new Map([...units.keys()].map((c) => [c, 0]))
  for (let left = [...units.values()].reduce((n, list) => n + list.length, 0); left > 0;) {
    let progressed = false
    for (const [client, list] of units) {
      let i = heads.get(client)!
      for (; i < list.length && depsMet(list[i]!); i++, left--, progressed = true) add(list[i]!)
      heads.set(client, i)
    }
    // Dependencies the update itself cannot meet (it refers to content the server lacks): the rest goes
    // together and the server decides, as it would have for the whole update.
    if (!progressed) {
      for (const [client, list] of units) for (const unit of list.slice(heads.get(client)!)) add(unit)
      left = 0
    }
  }
  flush()
  if (ds.clients.size > 0) pieces.push(Y.diffUpdate(update, Y.encodeStateVectorFromUpdate(update)))
  return pieces
}

const endOf = (unit: Unit) => { const s = unit.structs[unit.structs.length - 1]!; return s.id.clock + s.length }

/**
 * Which new item each struct belongs to: the top-level struct (a value of a root map) it was written
 * under, when the update holds it; else the existing item it edits (an edit can travel alone).
 */
class Atoms {
  private readonly memo = new Map<Struct, string>()
  constructor(private readonly queues: Map<number, Struct[]>) {}

  of(s: Struct): string {
    let atom = this.memo.get(s)
    if (atom === undefined) {
      atom = this.resolve(s)
      this.memo.set(s, atom)
    }
    return atom
  }

  private resolve(s: Struct): string {
    if (!(s instanceof Y.Item)) return `own:${s.id.client}:${s.id.clock}`
    if (typeof s.parent === 'string') return `own:${s.id.client}:${s.id.clock}`
    if (s.parent instanceof Y.ID) {
      const parent = this.find(s.parent)
      return parent ? this.of(parent) : `ext:${s.parent.client}:${s.parent.clock}`
    }
    // Written next to a sibling (origin or right origin): same parent as that sibling.
    const sibling = s.origin ?? s.rightOrigin
    if (!sibling) return `own:${s.id.client}:${s.id.clock}`
    const found = this.find(sibling)
    if (!found) return `ext-sibling:${sibling.client}:${sibling.clock}`
    // A sibling at the top level means this struct is a top-level value itself (a map key set again).
    return this.topLevel(found) ? `own:${s.id.client}:${s.id.clock}` : this.of(found)
  }

  private topLevel(s: Struct): boolean {
    if (!(s instanceof Y.Item)) return false
    if (typeof s.parent === 'string') return true
    if (s.parent instanceof Y.ID) return false
    const sibling = s.origin ?? s.rightOrigin
    const found = sibling ? this.find(sibling) : null
    return found ? this.topLevel(found) : false
  }

  /** The struct of the update that holds this id, if any. */
  private find(id: Y.ID): Struct | null {
    const q = this.queues.get(id.client)
    return q ? structAt(q, id.clock) : null
  }
}

/** A client's structs in the fewest pieces that never cut one new item from its fields. */
function unitsOf(client: number, q: Struct[], atoms: Atoms): Unit[] {
  const lastIndex = new Map<string, number>()
  q.forEach((s, i) => lastIndex.set(atoms.of(s), i))
  const units: Unit[] = []
  for (let start = 0; start < q.length;) {
    let end = start
    for (let i = start; i <= end; i++) end = Math.max(end, lastIndex.get(atoms.of(q[i]!))!)
    const structs = q.slice(start, end + 1)
    units.push({ client, structs, bytes: structs.reduce((n, s) => n + structBytes(s), BLOCK_OVERHEAD_BYTES) })
    start = end + 1
  }
  return units
}

function structBytes(s: Struct): number {
  const encoder = new Y.UpdateEncoderV1()
  s.write(encoder, 0)
  return encoder.toUint8Array().length
}

/** An update of these units (one contiguous run per client, in clock order) and no deletions. */
function encodeUnits(units: Unit[]): Uint8Array {
  const runs = new Map<number, Struct[]>()
  for (const unit of units) {
    const run = runs.get(unit.client)
    if (run) run.push(...unit.structs)
    else runs.set(unit.client, [...unit.structs])
  }
  const encoder = new Y.UpdateEncoderV1()
  encoding.writeVarUint(encoder.restEncoder, runs.size)
  for (const [client, run] of runs) {
    encoding.writeVarUint(encoder.restEncoder, run.length)
    encoder.writeClient(client)
    encoding.writeVarUint(encoder.restEncoder, run[0]!.id.clock)
    for (const s of run) s.write(encoder, 0)
  }
  encoding.writeVarUint(encoder.restEncoder, 0) // no deletions
  return encoder.toUint8Array()
}
