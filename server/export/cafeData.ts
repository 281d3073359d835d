/**
 * Everything the exports need about one café, read once: the definition, who took part, every
 * tablecloth as it is now and as it was at the end of each round, the harvest and the synthesis.
 */
import * as Y from 'yjs'
import type { CafeDefinition } from '../../shared/cafe'
import { tableclothKeys } from '../../shared/cafe'
import type { Contribution } from '../../shared/contributions'
import { gatherContributions } from '../../shared/contributions'
import type { HarvestState, SynthesisPartState } from '../../shared/harvest'
import { composeSynthesis, harvestDocName, readHarvest, readSynthesisParts } from '../../shared/harvest'
import type { Phase } from '../../shared/lifecycle'
import type { PhotoMeta } from '../../shared/photos'
import { sortPhotos } from '../../shared/photos'
import type { Transcription } from '../../shared/transcriptions'
import { readTranscriptions, transcriptionContributions } from '../../shared/transcriptions'
import type { Seating } from '../../shared/rotation'
import { buildSynthesis, joinParts } from '../../shared/synthesis'
import type { TableclothItem } from '../../shared/tablecloth'
import { parseDocName, readItems, tableclothDocName } from '../../shared/tablecloth'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import type { DurableWriter } from '../store/DurableWriter'
import type { ParticipantRecord, SnapshotRecord } from '../store/Store'
import type { TableclothServer } from '../yjs/TableclothServer'
import { synthesisImageRefs } from './imagePaths'
import { LoopBudget } from './LoopBudget'

/** Who took part, as the exports see them (no credentials). */
export type PersonData = Omit<ParticipantRecord, 'cafeId' | 'tokenHash'>

export interface TableclothData { tableId: string; questionId: string; items: TableclothItem[] }
export interface RoundSnapshotData extends TableclothData { round: number; takenAt: number }
/** A photo of a paper tablecloth with its bytes. */
export interface PhotoData extends PhotoMeta { data: Uint8Array }

export interface CafeData {
  definition: CafeDefinition
  phase: Phase
  createdAt: number
  participants: PersonData[]
  /** Seating of each round played, oldest first. */
  history: Seating[]
  /** Every tablecloth of the plan as it is now (empty ones included), in plan order. */
  tablecloths: TableclothData[]
  /** Tablecloths at the end of each round, by round then table. */
  snapshots: RoundSnapshotData[]
  harvest: HarvestState
  synthesisParts: SynthesisPartState[]
  /** Photos of paper tablecloths, in question, table, round order (absent: none). */
  photos?: PhotoData[]
  /** Contributions typed from those photos, in the harvest document (absent: none). */
  transcriptions?: Transcription[]
}

/** `snapshots: false` skips the end-of-round states (the harvest studio's frequent reads do not need them). */
export function collectCafeData(cafe: CafeRuntime, tablecloths: TableclothServer, writer: DurableWriter, opts: { snapshots?: boolean } = {}): CafeData {
  const def = cafe.definition
  const { harvest, synthesisParts, transcriptions } = tablecloths.readDoc(harvestDocName(cafe.id), (doc) => ({ harvest: readHarvest(doc), synthesisParts: readSynthesisParts(doc), transcriptions: readTranscriptions(doc) }))
  return {
    ...aboutCafe(cafe),
    tablecloths: tableclothKeys(def).map(({ tableId, questionId }) => ({
      tableId, questionId, items: tablecloths.readDoc(tableclothDocName(cafe.id, tableId, questionId), readItems),
    })),
    snapshots: decodeSnapshots(def, opts.snapshots === false ? [] : writer.listSnapshots(cafe.id)),
    harvest,
    synthesisParts,
    transcriptions,
    photos: opts.snapshots === false ? [] : loadPhotos(cafe, writer),
  }
}

/** A café's photos with their bytes, in the order the exports show them. */
function loadPhotos(cafe: CafeRuntime, writer: DurableWriter): PhotoData[] {
  const out: PhotoData[] = []
  for (const m of photoOrder(cafe, writer)) {
    const p = writer.store.getPhoto(cafe.id, m.id)
    if (p) out.push({ ...m, data: p.data })
  }
  return out
}

const photoOrder = (cafe: CafeRuntime, writer: DurableWriter): PhotoMeta[] =>
  sortPhotos(writer.store.listPhotos(cafe.id), cafe.definition.questions.map((q) => q.id), cafe.definition.tables.map((t) => t.id))

/**
 * A café as stored, for an export made on another thread: plain data and the Yjs updates of each
 * document, none of them decoded here. The store holds every update a live document received (each is
 * written before it is broadcast), plus the writer's backlog, so this is the café as it is now.
 */
export interface CafeSource extends Omit<CafeData, 'tablecloths' | 'snapshots' | 'harvest' | 'synthesisParts' | 'transcriptions'> {
  tablecloths: Array<{ tableId: string; questionId: string; updates: Uint8Array[] }>
  snapshots: SnapshotRecord[]
  harvest: Uint8Array[]
}

