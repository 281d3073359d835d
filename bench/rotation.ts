/**
 * Rotation engine benchmark (not a test): plans whole cafés with the optimizing planner (planRemaining from
 * round 1, empty history) beside a random plan and the default shift planner, and prints the quality of
 * each plan and the time it took.
 *
 *   npm run bench:rotation              # every instance, up to 1,000 people
 *   npm run bench:rotation -- --smoke   # the small instances only; exits 1 if a hard constraint breaks
 *                                       # or an instance known to have a zero-repeat plan gets repeats
 *
 * Columns: rep = repeated encounters (a pair meeting k times counts k - 1), LB = simple lower bound on
 * repeats (pairs available vs. meetings the balanced sizes force, hosts never meeting each other and
 * travellers meeting hosts `rounds` times; marked * where it is the known optimum: the affine plane
 * 16/4x4/5 and Kirkman 15/5x3/7), org = same-organisation seatings (people beyond the first of an
 * organisation at a table), imb = size imbalance, new = average distinct people met, rev = table
 * revisits (table-question shape), hard = capacity + host violations + people left unseated.
 */
import { performance } from 'node:perf_hooks'
import type { CafeShape } from '../shared/cafe'
import { createRandom, shuffled } from '../shared/random'
import type { PlannerParticipant, PlannerTable, PlanOptions, Seating } from '../shared/rotation'
import { planQuality, planRemaining, shiftPlanner } from '../shared/rotation'

const SECTORS = ['école', 'aide à la jeunesse', 'social', 'parents', 'santé']

interface Instance {
  name: string
  participants: PlannerParticipant[]
  tables: PlannerTable[]
  rounds: number
  shape: CafeShape
  /** A plan without repeats is known to exist (design or found before): the smoke run insists on it. */
  zeroRepeats: boolean
  /** The two complete designs (every pair meets exactly once): the planner starts from the design. */
  designFits: boolean
  smoke: boolean
}

/** People in organisations of 1 to 4 (or exactly `orgSize`), each organisation in one sector. */
function people(n: number, seed: number, orgSize?: number): PlannerParticipant[] {
  const random = createRandom(seed)
  const out: PlannerParticipant[] = []
  let org = 0
  while (out.length < n) {
    const size = Math.min(n - out.length, orgSize ?? 1 + random.int(4))
    const sector = SECTORS[random.int(SECTORS.length)]!
    for (let k = 0; k < size; k++) {
      out.push({ id: `p${out.length}`, hostOf: null, organisation: size > 1 || random.next() < 0.5 ? `org${org}` : null, sector, present: true })
    }
    org++
  }
  return shuffled(out, random).map((p, i) => ({ ...p, id: `p${String(i).padStart(4, '0')}` }))
}

function instance(name: string, n: number, T: number, capacity: number, rounds: number, opts: {
  shape?: CafeShape; hosts?: boolean; orgSize?: number; zeroRepeats?: boolean; smoke?: boolean
} = {}): Instance {
  const tables = Array.from({ length: T }, (_, t) => ({ id: `t${t + 1}`, capacity }))
  const participants = people(n, n * 31 + T, opts.orgSize)
  if (opts.hosts) tables.forEach((t, k) => { participants[k]!.hostOf = t.id })
  return {
    name: `${name}${opts.hosts ? ' +hosts' : ''}${opts.shape === 'table-question' ? ' tq' : ''}`,
    participants, tables, rounds, shape: opts.shape ?? 'classic', zeroRepeats: opts.zeroRepeats ?? false, smoke: opts.smoke ?? n <= 40,
    designFits: !opts.hosts && opts.shape !== 'table-question' && (n === 15 || n === 16),
  }
}

function instances(): Instance[] {
  const out: Instance[] = []
  const base: Array<[string, number, number, number, number, boolean]> = [
    // name, people, tables, capacity, rounds, known zero-repeat plan (classic, no hosts)
    ['16p 4x4 5r', 16, 4, 4, 5, true],
    ['15p 5x3 7r (Kirkman)', 15, 5, 3, 7, true],
    ['20p 5t 3r', 20, 5, 6, 3, true],
    ['36p 9t 4r', 36, 9, 6, 4, true],
    ['100p 20t 4r', 100, 20, 7, 4, true],  // capacity 7: a spare seat or two at each table
    ['200p 40t 4r', 200, 40, 7, 4, true],
    ['1000p 200t 4r', 1000, 200, 7, 4, true],
  ]
  // With hosts or in the table-question shape, the first two cannot avoid repeats (hosts meet travellers
  // again; more rounds than tables force revisits); the others have zero-repeat plans (designs for
  // 20 and 36 people, the planner's own plans for the rest).
  const generic = (n: number) => n >= 20
  for (const [name, n, T, cap, rounds, zero] of base) out.push(instance(name, n, T, cap, rounds, { zeroRepeats: zero }))
  for (const [name, n, T, cap, rounds] of base) out.push(instance(name, n, T, cap, rounds, { hosts: true, zeroRepeats: generic(n) }))
  for (const [name, n, T, cap, rounds] of base) out.push(instance(name, n, T, cap, rounds, { shape: 'table-question', zeroRepeats: generic(n) }))
  out.push(instance('40p 10 orgs of 4, 8x5 3r', 40, 8, 5, 3, { orgSize: 4, zeroRepeats: true }))
  return out
}

