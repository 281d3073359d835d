/**
 * Who may change what on a tablecloth, and what a tablecloth may hold: one pure check that the server
 * runs on every incoming Yjs update BEFORE it applies it (and refuses the update whole), and that the
 * client can run to warn early. The model is in `tablecloth.ts`; the rules, in words:
 *
 * - Ownership. A participant creates items only as themselves (author, name, a round they sat at this
 *   table, a plausible creation time), and changes or deletes only items they created; on anyone's item
 *   they may only set or take back their own star and their own dots. Facilitators create items as
 *   "facilitator" and moderate any item by marking it removed (`removedBy`, `removedAt`), never by
 *   deleting it, so it can be restored.
 * - Yjs client ids. Each client id is bound to the first writer that used it on this document (the
 *   server records it under the root map `clients`): nobody can write, or pre-empt the future clocks,
 *   of a tablemate's client id.
 * - A schema at the door: kinds, field types, coordinates, text lengths, stroke points, items per
 *   person per round, dots per person, and a byte budget per tablecloth.
 * - Nothing that cannot be placed: an update that refers to content the document does not have
 *   (missing dependencies), or deletes content that does not exist yet, is refused rather than parked.
 *
 * Reading the update without applying it uses Yjs's own decoder (`Y.decodeUpdate`) and looks up what
 * the update refers to in the document's struct store, read-only.
 */
import * as Y from 'yjs'
import { MAX_NAME_CHARS, MAX_ROUNDS } from './constants'
import { ITEM_KINDS } from './tablecloth'
import { deletedAlready, deletedRanges, firstEndingAfter, forEachGap, readDeletesOnly } from './deletedRanges'
import type { DeleteRanges } from './deletedRanges'
import { structAt } from './yjsStructs'

/** The limits, chosen from what a real table writes in an hour (see docs/protocol.md, "Tablecloth limits"). */
export const TABLECLOTH_LIMITS = {
  /** Characters in one note or text block. */
  textChars: 2_000,
  /** Numbers in one stroke (x, y, pressure per point): 4,000 points. */
  strokeNumbers: 12_000,
  /** Items one person adds to one tablecloth in one round. */
  itemsPerPersonRound: 300,
  /** Dots one person places on one tablecloth (all items together). */
  dotsPerPerson: 5,
  /** Stored bytes of one tablecloth (its whole Yjs history). */
  docBytes: 4 * 1024 * 1024,
  /** Coordinates stay within this distance of the sheet's origin. */
  coord: 100_000,
  /** A creation time may be ahead of the server's clock by this much (clock skew). */
  clockSkewMs: 10 * 60_000,
} as const

export const REFUSAL_REASONS = [
  'read-only', 'not-owner', 'immutable', 'bad-item', 'forbidden-type', 'foreign-client', 'missing-dependency',
  'future-delete', 'soft-delete-only', 'round-closed', 'too-many-items', 'text-too-long', 'too-many-dots', 'doc-too-big',
] as const
export type RefusalReason = (typeof REFUSAL_REASONS)[number]

/** Root maps written by the server only. */
export const CLIENTS_ROOT = 'clients'
export const LATE_ROOT = 'late'

export interface Writer {
  role: 'participant' | 'facilitator'
  /** The participant id, or "facilitator". */
  id: string
  name: string
}

export interface RuleContext {
  writer: Writer
  now: number
  /** May the writer add their own items of this round here, written at this time (seat and clock)? */
  mayCreate(round: number, createdAt: number): boolean
  /** May the writer change or delete their own item of this round here? */
  mayEdit(round: number): boolean
  /** May the writer star and dot here now? */
  mayReact(): boolean
  /** Bytes the document already holds. */
  docBytes: number
}

export type Verdict =
  /** `noop`: the document already has all of it (applying it would change nothing). */
  | { ok: true; noop: boolean; bindClients: number[]; created: Array<{ key: string; round: number }> }
  | { ok: false; reason: RefusalReason; detail: string }

