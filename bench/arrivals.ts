/**
 * `npm run bench:arrivals`: people arriving at a café, as at the door of a big one. N people join by the
 * join code at random moments over a window (1,000 in a minute by default), once before the café starts
 * (each burst re-planned) and once during round 1 (each seated at once at the smallest table), while a
 * facilitator's console and W participants' phones are connected over Socket.IO, receiving every state.
 *
 * It prints, for each phase: the join answer's time (p50 / p99 / max, and the mean of the first and of
 * the last tenth of the arrivals: a join should cost the same at 10 people as at 1,000), and the longest
 * the server's event loop was held, seen from outside: a `GET /healthz` every 20 ms, whose slowest
 * answer is a stall of the loop (issue 14: never over 50 ms). The server is the built one,
 * as `npm start` runs it, in its own process.
 *
 *   npm run bench:arrivals -- --people 1000 --seconds 60 --watchers 30
 *   npm run bench:arrivals -- --smoke        (CI: 100 people in 5 s; fails only if something broke)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { MAX_TABLE_CAPACITY } from '../shared/constants'
import { freePort, startBuiltChild } from '../tests/helpers/child'
import type { IoSocket } from './attackSetup'
import { connectIo, request, stopServer } from './attackSetup'

const { values: args } = parseArgs({
  options: {
    people: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    tables: { type: 'string', default: '40' },
    watchers: { type: 'string', default: '30' },
    smoke: { type: 'boolean', default: false },
  },
})
const SMOKE = args.smoke
const PEOPLE = SMOKE ? 100 : Number(args.people)
const SECONDS = SMOKE ? 5 : Number(args.seconds)
const TABLES = SMOKE ? 4 : Number(args.tables)
const WATCHERS = SMOKE ? 5 : Number(args.watchers)
/** A probe of the server's loop every 20 ms (`GET /healthz`, cheap to answer; a facilitator's socket would receive every state, heavy for this process). */
const PING_EVERY_MS = 20
const STALL_TARGET_MS = 50

interface PhaseReport { phase: string; joins: number; failed: number; p50: number; p99: number; max: number; firstTenth: number; lastTenth: number; pingMax: number; pingP99: number; pushes: number; ownLoopMax: number }

const pct = (sorted: number[], p: number) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : 0
const mean = (a: number[]) => a.length ? a.reduce((x, y) => x + y, 0) / a.length : 0
const r1 = (n: number) => Math.round(n * 10) / 10

async function post<T>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as T }
}

/**
 * The probes' round trips while `during` runs, sent every PING_EVERY_MS whatever the answers: a stall
 * of the server's loop shows as slow answers, from outside. Unanswered within 10 s: a stall of 10 s.
 */
async function pinging<T>(url: string, during: () => Promise<T>): Promise<{ result: T; rtts: number[] }> {
  const rtts: number[] = []
  const inFlight: Promise<void>[] = []
  const timer = setInterval(() => {
    const t = performance.now()
    inFlight.push(fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(async (res) => { await res.arrayBuffer(); rtts.push(performance.now() - t) }, () => { rtts.push(10_000) }))
  }, PING_EVERY_MS)
  const result = await during()
  clearInterval(timer)
  await Promise.all(inFlight)
  return { result, rtts: rtts.sort((a, b) => a - b) }
}

