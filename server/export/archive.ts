/**
 * The JSON archive of a whole café: definition, participants, every tablecloth (now and at the end of
 * each round), the harvest and the synthesis, with a schema version. `POST /api/cafes/import` recreates
 * a café from it, and exporting that café again gives the same archive.
 *
 * Participant ids are the archive's own (`p1`, `p2`, ... in join order), so that an archive can be
 * imported next to the café it came from, and so that exporting an imported café gives the same ids.
 */
import { randomBytes } from 'node:crypto'
import * as Y from 'yjs'
import { z } from 'zod'
import type { CafeDefinition } from '../../shared/cafe'
import { definitionToInput, parseCafeInput } from '../../shared/cafe'
import type { FieldErrors } from '../../shared/cafe'
import { zodFieldErrors } from '../../shared/cafe'
import { BLOCK_FORMS, MAX_SECTION_TEXT_CHARS, byOrder, harvestDocName, restoreHarvest } from '../../shared/harvest'
import type { HarvestState, SynthesisPartState } from '../../shared/harvest'
import { MAX_PHOTOS_PER_CAFE, PHOTO_TYPES, readPhoto } from '../../shared/photos'
import type { Seating } from '../../shared/rotation'
import type { TableclothItem } from '../../shared/tablecloth'
import { initTablecloth, restoreItem, tableclothDocName } from '../../shared/tablecloth'
import type { Transcription } from '../../shared/transcriptions'
import { MAX_TRANSCRIPTIONS, MAX_TRANSCRIPTION_CHARS, restoreTranscriptions } from '../../shared/transcriptions'
import type { CafeRegistry } from '../cafes/CafeRegistry'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import type { DurableWriter } from '../store/DurableWriter'
import type { PhotoRecord } from '../store/Store'
import type { CafeData, PersonData, TableclothData } from './cafeData'
import { LoopBudget } from './LoopBudget'

export const ARCHIVE_FORMAT = 'nappe.cafe-archive'
export const ARCHIVE_SCHEMA_VERSION = 1
/**
 * Largest archive `POST /api/cafes/import` accepts. A 40-table café of notes weighs 1-2 MB; one whose
 * 160 tablecloths all hold drawings (tests/helpers/bigArchive.ts) about 21 MB, near the stroke-number
 * bound below; 50 MB leaves room for long texts. Reading is done on the import thread, with its own time
 * and memory limits (jobPools.ts), so the size bounds memory, not how long the live tables wait.
 */
export const MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
/**
 * Photo bytes an archive carries at most (base64 makes them a third bigger): 20 MB is a café's worth of
 * phone photos resized to 2,000 px, and leaves 23 MB of MAX_ARCHIVE_BYTES for everything else. Past it
 * the remaining photos are left out, and the archive says how many (`photosLeftOut`); the zip has them all.
 */
export const MAX_ARCHIVE_PHOTO_BYTES = 20 * 1024 * 1024
const MAX_ARCHIVE_ITEMS = 200_000
const MAX_ARCHIVE_POINTS = 5_000_000