const MUTABLE_FIELDS: ReadonlySet<string> = new Set(['x', 'y', 'color', 'size', 'width'])
const MODERATION_FIELDS: ReadonlySet<string> = new Set(['removedBy', 'removedAt'])
const BASE_FIELDS = ['kind', 'author', 'authorName', 'round', 'createdAt', 'x', 'y', 'color', 'stars', 'votes'] as const
const KIND_FIELDS: Record<(typeof ITEM_KINDS)[number], readonly string[]> = { note: ['text'], text: ['text', 'size'], stroke: ['points', 'width'] }
const HEX = /^#[0-9a-fA-F]{3,8}$/

class Refusal extends Error {
  constructor(readonly reason: RefusalReason, readonly detail: string) { super(detail) }
}
const refuse = (reason: RefusalReason, detail: string): never => { throw new Refusal(reason, detail) }

type Struct = Y.Item | Y.GC | Y.Skip
/** What a struct is, in the tablecloth model. */
type Place =
  | { at: 'items'; key: string | null }
  | { at: 'field'; item: ItemRef; key: string | null }
  | { at: 'text'; item: ItemRef }
  | { at: 'stars' | 'votes'; item: ItemRef; key: string | null }
  | { at: 'inert' }
  | { at: 'forbidden'; what: string }

/** A tablecloth item: one already in the document, or one this update creates. */
type ItemRef = { existing: Y.Map<unknown>; key: string } | { created: NewItem }
interface NewItem { key: string; struct: Y.Item; fields: Map<string, unknown>; textChars: number; stars: Map<string, unknown>; votes: Map<string, unknown> }

/**
 * Decides whether `update` may be applied to `doc` by this writer. Never throws on bad input: a
 * malformed update is refused as `bad-item`.
 */
export function checkUpdate(doc: Y.Doc, update: Uint8Array, ctx: RuleContext): Verdict {
  if (ctx.docBytes + update.length > TABLECLOTH_LIMITS.docBytes) {
    return { ok: false, reason: 'doc-too-big', detail: `this tablecloth is full (${TABLECLOTH_LIMITS.docBytes} bytes)` }
  }
  let decoded: { structs: Struct[]; ds: { clients: DeleteRanges } }
  try {
    // The common answer to a SyncStep1 holds deletions only, all of them known here: no need to decode it.
    const deletes = readDeletesOnly(update)
    if (deletes && deletedAlready(doc, deletes)) return { ok: true, noop: true, bindClients: [], created: [] }
    decoded = Y.decodeUpdate(update) as unknown as typeof decoded
  } catch {
    return { ok: false, reason: 'bad-item', detail: 'the update cannot be read' }
  }
  try {
    return new UpdateCheck(doc, decoded.structs, decoded.ds.clients, ctx).run()
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.reason, detail: err.detail }
    return { ok: false, reason: 'bad-item', detail: 'the update does not fit the tablecloth model' }
  }
}

class UpdateCheck {
  private readonly store: Map<number, Array<Y.Item | Y.GC>>
  private readonly incoming = new Map<number, Struct[]>()
  private readonly places = new Map<Struct, Place>()
  private readonly created = new Map<Y.Item, NewItem>()
  private readonly bind = new Set<number>()
  private readonly textGrowth = new Map<Y.Text, number>()
  private readonly owners: Y.Map<unknown>
  private readonly items: Y.Map<unknown>

  private readonly structs: Struct[]

  constructor(private doc: Y.Doc, structs: Struct[], private deletes: DeleteRanges, private ctx: RuleContext) {
    this.store = (doc.store as unknown as { clients: Map<number, Array<Y.Item | Y.GC>> }).clients
    // What the document already has is ignored by Yjs (a SyncStep2 often repeats an update in flight):
    // only what is new is judged.
    this.structs = structs.filter((s) => s.id.clock + s.length > Y.getState(doc.store, s.id.client))
    for (const s of structs) {
      const list = this.incoming.get(s.id.client)
      if (list) list.push(s)
      else this.incoming.set(s.id.client, [s])
    }
    for (const list of this.incoming.values()) {
      list.sort((x, y) => x.id.clock - y.id.clock)
      for (let i = 1; i < list.length; i++) if (list[i]!.id.clock < list[i - 1]!.id.clock + list[i - 1]!.length) refuse('bad-item', 'overlapping structs')
    }
    this.owners = doc.getMap(CLIENTS_ROOT)
    this.items = doc.getMap('items')
  }

