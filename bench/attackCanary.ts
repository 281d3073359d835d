/**
 * The canaries of the attack benchmark: what honest people at another table notice while an attack runs.
 * - Two tablemates (stock y-websocket clients) write a note every 100 ms between them, each note
 *   stamped with the writer's clock; the other measures how long it took to arrive (same machine clock).
 * - A facilitator connection sends `clock:sync` every 50 ms and times the round trips: a stall of the
 *   server's event loop shows there as a slow answer, from outside.
 * - `/healthz` every second (answered within 5 s?) and the server's RSS every 250 ms.
 * The benchmark process's own event-loop delay is measured too: when high, the figures include it.
 */
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { addNote, deleteItem, itemsMap } from '../shared/tablecloth'
import type { Person } from './attackList'
import type { Stage } from './attackSetup'
import { connectIo, openProvider } from './attackSetup'
import { until } from './attackWire'

const NOTE_EVERY_MS = 100
const CLOCK_SYNC_EVERY_MS = 50
const HEALTH_EVERY_MS = 1000
const HEALTH_TIMEOUT_MS = 5000
const CLOCK_SYNC_TIMEOUT_MS = 10_000
const KEEP_NOTES = 100
/** A note not arrived this long after the canaries stopped writing is lost. */
const DRAIN_MS = 5000

export interface Health { eventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number }; memoryMb: number }

export interface CanaryReport {
  /** Propagation of the notes written within the window, ms, sorted. */
  latencies: number[]
  notesSent: number
  notesLost: number
  /** clock:sync round trips of the window, ms, sorted. */
  rtts: number[]
  /** Close codes of the canaries' tablecloth connections (none expected: the stock client would reconnect). */
  closes: number[]
  /** The server's refusals of the canaries' own (honest) updates, by reason. */
  refused: Record<string, number>
  clockUnanswered: number
  clockRefused: number
  healthFailures: number
  rssPeakMb: number
  benchLoopMaxMs: number
}

export async function fetchHealth(url: string): Promise<Health | null> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
    return res.ok ? ((await res.json()) as Health) : null
  } catch {
    return null
  }
}

/** CPU time used so far, ms: by the whole process, and by its main thread (where the event loop runs). */
export function cpuMs(pid: number | undefined): { all: number; main: number } {
  const read = (path: string) => {
    try {
      const f = readFileSync(path, 'utf8').split(') ')[1]!.split(' ')
      return (Number(f[11]) + Number(f[12])) * 10
    } catch {
      return NaN
    }
  }
  return { all: read(`/proc/${pid}/stat`), main: read(`/proc/${pid}/task/${pid}/stat`) }
}

export function rssMb(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
  } catch {
    return 0
  }
}

export async function startCanaries(stage: Stage): Promise<{ stop(window: { from: number; to: number }): Promise<CanaryReport> }> {
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const refused: Record<string, number> = {}
  const onRefused = (reason: string) => { refused[reason] = (refused[reason] ?? 0) + 1 }
  const writers = await Promise.all(stage.canaries.map(async (person: Person) => ({ person, tc: await openProvider(stage.wsUrl, stage.canaryDoc, { participantToken: person.token }, onRefused) })))
  const closes: number[] = []
  for (const w of writers) w.tc.provider.on('connection-close', (e: { code: number } | null) => closes.push(e?.code ?? 0))
  const sent = new Map<string, number>()
  const arrived = new Map<string, number>()
  for (const w of writers) {
    const items = itemsMap(w.tc.doc)
    items.observe((event) => {
      const now = Date.now()
      for (const [key, change] of event.changes.keys) {
        if (change.action === 'add' && items.get(key)?.get('author') !== w.person.id && !arrived.has(key)) arrived.set(key, now)
      }
    })
  }
  let k = 0
  const own: string[][] = [[], []]
  const noteTimer = setInterval(() => {
    const w = writers[k % 2]!, mine = own[k % 2]!
    const now = Date.now()
    w.tc.doc.transact(() => {
      const id = addNote(w.tc.doc, { author: w.person.id, authorName: w.person.name, round: stage.round, now }, { text: `canary ${k} at ${now}`, x: (k % 20) * 60, y: Math.floor(k / 20) % 20 * 60 })
      sent.set(id, now)
      mine.push(id)
      // A person may hold 300 items on a tablecloth in a round: the oldest notes go.
      if (mine.length > KEEP_NOTES) deleteItem(w.tc.doc, mine.shift()!)
    })
    k++
  }, NOTE_EVERY_MS)

  // Two facilitator connections taking turns: each has a bucket of 15 points a second, a sync costs 1.
  const clocks = await Promise.all([0, 1].map(() => connectIo(stage.url, stage.cafe.id, { facilitatorKey: stage.cafe.facilitatorKey })))
  const rtts: Array<[at: number, ms: number]> = []
  let pending = 0, clockUnanswered = 0, clockRefused = 0, turn = 0
  const clockTimer = setInterval(() => {
    const at = Date.now()
    pending++
    clocks[turn++ % 2]!.socket.timeout(CLOCK_SYNC_TIMEOUT_MS).emit('clock:sync', { sentAt: at }, (err: Error | null, ack) => {
      pending--
      if (err) clockUnanswered++
      else if (!ack.ok) clockRefused++
      else rtts.push([at, Date.now() - at])
    })
  }, CLOCK_SYNC_EVERY_MS)

  let healthFailures = 0, checking = false
  const healthTimer = setInterval(async () => {
    if (checking) return
    checking = true
    if (!(await fetchHealth(stage.url))) healthFailures++
    checking = false
  }, HEALTH_EVERY_MS)
  const rss: Array<[at: number, mb: number]> = []
  const rssTimer = setInterval(() => rss.push([Date.now(), rssMb(stage.server.proc.pid)]), 250)

  return {
    async stop(window) {
      clearInterval(noteTimer)
      clearInterval(healthTimer)
      clearInterval(rssTimer)
      await until(() => [...sent.keys()].every((id) => arrived.has(id)), DRAIN_MS, 50)
      clearInterval(clockTimer)
      await until(() => pending === 0, CLOCK_SYNC_TIMEOUT_MS + 1000, 50)
      const within = (at: number) => at >= window.from && at <= window.to
      const latencies = [...sent].filter(([id, at]) => within(at) && arrived.has(id)).map(([id, at]) => arrived.get(id)! - at).sort((a, b) => a - b)
      const report: CanaryReport = {
        latencies, notesSent: sent.size, notesLost: [...sent.keys()].filter((id) => !arrived.has(id)).length,
        rtts: rtts.filter(([at]) => within(at)).map(([, ms]) => ms).sort((a, b) => a - b),
        closes: closes.splice(0), refused, clockUnanswered, clockRefused, healthFailures,
        rssPeakMb: Math.round(Math.max(0, ...rss.filter(([at]) => within(at)).map(([, mb]) => mb))),
        benchLoopMaxMs: Math.round(Math.max(0, loop.max / 1e6 - 10)),
      }
      loop.disable()
      for (const c of clocks) c.socket.close()
      for (const w of writers) w.tc.destroy()
      return report
    },
  }
}