const id = z.string().min(1).max(64)
const shortText = z.string().max(200)
const time = z.number().finite().min(0).max(8.64e15)
const itemSchema = z.object({
  id: z.string().min(1).max(200),
  kind: z.enum(['note', 'text', 'stroke']),
  author: id,
  authorName: shortText,
  round: z.number().finite(),
  createdAt: time,
  x: z.number().finite(),
  y: z.number().finite(),
  color: z.string().regex(/^#[0-9a-fA-F]{3,8}$/),
  stars: z.array(z.string().max(200)).max(5_000),
  votes: z.number().finite(),
  votesBy: z.record(z.string().max(200), z.number().finite()),
  // Bounds are those of what a tablecloth can hold (a Yjs frame is at most 1 MiB), so that every
  // archive Nappe writes can be imported again.
  text: z.string().max(1_100_000).optional(),
  size: z.number().finite().optional(),
  points: z.array(z.number().finite()).max(1_100_000).optional(),
  width: z.number().finite().optional(),
})
const tableclothSchema = z.object({ tableId: id, questionId: id, items: z.array(itemSchema).max(50_000) })
const sectionRef = z.string().regex(/^[qf]:[A-Za-z0-9_-]{1,40}$/) as z.ZodType<`q:${string}` | `f:${string}`>

export const archiveSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  schemaVersion: z.literal(ARCHIVE_SCHEMA_VERSION),
  cafe: z.object({ createdAt: time, definition: z.unknown() }),
  participants: z.array(z.object({
    id, displayName: shortText, organisation: shortText.nullable(), sector: shortText.nullable(), hostOf: id.nullable(),
    joinedAt: z.number().finite(), leftAt: z.number().finite().nullable(),
    // Hybrid cafés: takes part online (absent: in the room, and from older archives).
    remote: z.boolean().optional(),
  })).max(20_000),
  history: z.array(z.record(id, id)).max(100),
  tablecloths: z.array(tableclothSchema).max(10_000),
  snapshots: z.array(tableclothSchema.extend({ round: z.number().int().min(1).max(100), takenAt: z.number().finite() })).max(100_000),
  harvest: z.object({
    // A free section's prose, a theme's form, deliberate moves across questions, the draft's options: absent from older archives.
    sections: z.array(z.object({ id, title: shortText, order: z.number().finite(), text: z.string().max(MAX_SECTION_TEXT_CHARS).optional() })).max(1_000),
    themes: z.array(z.object({ id, section: sectionRef, name: shortText, order: z.number().finite(), form: z.enum(BLOCK_FORMS).optional() })).max(10_000),
    crossings: z.record(z.string().max(200), id).optional(),
    draft: z.object({ counts: z.boolean(), frequent: z.boolean(), unsorted: z.record(id, z.enum(BLOCK_FORMS)) }).optional(),
    placements: z.record(z.string().max(200), id),
    keyPoints: z.array(z.string().max(200)),
    merges: z.record(z.string().max(200), z.string().max(200)),
    dismissed: z.array(z.string().max(401)),
    // Which pictures each question's section shows (absent from older archives).
    questionImages: z.record(id, z.union([z.literal('final'), z.number().int().min(1).max(100)])).optional(),
  }),
  synthesis: z.array(z.object({ key: z.string().max(100), text: z.string().max(1_000_000), generated: z.string().max(1_000_000) })).max(1_000),
  // Absent from archives of a Nappe from before photos: both optional, so those still import.
  photos: z.array(z.object({
    id, tableId: id, questionId: id, round: z.number().int().min(1).max(100), type: z.enum(PHOTO_TYPES),
    by: z.discriminatedUnion('kind', [z.object({ kind: z.literal('facilitator') }), z.object({ kind: z.literal('host'), participantId: id, name: shortText })]),
    createdAt: time, data: z.base64().max(Math.ceil((MAX_ARCHIVE_PHOTO_BYTES * 4) / 3) + 4),
  })).max(MAX_PHOTOS_PER_CAFE).optional(),
  photosLeftOut: z.number().int().min(0).optional(),
  transcriptions: z.array(z.object({
    id, photoId: id, tableId: id, questionId: id, round: z.number().int().min(1).max(100), text: z.string().max(MAX_TRANSCRIPTION_CHARS), createdAt: time,
  })).max(MAX_TRANSCRIPTIONS).optional(),
})
export type CafeArchive = z.infer<typeof archiveSchema>

// ---- export ----

/** Drawing keys carry their author's id (`t:q:drawing:round:author`); pair keys are `a|b`. */
function mapKey(key: string, map: (id: string) => string): string {
  if (key.includes('|')) return key.split('|').map((k) => mapKey(k, map)).join('|')
  const parts = key.split(':')
  if (parts.length === 5 && parts[2] === 'drawing') parts[4] = map(parts[4]!)
  return parts.join(':')
}