  run(): Verdict {
    for (const s of this.structs) this.checkClient(s)
    for (const s of this.structs) if (s instanceof Y.Item) this.checkStruct(s)
    for (const item of this.created.values()) this.checkNewItem(item)
    const deletes = this.checkDeletes()
    this.checkCounts()
    return { ok: true, noop: this.structs.length === 0 && deletes === 0, bindClients: [...this.bind], created: [...this.created.values()].map((i) => ({ key: i.key, round: i.fields.get('round') as number })) }
  }

  // ---- client ids ----

  private checkClient(s: Struct): void {
    if (s instanceof Y.Skip) return
    const client = s.id.client
    if (this.bind.has(client)) return
    const owner = this.owners.get(String(client))
    if (owner === this.ctx.writer.id) return
    if (owner !== undefined) refuse('foreign-client', `client id ${client} belongs to someone else`)
    if (Y.getState(this.doc.store, client) > 0 && !this.inferOwner(client)) refuse('foreign-client', `client id ${client} already wrote here`)
    this.bind.add(client)
  }

  /** Documents from before client ids were recorded: a client id is the writer's if it created one of their items. */
  private inferOwner(client: number): boolean {
    let mine = false
    this.items.forEach((value) => {
      if (!mine && value instanceof Y.Map && value._item?.id.client === client) mine = value.get('author') === this.ctx.writer.id
    })
    return mine
  }

  // ---- where a struct goes ----

  /** The struct holding `id`: in the document, else in this update, else null (a missing dependency). */
  private find(id: Y.ID): Struct | null {
    const clock = id.clock
    if (clock < Y.getState(this.doc.store, id.client)) {
      const list = this.store.get(id.client)!
      return list[Y.findIndexSS(list, clock)] ?? null
    }
    const list = this.incoming.get(id.client)
    return list ? structAt(list, clock) : null
  }

  private placeOf(s: Struct, depth = 0): Place {
    const known = this.places.get(s)
    if (known) return known
    if (depth > 8) refuse('forbidden-type', 'nested too deep')
    let place: Place
    if (!(s instanceof Y.Item)) place = { at: 'inert' }
    else if (s.parent instanceof Y.AbstractType) place = this.placeInType(s.parent, s.parentSub, depth)
    else if (typeof s.parent === 'string') place = this.placeInRoot(s.parent, s.parentSub)
    else if (s.parent instanceof Y.ID) {
      const parent = this.find(s.parent) ?? refuse('missing-dependency', 'the update refers to content this tablecloth does not have')
      place = this.placeUnder(parent, s.parentSub, depth)
    } else {
      const neighbour = s.origin ?? s.rightOrigin
      if (!neighbour) refuse('bad-item', 'a struct without a parent')
      const n = this.find(neighbour!) ?? refuse('missing-dependency', 'the update refers to content this tablecloth does not have')
      const np = this.placeOf(n, depth + 1)
      // A neighbour's place, under the key the struct inherits from it.
      place = np
    }
    this.places.set(s, place)
    return place
  }

  private placeInRoot(name: string, key: string | null): Place {
    if (name === 'items') return { at: 'items', key }
    return { at: 'forbidden', what: `root "${name}"` }
  }

  /** A struct whose parent is an integrated type of the document. */
  private placeInType(type: Y.AbstractType<unknown>, key: string | null, depth: number): Place {
    const item = type._item
    if (item === null) return this.placeInRoot(rootName(this.doc, type), key)
    return this.placeUnder(item, key, depth)
  }

