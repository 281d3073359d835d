/**
 * `npm run bench:joins`: what one join costs the server as the café grows (issue 14: the same at 10 as
 * at 2,000 people). In this process, on SQLite in a temporary folder, through the café runtime the HTTP
 * join calls (`CafeRuntime.join`: the person, their seat now and in the announced round, what is stored),
 * before the café (lobby) and during round 1 with the next round announced. For each size it times
 * `--joins` arrivals one by one and prints the mean, p99 and max, and the ratio of each size's mean to
 * the smallest's. The café is planned before (as the server's re-plan does a moment after arrivals); the
 * re-plan that follows the timed arrivals runs in its own thread in the server, and is not timed here
 * (this clock is not advanced while they arrive). `bench:arrivals` measures the whole, from outside.
 *
 *   npm run bench:joins -- --sizes 10,100,500,1000,2000 --joins 200
 *   npm run bench:joins -- --smoke      (CI: two sizes, fails only if a join fails)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CafeRegistry } from '../server/cafes/CafeRegistry'
import type { CafeEvents, CafeRuntime } from '../server/cafes/CafeRuntime'
import { REPLAN_MAX_WAIT_MS } from '../server/cafes/CafeRuntime'
import { inlinePlanService } from '../server/cafes/PlanService'
import { ManualClock } from '../server/clock'
import { silentLogger } from '../server/log'
import { DurableWriter } from '../server/store/DurableWriter'
import { SqliteStore } from '../server/store/SqliteStore'
import { parseCafeInput } from '../shared/cafe'

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,100,500,1000,2000' },
    joins: { type: 'string', default: '200' },
    tables: { type: 'string', default: '40' },
    smoke: { type: 'boolean', default: false },
  },
})
const SIZES = args.smoke ? [10, 300] : args.sizes.split(',').map(Number)
const JOINS = args.smoke ? 50 : Number(args.joins)
const TABLES = Number(args.tables)
const MIN_MS = 60_000

const events: CafeEvents = { changed() {}, warning() {}, nextSeat() {}, message() {}, participantGone() {}, roundClosed() {} }
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
const r2 = (n: number) => Math.round(n * 100) / 100

interface Row { phase: string; size: number; mean: number; p99: number; max: number }

/** A café of TABLES tables holding `size` people, in the lobby or in round 1 with round 2 announced. */
function cafeOf(size: number, phase: 'lobby' | 'round', registry: CafeRegistry, clock: ManualClock): CafeRuntime {
  const input = {
    title: 'Bench', roundMinutes: 2, advance: 'manual' as const,
    questions: [{ text: 'Question 1 ?' }, { text: 'Question 2 ?' }, { text: 'Question 3 ?' }],
    tables: Array.from({ length: TABLES }, (_, i) => ({ name: `Table ${i + 1}`, capacity: 50 })),
  }
  const def = parseCafeInput(input)
  if (!def.ok) throw new Error(`bench café: ${JSON.stringify(def.fields)}`)
  const { cafe } = registry.create(def.value)
  cafe.apply({ type: 'open' })
  for (let i = 0; i < size; i += 100) {
    const batch = Array.from({ length: Math.min(100, size - i) }, (_, k) => ({ displayName: `Personne ${i + k}`, organisation: `Org ${(i + k) % 17}`, sector: null }))
    const added = cafe.addPeople(batch)
    if (!added.ok) throw new Error(added.message)
  }
  // The plan for everyone, as the server's re-plan makes it a moment after arrivals (the record then holds it).
  clock.advance(REPLAN_MAX_WAIT_MS + 1)
  if (!cafe.record.plan?.rounds[0] || Object.keys(cafe.record.plan.rounds[0]).length !== size) throw new Error('the café was not planned')
  if (phase === 'round') {
    const started = cafe.apply({ type: 'start' })
    if (!started.ok) throw new Error(started.message)
    // To the announcement (30 s before the end): the next round's seats exist and each arrival gets one.
    clock.advance(2 * MIN_MS - 30_000)
    if (!cafe.record.nextSeating) throw new Error('round 2 was not announced')
  }
  return cafe
}

function measure(phase: 'lobby' | 'round', size: number): Row {
  const dir = mkdtempSync(join(tmpdir(), 'nappe-joins-'))
  const store = new SqliteStore(join(dir, 'nappe.sqlite'))
  try {
    const clock = new ManualClock()
    const writer = new DurableWriter(store, clock, silentLogger)
    const registry = new CafeRegistry({ writer, clock, plans: inlinePlanService(), log: silentLogger, events })
    const cafe = cafeOf(size, phase, registry, clock)
    const ms: number[] = []
    for (let i = 0; i < JOINS; i++) {
      const started = performance.now()
      const r = cafe.join({ displayName: `Arrivée ${i}`, organisation: null, sector: null })
      ms.push(performance.now() - started)
      if (!r.ok) throw new Error(`join refused: ${r.message}`)
    }
    const sorted = [...ms].sort((a, b) => a - b)
    registry.dispose()
    return { phase, size, mean: ms.reduce((a, b) => a + b, 0) / ms.length, p99: pct(sorted, 0.99), max: sorted.at(-1)! }
  } finally {
    void store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

// Warm the code paths first, so the first size does not pay for the compiler.
measure('round', 100)
const rows: Row[] = []
for (const phase of ['lobby', 'round'] as const) {
  for (const size of SIZES) {
    const row = measure(phase, size)
    rows.push(row)
    console.log(`${phase.padEnd(5)} ${String(size).padStart(5)} people: join mean ${r2(row.mean)} ms, p99 ${r2(row.p99)} ms, max ${r2(row.max)} ms`)
  }
}
console.log('\n| before | people | join mean ms | p99 ms | max ms | mean / smallest café\'s |')
console.log('|---|---|---|---|---|---|')
for (const row of rows) {
  const base = rows.find((r) => r.phase === row.phase)!
  console.log(`| ${row.phase === 'lobby' ? 'the café (lobby)' : 'round 1, next announced'} | ${row.size} | ${r2(row.mean)} | ${r2(row.p99)} | ${r2(row.max)} | ${r2(row.mean / base.mean)} |`)
}
console.log(`RESULT ${JSON.stringify({ smoke: args.smoke, joins: JOINS, tables: TABLES, rows })}`)
