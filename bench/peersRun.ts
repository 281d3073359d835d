/**
 * One run of `npm run bench:peers`: one server, fresh, in its own process; the simulated participants in
 * a few client processes (bench/peersWorker.ts); what they measured, with the server's RSS and CPU
 * and the machine's load average over the same window.
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { seatNappe } from './peersNappe'
import { framingOf, startServer } from './peersServers'
import type { RunningServer, ServerKind } from './peersServers'
import { now } from './peersWire'
import type { ClientSpec } from './peersWire'
import type { ParentMessage, WorkerReport } from './peersWorker'

export interface Scenario {
  id: string
  /** steady: everyone connected and synced first; storm: everyone connects at once when the clock starts. */
  mode: 'steady' | 'storm'
  clients: number
  docs: number
  noteMs: number
  durationMs: number
}

export interface RunResult {
  scenario: string; server: ServerKind; rep: number
  p50Ms: number; p99Ms: number; maxMs: number
  deliveryPct: number; expected: number; received: number; notes: number
  serverRssMaxMb: number; serverCpuPct: number; load1: number
  clientLoopP99Ms: number; clientLoopMaxMs: number
  refusals: number; unexpectedCloses: number
  /** storm only: from the start until every client was synced; the slowest receipt of the first second's notes. */
  allSyncedMs?: number; firstSecondMaxMs?: number
}

/** After the window, receipts still arriving are waited for this long (later ones count as lost). */
export const DRAIN_MS = 2000

export const percentile = (sorted: ArrayLike<number>, p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN)

export function procStats(pid: number): { cpuTicks: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  return { cpuTicks: Number(stat[11]) + Number(stat[12]), rssMb: rssKb / 1024 }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Who connects where: Nappe's seats come from a live café; a peer's docs are just names. */
async function clientSpecs(server: RunningServer, sc: Scenario): Promise<{ specs: ClientSpec[]; close(): void }> {
  if (server.kind === 'nappe') {
    const cafe = await seatNappe(server.url, sc.clients, sc.docs)
    const specs = cafe.seats.map((s, id): ClientSpec => ({
      id, framing: 'yws', url: server.docUrl(s.docName), protocols: s.protocols, docName: s.docName, docIndex: cafe.docs.indexOf(s.docName),
      author: s.participantId, authorName: s.displayName, round: 1,
    }))
    return { specs, close: cafe.close }
  }
  const specs = Array.from({ length: sc.clients }, (_, id): ClientSpec => {
    const docName = `peers-doc-${id % sc.docs}`
    return { id, framing: framingOf(server.kind), url: server.docUrl(docName), protocols: [], docName, docIndex: id % sc.docs, author: `c${id}`, authorName: `P${id}`, round: 1 }
  })
  return { specs, close: () => {} }
}

function forkWorkers(count: number): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: count }, () => new Promise<ChildProcess>((resolve, reject) => {
    const w = fork(fileURLToPath(new URL('./peersWorker.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    w.once('message', () => resolve(w))
    w.once('exit', (code) => reject(new Error(`a client process exited with ${code} before it was ready`)))
  })))
}

function next<T>(w: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { w.off('message', on); reject(new Error(`no '${type}' from a client process within ${timeoutMs} ms`)) }, timeoutMs)
    const on = (m: { type: string }) => { if (m.type === type) { clearTimeout(timer); w.off('message', on); resolve(m as T) } }
    w.on('message', on)
  })
}

