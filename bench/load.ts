/**
 * Load benchmark: N participants on T tables of a live café, each adding a short note every few
 * seconds, with a rotation every R seconds. The server runs in a child process (as `npm start` does,
 * with SQLite in a temporary folder); the participants are real Socket.IO and y-websocket clients spread
 * over W client processes (bench/loadWorker.ts), so that the clients' own work does not pass for the
 * server's latency.
 *
 *   npm run bench                       # 200 participants, 40 tables, 3 minutes
 *   npm run bench -- --participants 500 --tables 40
 *   npm run bench:smoke                 # the small CI variant; exits 1 if a note is lost or a rotation stalls
 *   npm run bench -- --nodes 3          # through HAProxy to 3 nodes on PostgreSQL; the café's node is
 *                                       # killed (-9) halfway through: prints the failover time too
 *
 * Prints p50/p99 edit propagation latency between tablemates, rotation completion time (from the end of
 * a round until every client is synced on its new tablecloth), delivery ratio, server CPU and RSS.
 */
import { fork } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { io as ioClient } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { PROTOCOL_VERSION } from '../shared/constants'
import { YJS_AUTH_PREFIX, YJS_SUBPROTOCOL } from '../shared/closeCodes'
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/protocol'
import { readItems, tableclothDocName } from '../shared/tablecloth'
import { freePort, startBuiltChild, startChild } from '../tests/helpers/child'
import { startCluster } from '../tests/helpers/cluster'
import type { WorkerConfig, WorkerReport } from './loadWorker'

process.setMaxListeners(0)
const { values: args } = parseArgs({
  options: {
    participants: { type: 'string', default: '200' },
    tables: { type: 'string', default: '40' },
    duration: { type: 'string', default: '180' },
    'rotate-every': { type: 'string', default: '60' },
    'note-every': { type: 'string', default: '3' },
    workers: { type: 'string', default: '4' },
    smoke: { type: 'boolean', default: false },
    'server-root': { type: 'string' },
    nodes: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
})
if (args.help) {
  console.log('usage: tsx bench/load.ts [--participants 200] [--tables 40] [--duration 180] [--rotate-every 60] [--note-every 3] [--workers 4] [--smoke] [--server-root <another checkout, to measure its server with these clients>] [--nodes 3 (through HAProxy, PostgreSQL; kills the café\'s node halfway)]')
  process.exit(0)
}
const N = Number(args.participants)
const T = Number(args.tables)
const DURATION_S = Number(args.duration)
const ROTATE_S = Number(args['rotate-every'])
const NOTE_MS = Number(args['note-every']) * 1000
const W = Math.max(1, Math.min(Number(args.workers), N))
const NODES = Number(args.nodes)
if (![N, T, DURATION_S, ROTATE_S, NOTE_MS, W, NODES].every((n) => Number.isFinite(n) && n > 0) || ROTATE_S < 10 || (NODES > 1 && args['server-root'])) {
  console.error('invalid arguments (numbers above 0; rotate-every at least 10 seconds)')
  process.exit(2)
}
/** A tablemate must have held the tablecloth this long after a note was written to be expected to get it. */
const RECEIPT_WINDOW_MS = 1000

type IoSocket = Socket<ServerToClientEvents, ClientToServerEvents>

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN)

