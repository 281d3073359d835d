/**
 * One client process of `npm run bench:peers` (bench/peers.ts): a share of the simulated participants
 * (bench/peersWire.ts), driven over IPC:
 *
 *   parent -> { type: 'connect', clients, stagger }   opens them (a few at a time, or all at once)
 *   worker -> { type: 'synced' }                       once every one of them is synced
 *   parent -> { type: 'write', noteMs, from, until }   each writes a note every noteMs (first one at a random
 *                                                      offset, or at once when it syncs if not synced yet)
 *   parent -> { type: 'report' }                       stops writing; answered with a WorkerReport
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { RawClient, now, scanNotes } from './peersWire'
import type { ClientSpec } from './peersWire'

export type ParentMessage =
  | { type: 'connect'; clients: ClientSpec[]; stagger: boolean }
  | { type: 'write'; noteMs: number; from: number; until: number; firstAtSync: boolean }
  | { type: 'report' }

export interface WorkerReport {
  type: 'report'
  /** This process's own event-loop delay over the measured window: when high, latencies measure the simulator. */
  loopDelay: { p99Ms: number; maxMs: number }
  /** Per client: [id, docIndex, syncedAt, closedAt]. */
  clients: Array<[number, number, number | null, number | null]>
  /** Notes written in [from, until]: [writer id, seq, docIndex, sentAt]. */
  notes: Array<[number, number, number, number]>
  /** Receipts of notes written in [from, until], by `${writer}:${seq}`, each counted once per receiver. */
  received: Record<string, number>
  /** Propagation time of every such receipt, ms. */
  latencies: number[]
  /** Of those, the ones of notes written in the first second after `from`: the slowest. */
  firstSecondMaxMs: number
  refusals: number
  unexpectedCloses: number
}

const loop = monitorEventLoopDelay({ resolution: 5 })
const clients: RawClient[] = []
const timers: NodeJS.Timeout[] = []
let span = { from: Infinity, until: -Infinity }
const notes: WorkerReport['notes'] = []
const received = new Map<string, number>()
const latencies: number[] = []
let firstSecondMaxMs = 0
let unexpectedCloses = 0
let stopping = false
/** Per receiver: each writer's highest sequence number seen (a writer's notes arrive in order). */
const seen = new Map<RawClient, Map<number, number>>()

function onMessage(c: RawClient, data: Buffer): void {
  const at = now()
  const mine = seen.get(c)!
  scanNotes(data, (r) => {
    if (r.writer === c.spec.id || r.sentAt < span.from || r.sentAt > span.until || c.syncedAt === null || r.sentAt < c.syncedAt) return
    if ((mine.get(r.writer) ?? 0) >= r.seq) return
    mine.set(r.writer, r.seq)
    const key = `${r.writer}:${r.seq}`
    received.set(key, (received.get(key) ?? 0) + 1)
    const ms = at - r.sentAt
    latencies.push(Math.round(ms * 100) / 100)
    if (r.sentAt < span.from + 1000) firstSecondMaxMs = Math.max(firstSecondMaxMs, ms)
  })
}

function write(c: RawClient): void {
  const t = now()
  if (stopping || t > span.until || c.syncedAt === null || c.closedAt !== null) return
  const seq = c.write()
  if (t >= span.from && t <= span.until) notes.push([c.spec.id, seq, c.spec.docIndex, t])
}

function checkSynced(): void {
  if (clients.every((c) => c.syncedAt !== null)) process.send!({ type: 'synced' })
}

let writing: { noteMs: number; firstAtSync: boolean } | null = null
function startWriting(c: RawClient): void {
  const w = writing!
  const first = w.firstAtSync ? 0 : Math.random() * w.noteMs
  timers.push(setTimeout(() => { write(c); timers.push(setInterval(() => write(c), w.noteMs)) }, first))
}

process.on('message', (msg: ParentMessage) => {
  if (msg.type === 'connect') {
    let pending = msg.clients.length
    const open = (spec: ClientSpec) => {
      const c = new RawClient(spec, {
        message: onMessage,
        synced: (x) => { if (writing) startWriting(x); if (--pending === 0) checkSynced() },
        closed: () => { if (!stopping) unexpectedCloses++ },
      })
      seen.set(c, new Map())
      clients.push(c)
    }
    if (!msg.stagger) for (const spec of msg.clients) open(spec)
    else {
      // A few at a time, so that a steady-state run does not start with a storm.
      let i = 0
      const next = () => { for (const end = Math.min(msg.clients.length, i + 10); i < end; i++) open(msg.clients[i]!); if (i < msg.clients.length) setTimeout(next, 10) }
      next()
    }
  } else if (msg.type === 'write') {
    span = { from: msg.from, until: msg.until }
    writing = { noteMs: msg.noteMs, firstAtSync: msg.firstAtSync }
    loop.reset()
    loop.enable()
    for (const c of clients) if (c.syncedAt !== null) startWriting(c)
  } else if (msg.type === 'report') {
    stopping = true
    loop.disable()
    for (const t of timers) { clearTimeout(t); clearInterval(t) }
    const report: WorkerReport = {
      type: 'report',
      loopDelay: { p99Ms: Math.max(0, loop.percentile(99) / 1e6 - 5), maxMs: Math.max(0, loop.max / 1e6 - 5) },
      clients: clients.map((c) => [c.spec.id, c.spec.docIndex, c.syncedAt, c.closedAt]),
      notes, received: Object.fromEntries(received), latencies, firstSecondMaxMs,
      refusals: clients.reduce((n, c) => n + c.refusals, 0), unexpectedCloses,
    }
    for (const c of clients) c.close()
    process.send!(report, () => setTimeout(() => process.exit(0), 50))
  }
})
process.send!({ type: 'ready' })