export async function runScenario(kind: ServerKind, sc: Scenario, rep: number, workerCount: number): Promise<RunResult> {
  const server = await startServer(kind)
  const workers = await forkWorkers(Math.min(workerCount, sc.clients))
  const send = (m: ParentMessage, only?: ChildProcess) => { for (const w of only ? [only] : workers) w.send(m) }
  try {
    const { specs, close } = await clientSpecs(server, sc)
    // Round-robin, so that the clients of one doc are spread over the client processes.
    const shares = workers.map((_, k) => specs.filter((s) => s.id % workers.length === k))
    const synced = workers.map((w) => next(w, 'synced', 120_000))
    let from: number
    if (sc.mode === 'steady') {
      workers.forEach((w, k) => send({ type: 'connect', clients: shares[k]!, stagger: true }, w))
      await Promise.all(synced)
      await sleep(1000)
      from = now()
      send({ type: 'write', noteMs: sc.noteMs, from, until: from + sc.durationMs, firstAtSync: false })
    } else {
      for (const p of synced) p.catch(() => { /* a client that never synced shows in allSyncedMs */ })
      from = now()
      send({ type: 'write', noteMs: sc.noteMs, from, until: from + sc.durationMs, firstAtSync: true })
      workers.forEach((w, k) => send({ type: 'connect', clients: shares[k]!, stagger: false }, w))
    }
    const pid = server.proc.pid!
    const start = procStats(pid)
    let rssMax = start.rssMb
    const sampler = setInterval(() => { try { rssMax = Math.max(rssMax, procStats(pid).rssMb) } catch { /* gone */ } }, 250)
    await sleep(Math.max(0, from + sc.durationMs - now()))
    const end = procStats(pid)
    const load1 = loadavg()[0]!
    await sleep(DRAIN_MS)
    clearInterval(sampler)
    const reportsP = workers.map((w) => next<WorkerReport>(w, 'report', 60_000))
    send({ type: 'report' })
    const reports = await Promise.all(reportsP)
    close()
    return summarize(kind, sc, rep, reports, from, { rssMax, cpuPct: ((end.cpuTicks - start.cpuTicks) / 100 / (sc.durationMs / 1000)) * 100, load1 })
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL')
    await server.stop()
  }
}

function summarize(kind: ServerKind, sc: Scenario, rep: number, reports: WorkerReport[], from: number, proc: { rssMax: number; cpuPct: number; load1: number }): RunResult {
  const clients = reports.flatMap((r) => r.clients)
  const byDoc = new Map<number, typeof clients>()
  for (const c of clients) { const list = byDoc.get(c[1]) ?? []; list.push(c); byDoc.set(c[1], list) }
  const received = new Map<string, number>()
  for (const r of reports) for (const [k, n] of Object.entries(r.received)) received.set(k, (received.get(k) ?? 0) + n)
  // Expected: every other client of the doc that was synced when the note was written and still connected.
  let expected = 0, got = 0
  const notes = reports.flatMap((r) => r.notes)
  for (const [writer, seq, doc, sentAt] of notes) {
    for (const [id, , syncedAt, closedAt] of byDoc.get(doc) ?? []) {
      if (id === writer || syncedAt === null || syncedAt > sentAt || (closedAt !== null && closedAt < sentAt + DRAIN_MS)) continue
      expected++
    }
    got += received.get(`${writer}:${seq}`) ?? 0
  }
  const lat = Float64Array.from(reports.flatMap((r) => r.latencies)).sort()
  const synced = clients.map((c) => c[2])
  const r2 = (x: number) => Math.round(x * 100) / 100
  return {
    scenario: sc.id, server: kind, rep,
    p50Ms: r2(percentile(lat, 50)), p99Ms: r2(percentile(lat, 99)), maxMs: r2(lat.length ? lat[lat.length - 1]! : NaN),
    deliveryPct: expected ? Math.round((got / expected) * 10000) / 100 : 100, expected, received: got, notes: notes.length,
    serverRssMaxMb: Math.round(proc.rssMax), serverCpuPct: Math.round(proc.cpuPct), load1: r2(proc.load1),
    clientLoopP99Ms: r2(Math.max(...reports.map((r) => r.loopDelay.p99Ms))), clientLoopMaxMs: r2(Math.max(...reports.map((r) => r.loopDelay.maxMs))),
    refusals: reports.reduce((n, r) => n + r.refusals, 0), unexpectedCloses: reports.reduce((n, r) => n + r.unexpectedCloses, 0),
    ...(sc.mode === 'storm' ? {
      allSyncedMs: synced.every((s) => s !== null) ? Math.round(Math.max(...(synced as number[])) - from) : NaN,
      firstSecondMaxMs: r2(Math.max(...reports.map((r) => r.firstSecondMaxMs))),
    } : {}),
  }
}