  /** A struct inside the type that struct `parent` created. */
  private placeUnder(parent: Struct, key: string | null, depth: number): Place {
    if (!(parent instanceof Y.Item) || parent.deleted && this.isIntegrated(parent)) return { at: 'inert' }
    if (!(parent.content instanceof Y.ContentType)) return { at: 'forbidden', what: 'content under a non-type' }
    const pp = this.placeOf(parent, depth + 1)
    const type = parent.content.type
    if (pp.at === 'items') {
      if (!(type instanceof Y.Map) || pp.key === null) return { at: 'forbidden', what: 'an item that is not a map' }
      const ref: ItemRef = this.isIntegrated(parent) ? { existing: type as Y.Map<unknown>, key: pp.key } : { created: this.newItem(parent, pp.key) }
      return { at: 'field', item: ref, key }
    }
    if (pp.at === 'field') {
      if (pp.key === 'text' && type instanceof Y.Text) return { at: 'text', item: pp.item }
      if ((pp.key === 'stars' || pp.key === 'votes') && type instanceof Y.Map) return { at: pp.key, item: pp.item, key }
      return { at: 'forbidden', what: `a type under "${pp.key}"` }
    }
    if (pp.at === 'inert' || pp.at === 'forbidden') return pp
    return { at: 'forbidden', what: 'nested too deep' }
  }

  private isIntegrated(s: Struct): boolean {
    return s.id.clock < Y.getState(this.doc.store, s.id.client)
  }

  private newItem(struct: Y.Item, key: string): NewItem {
    let item = this.created.get(struct)
    if (!item) {
      item = { key, struct, fields: new Map(), textChars: 0, stars: new Map(), votes: new Map() }
      this.created.set(struct, item)
    }
    return item
  }

  // ---- what a struct may do ----

  private get isFacilitator(): boolean { return this.ctx.writer.role === 'facilitator' }

