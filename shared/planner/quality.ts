/** Measures of a whole plan (history included), for the bench, the tests and the facilitator. */
import type { CafeShape } from '../cafe'
import type { PlannerParticipant, PlannerTable, Seating } from '../rotation'
import { groupKey } from './model'

export interface PlanQuality {
  /** Pairs meeting more than once, with multiplicity: a pair meeting k times counts k - 1. */
  repeatedEncounters: number
  /** Per present person, distinct people met over the whole plan (mean). */
  averageNewPeople: number
  /** Per (round, table), people beyond the first of each organisation. */
  sameOrganisationSeatings: number
  /** (round, table) pairs where two people or more share an organisation. */
  sameOrganisationTables: number
  /** Max over rounds of (largest table - smallest table). */
  sizeImbalance: number
  /** Per (round, table), people beyond the capacity. */
  capacityViolations: number
  /** (round, host) where a seated host is not at their table. */
  hostViolations: number
  /** Table-question shape: per traveller and table visited k times, k - 1 (0 in other shapes). */
  revisits: number
}

export function planQuality(
  plan: readonly Seating[], participants: readonly PlannerParticipant[], tables: readonly PlannerTable[], shape: CafeShape,
): PlanQuality {
  const byId = new Map(participants.map((p) => [p.id, p]))
  const pairCount = new Map<string, number>()
  const met = new Map<string, Set<string>>()
  const visits = new Map<string, Map<string, number>>()
  let sameOrganisationSeatings = 0, sameOrganisationTables = 0, sizeImbalance = 0, capacityViolations = 0, hostViolations = 0
  for (const seating of plan) {
    const groups = new Map<string, string[]>(tables.map((t) => [t.id, []]))
    for (const [pid, tid] of Object.entries(seating)) {
      const g = groups.get(tid)
      if (g) g.push(pid)
      else groups.set(tid, [pid])
      const p = byId.get(pid)
      if (p?.hostOf != null && p.hostOf !== tid) hostViolations++
      let v = visits.get(pid)
      if (!v) visits.set(pid, (v = new Map()))
      v.set(tid, (v.get(tid) ?? 0) + 1)
    }
    const sizes = tables.map((t) => groups.get(t.id)!.length)
    if (sizes.length > 0) sizeImbalance = Math.max(sizeImbalance, Math.max(...sizes) - Math.min(...sizes))
    tables.forEach((t, k) => { capacityViolations += Math.max(0, sizes[k]! - t.capacity) })
    for (const group of groups.values()) {
      const orgs = new Set<string>()
      let withOrg = 0
      for (const pid of group) {
        const o = groupKey(byId.get(pid)?.organisation)
        if (o) { withOrg++; orgs.add(o) }
      }
      sameOrganisationSeatings += withOrg - orgs.size
      if (withOrg > orgs.size) sameOrganisationTables++
      for (const a of group) {
        let set = met.get(a)
        if (!set) met.set(a, (set = new Set()))
        for (const b of group) {
          if (a === b) continue
          set.add(b)
          if (a < b) pairCount.set(`${a}\u0000${b}`, (pairCount.get(`${a}\u0000${b}`) ?? 0) + 1)
        }
      }
    }
  }
  let repeatedEncounters = 0
  for (const k of pairCount.values()) repeatedEncounters += k - 1
  let revisits = 0
  if (shape === 'table-question') {
    for (const [pid, v] of visits) {
      if (byId.get(pid)?.hostOf != null) continue
      for (const k of v.values()) revisits += k - 1
    }
  }
  const present = participants.filter((p) => p.present)
  const averageNewPeople = present.length === 0 ? 0 : present.reduce((sum, p) => sum + (met.get(p.id)?.size ?? 0), 0) / present.length
  return { repeatedEncounters, averageNewPeople, sameOrganisationSeatings, sameOrganisationTables, sizeImbalance, capacityViolations, hostViolations, revisits }
}

/** Seats that differ between two plans: people seated in the same round of both, at different tables. */
export function planChanges(before: readonly Seating[], after: readonly Seating[]): number {
  let changes = 0
  for (let r = 0; r < Math.min(before.length, after.length); r++) {
    const b = before[r]!, a = after[r]!
    for (const [pid, tid] of Object.entries(a)) if (Object.hasOwn(b, pid) && b[pid] !== tid) changes++
  }
  return changes
}
