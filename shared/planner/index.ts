/**
 * The optimizing rotation engine: plans every remaining round at once, deterministically from the seed.
 * See state.ts for the cost, construct.ts for the starting plans and search.ts for the local search.
 */
import { splitByVenue } from '../hybridSeats'
import { createRandom } from '../random'
import type { RotationInput, RotationPlanner, Seating } from '../rotation'
import { designStart, greedyStart } from './construct'
import { buildModel } from './model'
import type { Model } from './model'
import { relabelRounds } from './relabel'
import { improve } from './search'
import { PlanState } from './state'

export interface PlanInput extends RotationInput {
  /** Total number of rounds of the café: the plan covers rounds input.round..rounds. */
  rounds: number
  /** The plan announced earlier for rounds input.round..rounds (index 0 = input.round), to change as little as possible. */
  previousPlan?: Seating[]
  /** The facilitator's seats per planned round (index 0 = input.round): kept like a host's. */
  pinned?: Array<Seating | null | undefined>
}

/** Safety net only: far above the normal running time, so results never depend on the clock in practice. */
const TIME_CAP_MS = 20_000

/** Iteration budget and cycle length of the local search, from the size of the instance (never from the clock). */
export function searchBudget(m: Model, effort = 1): { iterations: number; cycle: number } {
  const seats = m.n * m.R
  return {
    iterations: Math.max(1, Math.round(effort * Math.min(400_000, Math.max(120_000, 40 * seats)))),
    cycle: Math.max(1, Math.round(effort * Math.max(8000, 100 * seats))),
  }
}

export interface PlanOptions {
  /** Start from a known design when the instance fits one (default true; false to measure the search alone). */
  designs?: boolean
  /** Multiplies the iteration budget (default 1). */
  effort?: number
}

/**
 * Seatings for rounds input.round..input.rounds (at least one round), every present person seated.
 * A hybrid café is planned as two cafés, the room's (room tables, people in the room) and the online one
 * (online tables, remote people), whose rows are merged: nobody is ever planned at a table of the other
 * venue, and each part gets the whole search (shared/hybridSeats.ts).
 */
export function planRemaining(input: PlanInput, options: PlanOptions = {}): Seating[] {
  const parts = splitByVenue(input)
  if (!parts) return planPart(input, options)
  const [room, online] = parts.map((part) => planPart(part, options)) as [Seating[], Seating[]]
  return room.map((row, r) => ({ ...row, ...online[r] }))
}

function planPart(input: PlanInput, options: PlanOptions): Seating[] {
  const R = Math.max(1, input.rounds - input.round + 1)
  const m = buildModel({ ...input, rounds: R })
  if (m.T === 0) return Array.from({ length: R }, () => ({}))
  if (m.n === 0) return Array.from({ length: R }, () => ({}))
  const seed = (input.seed ^ Math.imul(input.round, 0x9e3779b1)) >>> 0
  const random = createRandom(seed)

  let start: PlanState = greedyStart(m, random)
  relabelRounds(start)
  // A known design competes even in a re-plan: the cost counts its changed seats, so it wins only when worth it.
  if (options.designs !== false) {
    const design = designStart(m)
    if (design) relabelRounds(design)
    if (design && design.cost <= start.cost) start = design
  }
  const best = improve(start, { ...searchBudget(m, options.effort), random, deadline: Date.now() + TIME_CAP_MS })
  let plan = best
  if (m.tableQuestion || m.prev) {
    const polished = stateOf(m, best)
    if (relabelRounds(polished)) plan = polished.snapshot()
  }
  return plan.map((row) => {
    const seating: Seating = {}
    m.ids.forEach((id, i) => { seating[id] = m.tableIds[row[i]!]! })
    return seating
  })
}

function stateOf(m: Model, plan: Int32Array[]): PlanState {
  const s = new PlanState(m)
  plan.forEach((row, r) => row.forEach((t, i) => s.place(r, i, t)))
  return s
}

/**
 * The optimizing planner behind the `RotationPlanner` interface. Without `input.rounds` it plans the
 * next round alone (with the whole history in view); with it, the rest of the café, returning its first round.
 */
export function createOptimizingPlanner(options: PlanOptions = {}): RotationPlanner {
  return {
    name: 'optimizing',
    planNext(input) {
      return planRemaining({ ...input, rounds: Math.max(input.round, input.rounds ?? input.round) }, options)[0] ?? {}
    },
  }
}

export const optimizingPlanner: RotationPlanner = createOptimizingPlanner()

/**
 * What the live server uses at each rotation: a tenth of the search, because it runs on the event loop
 * that carries every table's writing. Where a zero-repeat plan exists it still finds it at once; where
 * none does, it stops after ~0.1 s instead of ~0.8 s with a couple more repeats (see bench/rotation.ts).
 */
export const livePlanner: RotationPlanner = createOptimizingPlanner({ effort: 0.1 })