async function phase(url: string, name: 'lobby' | 'round'): Promise<PhaseReport> {
  const cafe = (await post<{ id: string; joinCode: string; facilitatorKey: string }>(`${url}/api/cafes`, {
    title: `Arrivals (${name})`, shape: 'classic', language: 'en', advance: 'manual', roundMinutes: 60,
    tables: Array.from({ length: TABLES }, (_, i) => ({ name: `Table ${i + 1}`, capacity: Math.min(MAX_TABLE_CAPACITY, Math.ceil((PEOPLE + 1) / TABLES) + 2) })),
    questions: [{ text: 'Why did you come?' }, { text: 'What will you take home?' }, { text: 'Who else should be here?' }],
  })).body
  const facilitator = await connectIo(url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
  let pushes = 0
  facilitator.socket.on('cafe:state', () => { pushes++ })
  if (!(await request(facilitator.socket, 'cafe:open')).ok) throw new Error('cafe:open refused')
  const watchers: IoSocket[] = []
  const joinOne = async (i: number) => {
    const t = performance.now()
    const res = await post<{ participantId: string; participantToken: string }>(`${url}/api/cafes/${cafe.id}/join`, { code: cafe.joinCode, displayName: `Arrival ${i}`, organisation: `Org ${i % 25}` })
    return { ms: performance.now() - t, ok: res.status === 201, token: res.body.participantToken }
  }
  // The first people, already there: the phones that watch every change.
  for (let i = 0; i < WATCHERS; i++) {
    const j = await joinOne(-1 - i)
    if (!j.ok) throw new Error('a watcher could not join')
    watchers.push((await connectIo(url, cafe.id, { participantToken: j.token })).socket)
  }
  if (name === 'round' && !(await request(facilitator.socket, 'round:start')).ok) throw new Error('round:start refused')
  const at = Array.from({ length: PEOPLE }, () => Math.random() * SECONDS * 1000).sort((a, b) => a - b)
  const started = performance.now()
  // This process's own stalls: when they are long, the round trips measure the benchmark, not the server.
  const own = monitorEventLoopDelay({ resolution: 5 })
  own.enable()
  const { result: joins, rtts } = await pinging(url, () => Promise.all(at.map(async (ms, i) => {
    const wait = ms - (performance.now() - started)
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    return joinOne(i)
  })))
  own.disable()
  const times = joins.filter((j) => j.ok).map((j) => j.ms)
  const sorted = [...times].sort((a, b) => a - b)
  const tenth = Math.max(1, Math.floor(times.length / 10))
  for (const w of watchers) w.close()
  facilitator.socket.close()
  return {
    phase: name, joins: times.length, failed: joins.length - times.length, p50: r1(pct(sorted, 0.5)), p99: r1(pct(sorted, 0.99)), max: r1(sorted.at(-1) ?? 0),
    firstTenth: r1(mean(times.slice(0, tenth))), lastTenth: r1(mean(times.slice(-tenth))), pingMax: r1(rtts.at(-1) ?? 0), pingP99: r1(pct(rtts, 0.99)), pushes, ownLoopMax: r1(Math.max(0, own.max / 1e6 - 5)),
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nappe-arrivals-'))
  const port = await freePort()
  const server = await startBuiltChild(port, dataDir, { LOG_LEVEL: 'warn' })
  const url = `http://127.0.0.1:${port}`
  const reports: PhaseReport[] = []
  try {
    console.log(`bench:arrivals: ${PEOPLE} people over ${SECONDS} s at ${TABLES} tables, ${WATCHERS} phones and the console connected`)
    for (const name of ['lobby', 'round'] as const) {
      const r = await phase(url, name)
      reports.push(r)
      console.log(`${name.padEnd(6)} ${r.joins} joins (${r.failed} failed): answer p50 ${r.p50} / p99 ${r.p99} / max ${r.max} ms; mean of the first tenth ${r.firstTenth} ms, of the last ${r.lastTenth} ms; loop held at most ${r.pingMax} ms (probe p99 ${r.pingP99} ms; this process's own loop at most ${r.ownLoopMax} ms late); ${r.pushes} states to the console`)
    }
  } finally {
    if (process.env.NAPPE_BENCH_SERVER_LOG) console.log(server.output())
    await stopServer(server)
    rmSync(dataDir, { recursive: true, force: true })
  }
  console.log(`RESULT ${JSON.stringify({ people: PEOPLE, seconds: SECONDS, tables: TABLES, watchers: WATCHERS, reports })}`)
  const broken = reports.filter((r) => r.failed > 0 || r.joins !== PEOPLE)
  if (broken.length > 0) { console.error('bench:arrivals: some joins failed'); process.exitCode = 1 }
  if (!SMOKE) {
    const slow = reports.filter((r) => r.pingMax > STALL_TARGET_MS)
    if (slow.length > 0) console.log(`over the ${STALL_TARGET_MS} ms target: ${slow.map((r) => `${r.phase} ${r.pingMax} ms`).join(', ')}`)
  }
}

main().catch((err) => { console.error(err); process.exit(1) })