  private checkStruct(s: Y.Item): void {
    const place = this.placeOf(s)
    const content = s.content
    switch (place.at) {
      case 'inert': return
      case 'forbidden': return refuse('forbidden-type', `writing to ${place.what}`)
      case 'items': {
        if (place.key === null) refuse('forbidden-type', 'a list entry in the items map')
        // A new value for a key replaces (deletes) the current one.
        const current = this.items.get(place.key!)
        if (current instanceof Y.Map) this.mustOwn(current, 'replace')
        if (content instanceof Y.ContentType) {
          if (!(content.type instanceof Y.Map)) refuse('bad-item', 'an item must be a map')
          this.newItem(s, place.key!)
        } else if (!(content instanceof Y.ContentDeleted)) {
          refuse('bad-item', 'an item must be a map')
        }
        return
      }
      case 'field': {
        if (place.key === null) refuse('bad-item', 'a list entry in an item')
        const key = place.key!
        if ('created' in place.item) {
          if (place.item.created.struct === s) return
          if (!(content instanceof Y.ContentDeleted)) place.item.created.fields.set(key, valueOf(content))
          return
        }
        const item = place.item.existing
        if (MODERATION_FIELDS.has(key)) {
          if (!this.isFacilitator) refuse('not-owner', 'only a facilitator can remove or restore an item')
          if (!(content instanceof Y.ContentDeleted)) checkModeration(key, valueOf(content), this.ctx)
          return
        }
        this.mustOwn(item, 'change')
        if (!MUTABLE_FIELDS.has(key)) refuse('immutable', `"${key}" cannot change once written`)
        if (!(content instanceof Y.ContentDeleted)) checkField(key, valueOf(content), String(item.get('kind')))
        return
      }
      case 'text': {
        if (!(content instanceof Y.ContentString) && !(content instanceof Y.ContentDeleted)) refuse('bad-item', 'only plain text in a note')
        const chars = content instanceof Y.ContentString ? content.str.length : 0
        if ('created' in place.item) { place.item.created.textChars += chars; return }
        this.mustOwn(place.item.existing, 'change')
        const text = place.item.existing.get('text')
        if (text instanceof Y.Text) {
          const grown = (this.textGrowth.get(text) ?? text.length) + chars
          this.textGrowth.set(text, grown)
          if (grown > TABLECLOTH_LIMITS.textChars) refuse('text-too-long', `a note holds at most ${TABLECLOTH_LIMITS.textChars} characters`)
        }
        return
      }
      case 'stars': case 'votes': {
        if (place.key !== this.ctx.writer.id) refuse('not-owner', `only your own ${place.at === 'stars' ? 'star' : 'dots'}`)
        const v = content instanceof Y.ContentDeleted ? undefined : valueOf(content)
        if (place.at === 'stars' && v !== undefined && v !== true) refuse('bad-item', 'a star is true')
        if (place.at === 'votes' && v !== undefined && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1000)) refuse('bad-item', 'dots are a whole number')
        if ('created' in place.item) { (place.at === 'stars' ? place.item.created.stars : place.item.created.votes).set(place.key!, v) ; return }
        if (!this.ctx.mayReact() && !this.isFacilitator) refuse('read-only', 'you cannot react on this tablecloth now')
        return
      }
    }
  }

  /** The writer must be the author of this existing item (and may still edit that round here). */
  private mustOwn(item: Y.Map<unknown>, what: 'change' | 'replace' | 'delete'): void {
    if (item.get('author') !== this.ctx.writer.id) {
      if (this.isFacilitator) refuse('soft-delete-only', 'facilitators remove items by marking them, never by changing them')
      refuse('not-owner', `you can only ${what} your own items`)
    }
    const round = item.get('round')
    if (!this.isFacilitator && !(typeof round === 'number' && this.ctx.mayEdit(round))) refuse('read-only', 'you cannot change this item here now')
  }

  private checkNewItem(item: NewItem): void {
    const f = item.fields
    const kind = f.get('kind')
    if (typeof kind !== 'string' || !(ITEM_KINDS as readonly string[]).includes(kind)) refuse('bad-item', 'unknown kind of item')
    const allowed = new Set<string>([...BASE_FIELDS, ...KIND_FIELDS[kind as keyof typeof KIND_FIELDS]])
    for (const key of f.keys()) if (!allowed.has(key)) refuse('bad-item', `unknown field "${key}"`)
    for (const key of allowed) if (!f.has(key)) refuse('bad-item', `missing field "${key}"`)
    if (f.get('author') !== this.ctx.writer.id) refuse('not-owner', 'items are written in your own name')
    const name = f.get('authorName')
    if (typeof name !== 'string' || name.length > MAX_NAME_CHARS || (!this.isFacilitator && name !== this.ctx.writer.name)) refuse('not-owner', 'items carry your own name')
    const round = f.get('round')
    const createdAt = f.get('createdAt')
    if (!Number.isInteger(round) || (round as number) < 1 || (round as number) > MAX_ROUNDS) refuse('bad-item', 'bad round')
    if (typeof createdAt !== 'number' || !Number.isFinite(createdAt) || createdAt > this.ctx.now + TABLECLOTH_LIMITS.clockSkewMs || createdAt < 0) refuse('bad-item', 'bad creation time')
    if (!this.isFacilitator && !this.ctx.mayCreate(round as number, createdAt as number)) refuse('round-closed', `you did not sit at this table in round ${round as number}, or that round is over`)
    for (const key of ['x', 'y', 'color', ...KIND_FIELDS[kind as keyof typeof KIND_FIELDS]]) {
      if (key !== 'text') checkField(key, f.get(key), kind as string)
    }
    if (kind !== 'stroke' && !(f.get('text') instanceof Y.Text)) refuse('bad-item', 'a note has a text')
    if (item.textChars > TABLECLOTH_LIMITS.textChars) refuse('text-too-long', `a note holds at most ${TABLECLOTH_LIMITS.textChars} characters`)
    if (!(f.get('stars') instanceof Y.Map) || !(f.get('votes') instanceof Y.Map)) refuse('bad-item', 'an item has stars and dots')
  }

  // ---- deletions ----

  /** Checks what the update deletes; returns how many live structs that is. */
  private checkDeletes(): number {
    const doomed: Y.Item[] = []
    this.forEachDeleted((s) => doomed.push(s))
    // Deleting an item deletes everything in it, tablemates' stars included: only the item's own rule applies.
    const deletedItems = new Set(doomed.filter((s) => this.placeOf(s).at === 'items'))
    for (const s of doomed) {
      const place = this.placeOf(s)
      if ((place.at === 'field' || place.at === 'text' || place.at === 'stars' || place.at === 'votes') && 'existing' in place.item && place.item.existing._item && deletedItems.has(place.item.existing._item)) continue
      this.checkDeletion(s)
    }
    return doomed.length
  }

  /**
   * Every live struct of the document that this update's delete set would delete. An update carries
   * the sender's whole delete set, nearly all of it deleted here already: only the parts the document
   * has not deleted yet (`deletedRanges`) are looked up in the struct store.
   */
  private forEachDeleted(fn: (s: Y.Item) => void): void {
    const already = deletedRanges(this.doc)
    for (const [client, ranges] of this.deletes) {
      const state = Y.getState(this.doc.store, client)
      const last = this.incoming.get(client)?.at(-1)
      // Deleting what the update itself creates is fine; deleting what exists nowhere yet is not.
      const incomingEnd = Math.max(state, last ? last.id.clock + last.length : 0)
      const done = already.get(client) ?? []
      // Both lists are sorted: walk them together (a binary search only when the update's are not).
      let cursor = 0
      let previous = -1
      for (const { clock, len } of ranges) {
        const end = clock + len
        if (end > incomingEnd) refuse('future-delete', 'deleting content that does not exist')
        if (clock >= state) continue
        if (clock < previous) cursor = firstEndingAfter(done, clock)
        previous = clock
        while (cursor < done.length && done[cursor]!.end <= clock) cursor++
        const upTo = Math.min(end, state)
        const covering = done[cursor]
        if (covering && covering.clock <= clock && covering.end >= upTo) continue // deleted here already
        forEachGap(done, clock, upTo, (from, to) => {
          const list = this.store.get(client)!
          for (let i = Y.findIndexSS(list, from); i < list.length && list[i]!.id.clock < to; i++) {
            const s = list[i]!
            if (s instanceof Y.Item && !s.deleted) fn(s)
          }
        })
      }
    }
  }

  private checkDeletion(s: Y.Item): void {
    const place = this.placeOf(s)
    switch (place.at) {
      case 'inert': return
      case 'forbidden': return refuse('forbidden-type', `deleting ${place.what}`)
      case 'items': {
        if (s.content instanceof Y.ContentType && s.content.type instanceof Y.Map) this.mustOwn(s.content.type as Y.Map<unknown>, 'delete')
        return
      }
      case 'field': {
        if ('created' in place.item) return
        if (place.key !== null && MODERATION_FIELDS.has(place.key)) {
          if (!this.isFacilitator) refuse('not-owner', 'only a facilitator can remove or restore an item')
          return
        }
        this.mustOwn(place.item.existing, 'change')
        if (place.key === null || !MUTABLE_FIELDS.has(place.key)) refuse('immutable', `"${place.key}" cannot change once written`)
        return
      }
      case 'text':
        if ('existing' in place.item) this.mustOwn(place.item.existing, 'change')
        return
      case 'stars': case 'votes':
        if (place.key !== this.ctx.writer.id) refuse('not-owner', `only your own ${place.at === 'stars' ? 'star' : 'dots'}`)
        return
    }
  }

  // ---- totals ----

  private checkCounts(): void {
    const me = this.ctx.writer.id
    const newByRound = new Map<number, number>()
    for (const item of this.created.values()) {
      const r = item.fields.get('round') as number
      newByRound.set(r, (newByRound.get(r) ?? 0) + 1)
    }
    if (newByRound.size > 0) {
      const index = itemIndex(this.doc)
      for (const [r, n] of newByRound) {
        if ((index.counts.get(countKey(me, r)) ?? 0) + n > TABLECLOTH_LIMITS.itemsPerPersonRound) refuse('too-many-items', `at most ${TABLECLOTH_LIMITS.itemsPerPersonRound} items per person and round on a tablecloth`)
      }
    }
    const votes = this.structs.filter((s): s is Y.Item => s instanceof Y.Item && this.placeOf(s).at === 'votes' && !(s.content instanceof Y.ContentDeleted))
    if (votes.length === 0) return
    // Dots are rare: count them when an update places some. Each value written replaces the writer's old one.
    let dots = 0
    this.items.forEach((value) => {
      const v = value instanceof Y.Map ? value.get('votes') : null
      const mine = v instanceof Y.Map ? v.get(me) : undefined
      if (typeof mine === 'number') dots += mine
    })
    for (const s of votes) {
      const place = this.placeOf(s) as Extract<Place, { at: 'stars' | 'votes' }>
      const before = 'existing' in place.item ? place.item.existing.get('votes') : null
      const old = before instanceof Y.Map && typeof before.get(me) === 'number' ? (before.get(me) as number) : 0
      dots += (valueOf(s.content) as number) - old
    }
    if (dots > TABLECLOTH_LIMITS.dotsPerPerson) refuse('too-many-dots', `at most ${TABLECLOTH_LIMITS.dotsPerPerson} dots per person on a tablecloth`)
  }
}

