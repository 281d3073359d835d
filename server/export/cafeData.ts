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
import type { Seating } from '../../shared/rotation'
import { buildSynthesis, joinParts } from '../../shared/synthesis'
import type { TableclothItem } from '../../shared/tablecloth'
import { parseDocName, readItems, tableclothDocName } from '../../shared/tablecloth'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import type { DurableWriter } from '../store/DurableWriter'
import type { ParticipantRecord } from '../store/Store'
import type { TableclothServer } from '../yjs/TableclothServer'

/** Who took part, as the exports see them (no credentials). */
export type PersonData = Omit<ParticipantRecord, 'cafeId' | 'tokenHash'>

export interface TableclothData { tableId: string; questionId: string; items: TableclothItem[] }
export interface RoundSnapshotData extends TableclothData { round: number; takenAt: number }

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
}

/** `snapshots: false` skips the end-of-round states (the harvest studio's frequent reads do not need them). */
export function collectCafeData(cafe: CafeRuntime, tablecloths: TableclothServer, writer: DurableWriter, opts: { snapshots?: boolean } = {}): CafeData {
  const def = cafe.definition
  const tableOrder = new Map(def.tables.map((t, i) => [t.id, i]))
  const snapshots: RoundSnapshotData[] = []
  for (const s of opts.snapshots === false ? [] : writer.listSnapshots(cafe.id)) {
    const ids = parseDocName(s.docName)
    if (!ids) continue
    const doc = new Y.Doc()
    try {
      Y.applyUpdate(doc, s.state)
      snapshots.push({ tableId: ids.tableId, questionId: ids.questionId, round: s.round, takenAt: s.takenAt, items: readItems(doc) })
    } catch {
      // A snapshot that cannot be read is left out of the images; the final state still has everything.
    } finally {
      doc.destroy()
    }
  }
  snapshots.sort((a, b) => a.round - b.round || (tableOrder.get(a.tableId) ?? 0) - (tableOrder.get(b.tableId) ?? 0))
  const { harvest, synthesisParts } = tablecloths.readDoc(harvestDocName(cafe.id), (doc) => ({ harvest: readHarvest(doc), synthesisParts: readSynthesisParts(doc) }))
  return {
    definition: def,
    phase: cafe.lifecycle.phase,
    createdAt: cafe.record.createdAt,
    // A no-show (marked absent, never seated in a round played) did not take part.
    participants: cafe.allParticipants().filter((p) => !p.absent || cafe.record.history.some((s) => p.id in s)).map((p) => ({
      id: p.id, displayName: p.displayName, organisation: p.organisation, sector: p.sector, hostOf: p.hostOf, joinedAt: p.joinedAt, leftAt: p.leftAt,
    })),
    history: cafe.record.history.map((s) => ({ ...s })),
    tablecloths: tableclothKeys(def).map(({ tableId, questionId }) => ({
      tableId, questionId, items: tablecloths.readDoc(tableclothDocName(cafe.id, tableId, questionId), readItems),
    })),
    snapshots,
    harvest,
    synthesisParts,
  }
}

export function contributionsOf(data: CafeData): Contribution[] {
  return gatherContributions(data.definition, data.participants, data.tablecloths)
}

/** The synthesis as it stands: hand-edited parts kept, the rest generated from the harvest now. */
export function synthesisMarkdown(data: CafeData, contributions: readonly Contribution[] = contributionsOf(data)): string {
  const fresh = buildSynthesis({ definition: data.definition, people: data.participants, contributions, harvest: data.harvest })
  return joinParts(composeSynthesis(data.synthesisParts, fresh))
}
