/**
 * The JSON archive of a whole café: definition, participants, every tablecloth (now and at the end of
 * each round), the harvest and the synthesis, with a schema version. `POST /api/cafes/import` recreates
 * a café from it, and exporting that café again gives the same archive.
 *
 * Participant ids are the archive's own (`p1`, `p2`, ... in join order), so that an archive can be
 * imported next to the café it came from, and so that exporting an imported café gives the same ids.
 */
import * as Y from 'yjs'
import { z } from 'zod'
import type { CafeDefinition } from '../../shared/cafe'
import { definitionToInput, parseCafeInput } from '../../shared/cafe'
import type { FieldErrors } from '../../shared/cafe'
import { zodFieldErrors } from '../../shared/cafe'
import { byOrder, harvestDocName, restoreHarvest } from '../../shared/harvest'
import type { HarvestState, SynthesisPartState } from '../../shared/harvest'
import type { Seating } from '../../shared/rotation'
import type { TableclothItem } from '../../shared/tablecloth'
import { initTablecloth, restoreItem, tableclothDocName } from '../../shared/tablecloth'
import type { CafeRegistry } from '../cafes/CafeRegistry'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import type { DurableWriter } from '../store/DurableWriter'
import type { CafeData, TableclothData } from './cafeData'

export const ARCHIVE_FORMAT = 'nappe.cafe-archive'
export const ARCHIVE_SCHEMA_VERSION = 1
/** Largest archive `POST /api/cafes/import` accepts. */
export const MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
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
  })).max(20_000),
  history: z.array(z.record(id, id)).max(100),
  tablecloths: z.array(tableclothSchema).max(10_000),
  snapshots: z.array(tableclothSchema.extend({ round: z.number().int().min(1).max(100), takenAt: z.number().finite() })).max(100_000),
  harvest: z.object({
    sections: z.array(z.object({ id, title: shortText, order: z.number().finite() })).max(1_000),
    themes: z.array(z.object({ id, section: sectionRef, name: shortText, order: z.number().finite() })).max(10_000),
    placements: z.record(z.string().max(200), id),
    keyPoints: z.array(z.string().max(200)),
    merges: z.record(z.string().max(200), z.string().max(200)),
    dismissed: z.array(z.string().max(401)),
  }),
  synthesis: z.array(z.object({ key: z.string().max(100), text: z.string().max(1_000_000), generated: z.string().max(1_000_000) })).max(1_000),
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
  }
}

// ---- import ----

export type ImportResult = { ok: true; cafe: CafeRuntime; facilitatorKey: string } | { ok: false; message: string; fields?: FieldErrors }

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

function docState(cafeId: string, t: { tableId: string; questionId: string; items: TableclothItem[] }): Uint8Array {
  const doc = new Y.Doc()
  initTablecloth(doc, { cafeId, tableId: t.tableId, questionId: t.questionId })
  for (const item of t.items) restoreItem(doc, item)
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}

/** Creates a new café (new id, join code and facilitator key) holding everything the archive holds. */
export function importArchive(registry: CafeRegistry, writer: DurableWriter, archive: CafeArchive, definition: CafeDefinition): ImportResult {
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
  const { cafe, facilitatorKey } = registry.create(definition)
  const real = new Map<string, string>()
  // New ids that sort in archive order, so that people who joined in the same millisecond keep their order.
  const people = archive.participants.map((p, i) => {
    const fresh = `${cafe.id}-${String(i + 1).padStart(6, '0')}`
    real.set(p.id, fresh)
    return { ...p, id: fresh }
  })
  const map = (who: string) => real.get(who) ?? who
  const history: Seating[] = archive.history.map((s) => Object.fromEntries(Object.entries(s).map(([who, t]) => [map(who), t])))
  cafe.restorePast({ createdAt: archive.cafe.createdAt, history, participants: people })

  const items = (t: { items: CafeArchive['tablecloths'][number]['items'] }) => t.items.map((i) => mapItem(itemFromArchive(i), map))
  for (const t of archive.tablecloths) {
    if (t.items.length > 0) writer.appendUpdate(tableclothDocName(cafe.id, t.tableId, t.questionId), docState(cafe.id, { ...t, items: items(t) }))
  }
  for (const s of archive.snapshots) {
    writer.saveSnapshot(cafe.id, { docName: tableclothDocName(cafe.id, s.tableId, s.questionId), round: s.round, takenAt: s.takenAt, state: docState(cafe.id, { ...s, items: items(s) }) })
  }
  const harvest = mapHarvest(archive.harvest, map)
  const doc = new Y.Doc()
  restoreHarvest(doc, harvest, archive.synthesis)
  writer.appendUpdate(harvestDocName(cafe.id), Y.encodeStateAsUpdate(doc))
  doc.destroy()
  return { ok: true, cafe, facilitatorKey }
}