/**
 * Items per person and round, kept up to date by an observer on the items map, so that a new note is
 * counted without reading every item of the tablecloth (one index per document, built on first use).
 */
interface ItemIndex { byKey: Map<string, string>; counts: Map<string, number> }
const indexes = new WeakMap<Y.Doc, ItemIndex>()
const countKey = (author: string, round: number) => `${author}\u0000${round}`

function itemIndex(doc: Y.Doc): ItemIndex {
  const known = indexes.get(doc)
  if (known) return known
  const index: ItemIndex = { byKey: new Map(), counts: new Map() }
  const items = doc.getMap<unknown>('items')
  const add = (key: string, value: unknown) => {
    if (!(value instanceof Y.Map)) return
    const k = countKey(String(value.get('author')), Number(value.get('round')))
    index.byKey.set(key, k)
    index.counts.set(k, (index.counts.get(k) ?? 0) + 1)
  }
  const remove = (key: string) => {
    const k = index.byKey.get(key)
    if (k === undefined) return
    index.byKey.delete(key)
    const n = (index.counts.get(k) ?? 1) - 1
    if (n <= 0) index.counts.delete(k)
    else index.counts.set(k, n)
  }
  items.forEach((value, key) => add(key, value))
  items.observe((event) => {
    for (const [key, change] of event.changes.keys) {
      if (change.action !== 'add') remove(key)
      if (change.action !== 'delete') add(key, items.get(key))
    }
  })
  indexes.set(doc, index)
  return index
}