function mapItem(item: TableclothItem, map: (id: string) => string): TableclothItem {
  const votesBy = Object.fromEntries(Object.entries(item.votesBy).map(([who, n]) => [map(who), n] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return { ...item, author: map(item.author), stars: item.stars.map(map).sort(), votesBy }
}

const sortedRecord = <T>(r: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

function mapHarvest(h: HarvestState, map: (id: string) => string): HarvestState {
  return {
    sections: [...h.sections].sort(byOrder),
    themes: [...h.themes].sort(byOrder),
    placements: sortedRecord(Object.fromEntries(Object.entries(h.placements).map(([k, v]) => [mapKey(k, map), v]))),
    keyPoints: h.keyPoints.map((k) => mapKey(k, map)).sort(),
    merges: sortedRecord(Object.fromEntries(Object.entries(h.merges).map(([k, v]) => [mapKey(k, map), mapKey(v, map)]))),
    dismissed: h.dismissed.map((k) => mapKey(k, map)).sort(),
    questionImages: sortedRecord(h.questionImages ?? {}),
    crossings: sortedRecord(Object.fromEntries(Object.entries(h.crossings ?? {}).map(([k, v]) => [mapKey(k, map), v]))),
    ...(h.draft ? { draft: { ...h.draft, unsorted: sortedRecord(h.draft.unsorted) } } : {}),
  }
}

export function buildArchive(data: CafeData): CafeArchive {
  const local = new Map(data.participants.map((p, i) => [p.id, `p${i + 1}`]))
  const map = (who: string) => local.get(who) ?? who
  const cloth = <T extends TableclothData>(t: T): T => ({ ...t, items: t.items.map((i) => mapItem(i, map)) })
  return {
    format: ARCHIVE_FORMAT,
    schemaVersion: ARCHIVE_SCHEMA_VERSION,
    cafe: { createdAt: data.createdAt, definition: definitionToInput(data.definition) },
    participants: data.participants.map((p) => ({ ...p, id: map(p.id) })),
    history: data.history.map((s) => sortedRecord(Object.fromEntries(Object.entries(s).map(([who, t]) => [map(who), t])))),
    tablecloths: data.tablecloths.map(cloth),
    snapshots: data.snapshots.map(cloth),
    harvest: mapHarvest(data.harvest, map),
    synthesis: [...data.synthesisParts].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    ...archivePhotos(data, map),
    transcriptions: (data.transcriptions ?? []).map((t) => ({ ...t })),
  }
}

/** The photos that fit in MAX_ARCHIVE_PHOTO_BYTES, in the exports' order, and how many did not. */
function archivePhotos(data: CafeData, map: (id: string) => string): Pick<CafeArchive, 'photos' | 'photosLeftOut'> {
  let budget = MAX_ARCHIVE_PHOTO_BYTES
  const photos: NonNullable<CafeArchive['photos']> = []
  let left = 0
  for (const p of data.photos ?? []) {
    if (p.data.byteLength > budget) { left++; continue }
    budget -= p.data.byteLength
    const by = p.by.kind === 'host' ? { ...p.by, participantId: map(p.by.participantId) } : p.by
    photos.push({ id: p.id, tableId: p.tableId, questionId: p.questionId, round: p.round, type: p.type, by, createdAt: p.createdAt, data: Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('base64') })
  }
  return left > 0 ? { photos, photosLeftOut: left } : { photos }
}

/**
 * The archive as text: two-space indented, except that each tablecloth item stays on one line. A
 * drawing's points one per line would make the archive of a café that draws a lot weigh three times
 * as much, and no longer fit under MAX_ARCHIVE_BYTES when imported again.
 */
export function archiveJson(archive: CafeArchive): string {
  const nonce = randomBytes(9).toString('base64url')
  const lines = new Map<string, string>()
  const oneLine = (item: unknown) => {
    const token = `\u0000${nonce}:${lines.size}`
    lines.set(JSON.stringify(token), JSON.stringify(item))
    return token
  }
  const flat = <T extends { items: unknown[] }>(t: T): T => ({ ...t, items: t.items.map(oneLine) })
  const text = JSON.stringify({ ...archive, tablecloths: archive.tablecloths.map(flat), snapshots: archive.snapshots.map(flat) }, null, 2)
  // A note holding the same characters cannot match: it would need the nonce, drawn afresh for each export.
  return `${text.replace(/"\\u0000[A-Za-z0-9_-]{12}:\d+"/g, (m) => lines.get(m) ?? m)}\n`
}

// ---- import ----

export function parseArchive(body: unknown): { ok: true; archive: CafeArchive; definition: CafeDefinition } | { ok: false; message: string; fields?: FieldErrors } {
  const parsed = archiveSchema.safeParse(body)
  if (!parsed.success) {
    const looksLikeOne = typeof body === 'object' && body !== null && (body as { format?: unknown }).format === ARCHIVE_FORMAT
    const newer = looksLikeOne && typeof (body as { schemaVersion?: unknown }).schemaVersion === 'number' && (body as { schemaVersion: number }).schemaVersion > ARCHIVE_SCHEMA_VERSION
    if (newer) return { ok: false, message: 'This archive comes from a newer version of Nappe; upgrade Nappe to import it.' }
    return { ok: false, message: looksLikeOne ? 'The archive is damaged or incomplete.' : 'This is not a Nappe café archive.', fields: zodFieldErrors(parsed.error) }
  }
  const def = parseCafeInput(parsed.data.cafe.definition)
  if (!def.ok) return { ok: false, message: 'The café definition in the archive is not valid.', fields: def.fields }
  return { ok: true, archive: parsed.data, definition: def.value }
}

function itemFromArchive(i: CafeArchive['tablecloths'][number]['items'][number]): TableclothItem {
  const base = { id: i.id, author: i.author, authorName: i.authorName, round: i.round, createdAt: i.createdAt, x: i.x, y: i.y, color: i.color, stars: i.stars, votes: i.votes, votesBy: i.votesBy }
  if (i.kind === 'stroke') return { ...base, kind: 'stroke', points: i.points ?? [], width: i.width ?? 4 }
  if (i.kind === 'text') return { ...base, kind: 'text', text: i.text ?? '', size: i.size ?? 18 }
  return { ...base, kind: 'note', text: i.text ?? '' }
}

/**
 * The items of a tablecloth as one Yjs update. The café's id (in the tablecloth's `meta`) is not in it:
 * the café does not exist yet when this runs; `writeImport` adds that part.
 */
function itemsState(items: TableclothItem[]): Uint8Array {
  const doc = new Y.Doc()
  for (const item of items) restoreItem(doc, item)
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}

/** An archive read and checked, its tablecloths already made into Yjs states: what the café's import writes. */
export interface PreparedImport {
  definition: CafeDefinition
  createdAt: number
  /** Under their new ids, in archive order. */
  participants: PersonData[]
  history: Seating[]
  /** Tablecloths with something on them: their items as a Yjs update. */
  tablecloths: Array<{ tableId: string; questionId: string; update: Uint8Array }>
  /** End-of-round states (items only: the exports read nothing else from a snapshot). */
  snapshots: Array<{ tableId: string; questionId: string; round: number; takenAt: number; state: Uint8Array }>
  /** The harvest document (themes, placements, synthesis, typed contributions) as a Yjs update. */
  harvest: Uint8Array
  /** Photos under new ids (the typed contributions' `photoId` follows), without their café. */
  photos: Array<Omit<PhotoRecord, 'cafeId'>>
  itemCount: number
}

export type PrepareResult = { ok: true; prepared: PreparedImport } | { ok: false; message: string; fields?: FieldErrors }

const NOT_JSON = 'The request body is not valid JSON.'

/**
 * Everything heavy an import does, with no server state: parse the body, check it against the schema
 * and against what a café can hold, give the people new ids and build every Yjs state. Runs in the
 * import worker thread; the main thread then only writes (`writeImport`).
 */
export function prepareImport(body: Uint8Array | string): PrepareResult {
  let json: unknown
  try {
    json = JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch {
    return { ok: false, message: NOT_JSON }
  }
  const parsed = parseArchive(json)
  if (!parsed.ok) return parsed
  const { archive, definition } = parsed
  const known = new Set(definition.rounds.flatMap((r) => Object.entries(r.questionByTable).map(([t, q]) => `${t}.${q}`)))
  // What one café can really hold; beyond it an archive is a way to fill the server, not a café.
  let itemCount = 0, numbers = 0
  for (const t of [...archive.tablecloths, ...archive.snapshots]) {
    itemCount += t.items.length
    for (const i of t.items) numbers += i.points?.length ?? 0
  }
  if (itemCount > MAX_ARCHIVE_ITEMS || numbers > MAX_ARCHIVE_POINTS) return { ok: false, message: `The archive holds more than a café can (${MAX_ARCHIVE_ITEMS} items, ${MAX_ARCHIVE_POINTS} stroke numbers).` }
  const seen = new Set<string>()
  for (const t of archive.tablecloths) if (seen.has(`${t.tableId}.${t.questionId}`)) return { ok: false, message: `The tablecloth (${t.tableId}, ${t.questionId}) is twice in the archive.` }; else seen.add(`${t.tableId}.${t.questionId}`)
  for (const t of archive.snapshots) if (seen.has(`${t.tableId}.${t.questionId}#${t.round}`)) return { ok: false, message: `The snapshot of (${t.tableId}, ${t.questionId}) at round ${t.round} is twice in the archive.` }; else seen.add(`${t.tableId}.${t.questionId}#${t.round}`)
  for (const t of [...archive.tablecloths, ...archive.snapshots]) {
    if (!known.has(`${t.tableId}.${t.questionId}`)) return { ok: false, message: `The archive has a tablecloth (${t.tableId}, ${t.questionId}) that its café plan does not.` }
  }
  // New ids, random (the café's id is not known yet) and sorting in archive order, so that people
  // who joined in the same millisecond keep their order.
  const prefix = randomBytes(9).toString('base64url')
  const real = new Map<string, string>()
  const participants = archive.participants.map((p, i) => {
    const fresh = `${prefix}-${String(i + 1).padStart(6, '0')}`
    real.set(p.id, fresh)
    return { ...p, id: fresh }
  })
  const map = (who: string) => real.get(who) ?? who
  const history: Seating[] = archive.history.map((s) => Object.fromEntries(Object.entries(s).map(([who, t]) => [map(who), t])))
  const items = (t: { items: CafeArchive['tablecloths'][number]['items'] }) => t.items.map((i) => mapItem(itemFromArchive(i), map))
  // Photos get new ids (an archive can be imported beside its café); their bytes must be what they say.
  const photoIds = new Map<string, string>()
  const photos: PreparedImport['photos'] = []
  for (const p of archive.photos ?? []) {
    if (!known.has(`${p.tableId}.${p.questionId}`)) return { ok: false, message: `The archive has a photo of a tablecloth (${p.tableId}, ${p.questionId}) that its café plan does not.` }
    const data = new Uint8Array(Buffer.from(p.data, 'base64'))
    const { info } = readPhoto(data)
    if (!info || info.type !== p.type) return { ok: false, message: `The photo ${p.id} in the archive is not a JPEG or PNG image Nappe accepts.` }
    const fresh = `${prefix}-ph${String(photos.length + 1).padStart(4, '0')}`
    photoIds.set(p.id, fresh)
    const by = p.by.kind === 'host' ? { ...p.by, participantId: map(p.by.participantId) } : p.by
    photos.push({ id: fresh, tableId: p.tableId, questionId: p.questionId, round: p.round, ...info, bytes: data.byteLength, by, createdAt: p.createdAt, data })
  }
  const transcriptions: Transcription[] = (archive.transcriptions ?? []).map((t) => ({ ...t, photoId: photoIds.get(t.photoId) ?? t.photoId }))
  const doc = new Y.Doc()
  restoreHarvest(doc, mapHarvest({ ...archive.harvest, questionImages: archive.harvest.questionImages ?? {} }, map), archive.synthesis)
  restoreTranscriptions(doc, transcriptions)
  const harvest = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return {
    ok: true,
    prepared: {
      definition, createdAt: archive.cafe.createdAt, participants, history, harvest, itemCount, photos,
      tablecloths: archive.tablecloths.filter((t) => t.items.length > 0).map((t) => ({ tableId: t.tableId, questionId: t.questionId, update: itemsState(items(t)) })),
      snapshots: archive.snapshots.map((s) => ({ tableId: s.tableId, questionId: s.questionId, round: s.round, takenAt: s.takenAt, state: itemsState(items(s)) })),
    },
  }
}

/** People saved per step of `writeImport` (each is a row and a token hash: about 0.2 ms). */
const PEOPLE_PER_STEP = 10
/**
 * Longest run of writes before `writeImport` lets the event loop turn. Small: during an import the
 * import thread and the sender already take most of a small machine's cores, so every turn the live
 * tables wait for costs them more than its length.
 */
const WRITE_BUDGET_MS = 8

/**
 * Creates a new café (new id, join code and facilitator key) holding what a prepared import holds.
 * Only writes, cut in steps: every WRITE_BUDGET_MS the event loop gets a turn, so that the live tables
 * never wait on a big import. Nobody can reach the café before this resolves (its key is not out yet).
 */
export async function writeImport(registry: CafeRegistry, writer: DurableWriter, p: PreparedImport): Promise<{ cafe: CafeRuntime; facilitatorKey: string }> {
  const { cafe, facilitatorKey } = registry.create(p.definition)
  const steps: Array<() => void> = []
  for (let i = 0; i < p.participants.length; i += PEOPLE_PER_STEP) {
    steps.push(() => cafe.restorePeople(p.participants.slice(i, i + PEOPLE_PER_STEP)))
  }
  steps.push(() => cafe.restorePast({ createdAt: p.createdAt, history: p.history }))
  for (const t of p.tablecloths) {
    steps.push(() => {
      const docName = tableclothDocName(cafe.id, t.tableId, t.questionId)
      writer.appendUpdate(docName, metaState(cafe.id, t))
      writer.appendUpdate(docName, t.update)
    })
  }
  for (const s of p.snapshots) {
    steps.push(() => writer.saveSnapshot(cafe.id, { docName: tableclothDocName(cafe.id, s.tableId, s.questionId), round: s.round, takenAt: s.takenAt, state: s.state }))
  }
  steps.push(() => writer.appendUpdate(harvestDocName(cafe.id), p.harvest))
  for (const photo of p.photos) {
    steps.push(() => {
      // Photos go to the store directly (as uploads do): one the disk refuses is logged, not fatal.
      try { writer.store.savePhoto({ ...photo, cafeId: cafe.id }) } catch { /* the café is imported without it */ }
    })
  }
  const budget = new LoopBudget(WRITE_BUDGET_MS)
  // The thread's answer was just read, and the café created: the tables first.
  await budget.yield()
  for (const step of steps) {
    step()
    await budget.turn()
  }
  return { cafe, facilitatorKey }
}

/** The `meta` part of a tablecloth (schema version, café, table, question), as a Yjs update of its own. */
function metaState(cafeId: string, ids: { tableId: string; questionId: string }): Uint8Array {
  const doc = new Y.Doc()
  initTablecloth(doc, { cafeId, ...ids })
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}
