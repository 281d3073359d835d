/**
 * What the transports send about a café, built from its record (pure: the time is passed in). The
 * facilitators see everyone and the plan; a participant sees their own table and next seat only.
 */
import { venueOf } from '../../shared/cafe'
import type { CafeView, ParticipantView } from '../../shared/protocol'
import type { Seating } from '../../shared/rotation'
import type { PlanView } from '../../shared/seatingPlan'
import type { CafeRecord, ParticipantRecord } from '../store/Store'

export function participantView(p: ParticipantRecord, seating: Seating, online: boolean): ParticipantView {
  return {
    id: p.id, displayName: p.displayName, organisation: p.organisation, sector: p.sector, hostOf: p.hostOf,
    tableId: seating[p.id] ?? null, online, left: p.leftAt !== null, absent: p.absent === true,
    ...(p.remote === true ? { remote: true as const } : {}),
  }
}

/** The facilitators' view: everyone. */
export function cafeView(r: CafeRecord, participants: ParticipantView[], plan: PlanView, now: number): CafeView {
  return {
    id: r.id, joinCode: r.joinCode, definition: r.definition, lifecycle: r.lifecycle, participants,
    participantCount: participants.length, nextSeating: r.nextSeating, lockedDocs: r.lockedDocs,
    message: r.message ?? null, plan, serverNow: now,
  }
}

/**
 * Each participant's view, from one facilitators' view: only their table's people and their own next
 * seat. Built for all at once so a push to hundreds of people costs one pass.
 */
export function participantViews(full: CafeView): (participantId: string) => CafeView {
  const byTable = new Map<string, ParticipantView[]>()
  for (const p of full.participants) {
    if (p.tableId === null) continue
    const list = byTable.get(p.tableId)
    if (list) list.push(p)
    else byTable.set(p.tableId, [p])
  }
  const self = new Map(full.participants.map((p) => [p.id, p]))
  return (participantId) => {
    const me = self.get(participantId)
    const participants = me ? (me.tableId ? byTable.get(me.tableId)! : [me]) : []
    const next = full.nextSeating?.[participantId]
    return { ...full, participants, plan: null, nextSeating: full.nextSeating ? (next ? { [participantId]: next } : {}) : null }
  }
}

/** Public summary for `GET /api/cafes/:id` and the join page. */
export function cafeSummary(r: CafeRecord, participantCount: number) {
  const d = r.definition
  return {
    id: r.id, title: d.title, date: d.date, place: d.place, description: d.description, language: d.language,
    shape: d.shape, tables: d.tables.map((t) => ({ id: t.id, name: t.name, capacity: t.capacity })),
    questions: d.questions, rounds: d.rounds.length, phase: r.lifecycle.phase, participantCount,
    // The join page of a hybrid café asks where one takes part.
    ...(venueOf(d) !== 'room' ? { venue: venueOf(d) } : {}),
  }
}