function rootName(doc: Y.Doc, type: Y.AbstractType<unknown>): string {
  for (const [name, t] of doc.share) if (t === type) return name
  return ''
}

function valueOf(content: Y.Item['content']): unknown {
  if (content instanceof Y.ContentAny) return content.arr.length === 1 ? content.arr[0] : content.arr.length === 0 ? undefined : refuse('bad-item', 'one value per field')
  if (content instanceof Y.ContentType) return content.type
  if (content instanceof Y.ContentString) return content.str
  return refuse('bad-item', 'unsupported content')
}

function isCoord(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= TABLECLOTH_LIMITS.coord
}

/** One field's value, for a new item or a change of a mutable field. */
function checkField(key: string, v: unknown, kind: string): void {
  switch (key) {
    case 'x': case 'y':
      if (!isCoord(v)) refuse('bad-item', `"${key}" must be a coordinate`)
      return
    case 'color':
      if (typeof v !== 'string' || !HEX.test(v)) refuse('bad-item', 'a colour is a hex value')
      return
    case 'size':
      if (kind !== 'text' || typeof v !== 'number' || !(v >= 8 && v <= 160)) refuse('bad-item', 'bad text size')
      return
    case 'width':
      if (kind !== 'stroke' || typeof v !== 'number' || !(v >= 0.5 && v <= 64)) refuse('bad-item', 'bad stroke width')
      return
    case 'points': {
      if (!Array.isArray(v) || v.length % 3 !== 0 || v.length > TABLECLOTH_LIMITS.strokeNumbers || !v.every(isCoord)) refuse('bad-item', `a stroke has at most ${TABLECLOTH_LIMITS.strokeNumbers / 3} points`)
      return
    }
    default:
      refuse('immutable', `"${key}" cannot change once written`)
  }
}

function checkModeration(key: string, v: unknown, ctx: RuleContext): void {
  if (key === 'removedBy' && v !== ctx.writer.id) refuse('bad-item', 'removedBy names the facilitator')
  if (key === 'removedAt' && !(typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= ctx.now + TABLECLOTH_LIMITS.clockSkewMs)) refuse('bad-item', 'bad removal time')
}