/** Round-robin seating with hosts at their tables, as joins produce it. */
function initial(ps: PlannerParticipant[], ts: PlannerTable[], order: PlannerParticipant[] = ps): Seating {
  const seating: Seating = {}
  const size = new Map(ts.map((t) => [t.id, 0]))
  for (const p of ps) if (p.hostOf) { seating[p.id] = p.hostOf; size.set(p.hostOf, size.get(p.hostOf)! + 1) }
  for (const p of order) {
    if (p.hostOf) continue
    const t = ts.reduce((a, b) => (size.get(b.id)! < size.get(a.id)! ? b : a))
    seating[p.id] = t.id
    size.set(t.id, size.get(t.id)! + 1)
  }
  return seating
}

function randomPlan(inst: Instance): Seating[] {
  const random = createRandom(7)
  return Array.from({ length: inst.rounds }, () => initial(inst.participants, inst.tables, shuffled(inst.participants, random)))
}

function shiftPlan(inst: Instance): Seating[] {
  const history = [initial(inst.participants, inst.tables)]
  for (let r = 2; r <= inst.rounds; r++) {
    history.push(shiftPlanner.planNext({ participants: inst.participants, tables: inst.tables, history, shape: inst.shape, round: r, seed: 1 }))
  }
  return history
}

function optimizingPlan(inst: Instance, options: PlanOptions = {}): Seating[] {
  return planRemaining({ participants: inst.participants, tables: inst.tables, history: [], shape: inst.shape, round: 1, rounds: inst.rounds, seed: 1 }, options)
}

/**
 * Repeats at least: meetings the balanced sizes force beyond the pairs available. With one host per table,
 * hosts never meet each other, and each traveller meets hosts `rounds` times among `tables` hosts.
 */
function lowerBound(inst: Instance): number {
  const n = inst.participants.length, T = inst.tables.length
  const hosts = inst.participants.filter((p) => p.hostOf).length
  const pairs = (k: number) => (k * (k - 1)) / 2
  const q = Math.floor(n / T), extra = n % T
  if (hosts === 0) return Math.max(0, inst.rounds * (extra * pairs(q + 1) + (T - extra) * pairs(q)) - pairs(n))
  const travellers = n - hosts
  const perRound = extra * pairs(q) + (T - extra) * pairs(q - 1)
  return travellers * Math.max(0, inst.rounds - T) + Math.max(0, inst.rounds * perRound - pairs(travellers))
}

const smoke = process.argv.includes('--smoke')
const rows: string[][] = [['instance', 'planner', 'rep', 'LB', 'org', 'imb', 'new', 'rev', 'hard', 'ms']]
const failures: string[] = []
for (const inst of instances()) {
  if (smoke && !inst.smoke) continue
  const lb = lowerBound(inst)
  const planners: Array<[string, (i: Instance) => Seating[]]> = [['random', randomPlan], ['shift', shiftPlan], ['optimizing', optimizingPlan]]
  // Where a known design gives the optimizing plan, also show what the local search finds without it.
  if (inst.designFits) planners.push(['search only', (i) => optimizingPlan(i, { designs: false })])
  for (const [label, plan] of planners) {
    const started = performance.now()
    const result = plan(inst)
    const ms = performance.now() - started
    const q = planQuality(result, inst.participants, inst.tables, inst.shape)
    const unseated = result.reduce((sum, seating) => sum + inst.participants.filter((p) => !seating[p.id]).length, 0)
    const hard = q.capacityViolations + q.hostViolations + unseated + Math.abs(result.length - inst.rounds)
    rows.push([label === 'random' ? inst.name : '', label, String(q.repeatedEncounters), label === 'optimizing' ? `${lb}${inst.designFits ? '*' : ''}` : '',
      String(q.sameOrganisationSeatings), String(q.sizeImbalance), q.averageNewPeople.toFixed(1),
      inst.shape === 'table-question' ? String(q.revisits) : '-', String(hard), ms.toFixed(0)])
    if (label !== 'optimizing' && label !== 'search only') continue
    if (hard > 0) failures.push(`${inst.name}: hard constraint violated`)
    if (inst.zeroRepeats && inst.rounds <= 5 && q.repeatedEncounters > 0) failures.push(`${inst.name}: ${q.repeatedEncounters} repeats, a plan without exists`)
    if (inst.shape === 'table-question' && inst.rounds <= inst.tables.length && q.revisits > 0) failures.push(`${inst.name}: ${q.revisits} revisits`)
  }
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
for (const row of rows) console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
if (failures.length > 0) {
  console.error(`\n${failures.length} failure(s):\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