function procStats(pid: number): { cpuTicks: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  return { cpuTicks: Number(stat[11]) + Number(stat[12]), rssMb: rssKb / 1024 }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nappe-bench-'))
  const cluster = NODES > 1 ? await startCluster({ nodes: NODES, leaseSeconds: 2, env: { LOG_LEVEL: 'warn', DOC_IDLE_SECONDS: '5' } }) : null
  const port = cluster ? 0 : await freePort()
  const serverEnv = { LOG_LEVEL: 'warn', DOC_IDLE_SECONDS: '5' }
  // Another checkout (`--server-root`) runs from its sources; this one runs built, as `npm start` does.
  const single = cluster ? null : args['server-root'] ? await startChild(port, dataDir, serverEnv, [], args['server-root']) : await startBuiltChild(port, dataDir, serverEnv)
  const url = cluster ? cluster.proxy.url : `http://127.0.0.1:${port}`
  const rounds = Math.ceil(DURATION_S / ROTATE_S) + 1
  const res = await fetch(`${url}/api/cafes`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Load benchmark', shape: 'classic', language: 'en', advance: 'auto', transitionSeconds: 0, roundMinutes: ROTATE_S / 60,
      tables: Array.from({ length: T }, (_, i) => ({ name: `Table ${i + 1}`, capacity: Math.max(2, Math.ceil(N / T) + 2) })),
      questions: Array.from({ length: rounds }, (_, i) => ({ text: `Question ${i + 1}` })),
    }),
  })
  if (res.status !== 201) throw new Error(`create café: ${res.status} ${await res.text()}`)
  const cafe = (await res.json()) as { id: string; joinCode: string; facilitatorKey: string }
  const facilitator: IoSocket = ioClient(url, { transports: ['websocket'], auth: { protocol: PROTOCOL_VERSION, cafeId: cafe.id, facilitatorKey: cafe.facilitatorKey }, ...(cluster ? { path: `/c/${cafe.id}/socket.io/` } : {}) })
  await new Promise<void>((resolve, reject) => { facilitator.once('connect', () => resolve()); facilitator.once('connect_error', reject) })
  const ack = (e: keyof ClientToServerEvents) => (facilitator.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(e, {})
  await ack('cafe:open')

  // Round r's doc for each participant, and when round r - 1 ended.
  const docsByRound = new Map<number, Map<string, string>>()
  const roundEnds = new Map<number, number>()
  facilitator.on('cafe:state', (state) => {
    const lc = state.lifecycle
    if (lc.phase !== 'round' || docsByRound.has(lc.round)) return
    const plan = state.definition.rounds[lc.round - 1]!
    docsByRound.set(lc.round, new Map(state.participants.filter((p) => p.tableId).map((p) => [p.id, tableclothDocName(cafe.id, p.tableId!, plan.questionByTable[p.tableId!]!)])))
    if (lc.timer.status === 'running') roundEnds.set(lc.round, lc.timer.endsAt)
  })

  const joinStart = Date.now()
  const outFiles: string[] = []
  const workers = Array.from({ length: W }, (_, index) => {
    const out = join(dataDir, `worker-${index}.json`)
    outFiles.push(out)
    const count = Math.floor(N / W) + (index < N % W ? 1 : 0)
    const config: WorkerConfig = { url, cafeId: cafe.id, joinCode: cafe.joinCode, count, index, noteMs: NOTE_MS, out, cafePaths: cluster !== null }
    return fork(fileURLToPath(new URL('./loadWorker.ts', import.meta.url)), [JSON.stringify(config)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  })
  const messageFrom = (type: string) => Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.on('message', (m: { type: string }) => { if (m.type === type) resolve() })
    w.on('exit', (code) => { if (code !== 0) reject(new Error(`a client worker exited with ${code}`)) })
  })))
  await messageFrom('ready')
  const joinMs = Date.now() - joinStart

  await ack('round:start')
  // The server measured: the one node, or the café's node (the one that takes it after the failover).
  let server = single ?? cluster!.node((await cluster!.ownerOf(cafe.id))!).child
  const start = procStats(server.proc.pid!)
  const startWall = Date.now()
  let maxRss = start.rssMb
  const rssTimer = setInterval(() => { try { maxRss = Math.max(maxRss, procStats(server.proc.pid!).rssMb) } catch { /* killed */ } }, 1000)
  for (const w of workers) w.send({ type: 'go' })
  let killedAt: number | null = null
  let cpuBeforeKill = 0
  if (cluster) {
    // Halfway through, the café's node is killed; its clients reconnect through the proxy to the node that takes the café.
    await new Promise((r) => setTimeout(r, (DURATION_S * 1000) / 2))
    const owner = (await cluster.ownerOf(cafe.id))!
    cpuBeforeKill = procStats(server.proc.pid!).cpuTicks - start.cpuTicks
    killedAt = Date.now()
    cluster.node(owner).child.proc.kill('SIGKILL')
    let next: string | null = null
    while (!next || next === owner) { await new Promise((r) => setTimeout(r, 100)); next = await cluster.ownerOf(cafe.id) }
    server = cluster.node(next).child
    start.cpuTicks = procStats(server.proc.pid!).cpuTicks
    await new Promise((r) => setTimeout(r, Math.max(0, startWall + DURATION_S * 1000 - Date.now())))
  } else {
    await new Promise((r) => setTimeout(r, DURATION_S * 1000))
  }
  const end = procStats(server.proc.pid!)
  end.cpuTicks += cpuBeforeKill
  const health = (await (await fetch(`${url}/healthz`)).json()) as { eventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number } }
  const wallS = (Date.now() - startWall) / 1000
  clearInterval(rssTimer)
  const done = messageFrom('done')
  for (const w of workers) w.send({ type: 'stop' })
  await done

  const reports = outFiles.map((f) => JSON.parse(readFileSync(f, 'utf8')) as WorkerReport)
  const notes = reports.flatMap((r) => r.notes)
  const holdings = reports.flatMap((r) => r.holdings)
  const receipts = new Map<string, number>()
  for (const r of reports) for (const [pid, noteId, at] of r.receipts) receipts.set(`${pid}|${noteId}`, at)

  // Who should have received each note: tablemates who held its tablecloth from before it was written
  // until at least RECEIPT_WINDOW_MS after.
  const holdingsByDoc = new Map<string, typeof holdings>()
  for (const h of holdings) { const list = holdingsByDoc.get(h[1]) ?? []; list.push(h); holdingsByDoc.set(h[1], list) }
  const latencies: number[] = []
  let expectedPairs = 0, receivedPairs = 0
  for (const [id, doc, author, createdAt] of notes) {
    for (const [pid, , from, to] of holdingsByDoc.get(doc) ?? []) {
      if (pid === author || from > createdAt || (to !== null && to < createdAt + RECEIPT_WINDOW_MS)) continue
      expectedPairs++
      const at = receipts.get(`${pid}|${id}`)
      if (at !== undefined) { receivedPairs++; latencies.push(at - createdAt) }
    }
  }
  latencies.sort((a, b) => a - b)
  // The same, leaving out notes written within 2 s before or 5 s after a move.
  const boundaries = [...roundEnds.values()]
  const steady: number[] = []
  for (const [id, doc, author, createdAt] of notes) {
    if (boundaries.some((b) => createdAt > b - 2000 && createdAt < b + 5000)) continue
    // And (--nodes) the failover: from 2 s before the kill to 10 s after.
    if (killedAt !== null && createdAt > killedAt - 2000 && createdAt < killedAt + 10_000) continue
    for (const [pid, , from, to] of holdingsByDoc.get(doc) ?? []) {
      if (pid === author || from > createdAt || (to !== null && to < createdAt + RECEIPT_WINDOW_MS)) continue
      const at = receipts.get(`${pid}|${id}`)
      if (at !== undefined) steady.push(at - createdAt)
    }
  }
  steady.sort((a, b) => a - b)

  // Failover (--nodes): from the kill until a note written after it reached a tablemate, and the slowest
  // receipt of the notes written in the ten seconds after it.
  let failoverMs = NaN, afterKillMaxMs = NaN
  if (killedAt !== null) {
    let first = Infinity, slowest = 0
    for (const [id, doc, author, createdAt] of notes) {
      if (createdAt < killedAt || createdAt > killedAt + 10_000) continue
      for (const [pid] of holdingsByDoc.get(doc) ?? []) {
        if (pid === author) continue
        const at = receipts.get(`${pid}|${id}`)
        if (at !== undefined) { first = Math.min(first, at); slowest = Math.max(slowest, at - createdAt) }
      }
    }
    failoverMs = first - killedAt
    afterKillMaxMs = slowest
  }

  // Rotation: from the end of round r - 1 until the last participant holds their round-r tablecloth.
  const rotationMs: number[] = []
  let incompleteRotations = 0
  for (const [round, docs] of docsByRound) {
    const endedAt = roundEnds.get(round - 1)
    if (round === 1 || endedAt === undefined) continue
    let last = 0
    let complete = true
    for (const [pid, doc] of docs) {
      const h = holdings.find((x) => x[0] === pid && x[1] === doc)
      if (!h) { complete = false; break }
      last = Math.max(last, h[2])
    }
    if (complete) rotationMs.push(Math.max(0, last - endedAt))
    else incompleteRotations++
  }

  // Everything written must be on the server: read every tablecloth back as the facilitator.
  let stored = 0
  const wsUrl = url.replace(/^http/, 'ws')
  for (const name of new Set(notes.map((n) => n[1]))) {
    const doc = new Y.Doc()
    const provider = new WebsocketProvider(`${wsUrl}/yjs`, name, doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true, protocols: [YJS_SUBPROTOCOL, `${YJS_AUTH_PREFIX}f.${cafe.facilitatorKey}`] })
    await new Promise<void>((resolve) => provider.once('sync', () => resolve()))
    stored += readItems(doc).filter((i) => i.kind === 'note').length
    provider.destroy(); doc.destroy()
  }

  const result = {
    participants: N, tables: T, durationS: DURATION_S, rotateEveryS: ROTATE_S, noteEveryS: NOTE_MS / 1000, clientProcesses: W,
    joinAllMs: joinMs, notesSent: notes.length, notesStored: stored,
    propagationP50Ms: percentile(latencies, 50), propagationP99Ms: percentile(latencies, 99), propagationMaxMs: latencies.at(-1) ?? NaN,
    propagationP99AwayFromMovesMs: percentile(steady, 99), serverEventLoopDelay: health.eventLoopDelay,
    clientEventLoopDelayP99Ms: Math.round(Math.max(...reports.map((r) => r.loopDelay.p99Ms))),
    clientEventLoopDelayMaxMs: Math.round(Math.max(...reports.map((r) => r.loopDelay.maxMs))),
    rotations: rotationMs.length + incompleteRotations, rotationMaxMs: rotationMs.length ? Math.max(...rotationMs) : NaN, incompleteRotations,
    deliveryRatio: expectedPairs ? receivedPairs / expectedPairs : 1, storedRatio: notes.length ? stored / notes.length : 1,
    caughtUp: reports.reduce((n, r) => n + r.caughtUp, 0),
    serverCpuPercent: Math.round(((end.cpuTicks - start.cpuTicks) / 100 / wallS) * 1000) / 10, serverRssMaxMb: Math.round(maxRss),
    nodes: NODES, failoverMs, afterKillMaxMs,
  }
  console.log(`
Nappe load benchmark: ${N} participants on ${T} tables, a note every ${NOTE_MS / 1000} s, a rotation every ${ROTATE_S} s, ${DURATION_S} s, ${W} client processes
  joins (HTTP + Socket.IO) and first sync  ${joinMs} ms
  notes sent / stored on the server        ${notes.length} / ${stored}
  propagation between tablemates           p50 ${result.propagationP50Ms} ms, p99 ${result.propagationP99Ms} ms, max ${result.propagationMaxMs} ms
    away from moves (±2/5 s)${cluster ? ' and the kill' : '              '} p99 ${result.propagationP99AwayFromMovesMs} ms
  server event-loop delay                  p50 ${health.eventLoopDelay.p50Ms} ms, p99 ${health.eventLoopDelay.p99Ms} ms, max ${health.eventLoopDelay.maxMs} ms
  client processes' event-loop delay       p99 ${result.clientEventLoopDelayP99Ms} ms, max ${result.clientEventLoopDelayMaxMs} ms (the simulator's own delays add to the latencies)
  rotations                                ${result.rotations}, slowest complete in ${result.rotationMaxMs} ms${incompleteRotations ? `, ${incompleteRotations} incomplete` : ''}
  delivery ratio                           ${(result.deliveryRatio * 100).toFixed(2)} % (${receivedPairs} / ${expectedPairs} receipts; ${result.caughtUp} missed live and caught up before the tablecloth was closed)
  server CPU                               ${result.serverCpuPercent} % of one core
  server RSS (max)                         ${result.serverRssMaxMb} MB${cluster ? `
  nodes (HAProxy, PostgreSQL)              ${NODES}; the café's node killed -9 at ${Math.round(DURATION_S / 2)} s (CPU and RSS: the café's node, before then after)
  failover                                 first note through ${Math.round(failoverMs)} ms after the kill; slowest receipt of the notes of the next 10 s ${Math.round(afterKillMaxMs)} ms` : ''}
`)
  console.log(`RESULT ${JSON.stringify(result)}`)

  facilitator.close()
  if (cluster) await cluster.stop()
  else { server.proc.kill('SIGTERM'); await server.exited }
  rmSync(dataDir, { recursive: true, force: true })
  if (args.smoke && !(result.deliveryRatio === 1 && result.storedRatio === 1 && incompleteRotations === 0 && result.rotations > 0)) {
    console.error('smoke benchmark failed: a note was not delivered or stored, or a rotation did not complete')
    process.exit(1)
  }
  process.exit(0)
}

main().catch((err) => { console.error(err); process.exit(1) })