/**
 * For the main thread: reads of the store and copies, no Yjs work (`cafeDataFromSource` does that),
 * in steps that let the event loop turn. The copies are the café's own, so they can be handed to the
 * export thread (`transfer`) instead of being copied again in one go when the job is posted.
 */
export async function collectCafeSource(cafe: CafeRuntime, writer: DurableWriter): Promise<{ source: CafeSource; transfer: ArrayBuffer[] }> {
  const budget = new LoopBudget()
  const transfer: ArrayBuffer[] = []
  const own = (u: Uint8Array) => {
    const copy = new Uint8Array(u)
    transfer.push(copy.buffer)
    return copy
  }
  const about = aboutCafe(cafe)
  const tablecloths: CafeSource['tablecloths'] = []
  for (const { tableId, questionId } of tableclothKeys(about.definition)) {
    tablecloths.push({ tableId, questionId, updates: writer.loadDoc(tableclothDocName(cafe.id, tableId, questionId)).updates.map(own) })
    await budget.turn()
  }
  const snapshots: SnapshotRecord[] = []
  for (const s of writer.listSnapshots(cafe.id)) {
    snapshots.push({ ...s, state: own(s.state) })
    await budget.turn()
  }
  const harvest = writer.loadDoc(harvestDocName(cafe.id)).updates.map(own)
  const photos: PhotoData[] = []
  for (const m of photoOrder(cafe, writer)) {
    const p = writer.store.getPhoto(cafe.id, m.id)
    if (p) photos.push({ ...m, data: own(p.data) })
    await budget.turn()
  }
  return { source: { ...about, tablecloths, snapshots, harvest, photos }, transfer }
}

/** What `collectCafeData` gives, from a `CafeSource` (on the export thread). */
export function cafeDataFromSource(source: CafeSource): CafeData {
  const { harvest, synthesisParts, transcriptions } = withDoc(source.harvest, (doc) => ({ harvest: readHarvest(doc), synthesisParts: readSynthesisParts(doc), transcriptions: readTranscriptions(doc) }))
  return {
    ...source,
    tablecloths: source.tablecloths.map(({ tableId, questionId, updates }) => ({ tableId, questionId, items: withDoc(updates, readItems) })),
    snapshots: decodeSnapshots(source.definition, source.snapshots),
    harvest,
    synthesisParts,
    transcriptions,
  }
}

/** The café's own fields, who took part and the seating history. */
function aboutCafe(cafe: CafeRuntime): Pick<CafeData, 'definition' | 'phase' | 'createdAt' | 'participants' | 'history'> {
  return {
    definition: cafe.definition,
    phase: cafe.lifecycle.phase,
    createdAt: cafe.record.createdAt,
    // A no-show (marked absent, never seated in a round played) did not take part.
    participants: cafe.allParticipants().filter((p) => !p.absent || cafe.record.history.some((s) => p.id in s)).map((p) => ({
      id: p.id, displayName: p.displayName, organisation: p.organisation, sector: p.sector, hostOf: p.hostOf, joinedAt: p.joinedAt, leftAt: p.leftAt,
      ...(p.remote === true ? { remote: true } : {}),
    })),
    history: cafe.record.history.map((s) => ({ ...s })),
  }
}

function withDoc<T>(updates: Uint8Array[], fn: (doc: Y.Doc) => T): T {
  const doc = new Y.Doc()
  try {
    if (updates.length > 0) Y.applyUpdate(doc, updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates))
    return fn(doc)
  } finally {
    doc.destroy()
  }
}

/** Snapshots by round then table; one that cannot be read is left out of the images (the final state still has everything). */
function decodeSnapshots(def: CafeDefinition, stored: SnapshotRecord[]): RoundSnapshotData[] {
  const tableOrder = new Map(def.tables.map((t, i) => [t.id, i]))
  const snapshots: RoundSnapshotData[] = []
  for (const s of stored) {
    const ids = parseDocName(s.docName)
    if (!ids) continue
    try {
      snapshots.push({ tableId: ids.tableId, questionId: ids.questionId, round: s.round, takenAt: s.takenAt, items: withDoc([s.state], readItems) })
    } catch {
      // left out, see above
    }
  }
  return snapshots.sort((a, b) => a.round - b.round || (tableOrder.get(a.tableId) ?? 0) - (tableOrder.get(b.tableId) ?? 0))
}

export function contributionsOf(data: CafeData): Contribution[] {
  return gatherContributions(data.definition, data.participants, data.tablecloths, transcriptionContributions(data.definition, data.transcriptions ?? []))
}

/** The synthesis as it stands: hand-edited parts kept, the rest generated from the harvest now (with its image lines). */
export function synthesisMarkdown(data: CafeData, contributions: readonly Contribution[] = contributionsOf(data)): string {
  // The pictures that exist, with their zip paths: the builder shows those the harvest chose per question.
  const input = { definition: data.definition, people: data.participants, contributions, harvest: data.harvest, images: synthesisImageRefs(data) }
  const fresh = buildSynthesis(input)
  return joinParts(composeSynthesis(data.synthesisParts, fresh))
}
