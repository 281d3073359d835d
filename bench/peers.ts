/**
 * Nappe side by side with the reference Yjs servers (issue 14): the same simulated participants (raw
 * y-protocols clients, bench/peersWire.ts, in a few client processes) against Nappe, @y/websocket-server
 * (without persistence and with LevelDB) and Hocuspocus (without extensions and with SQLite), each server
 * fresh in its own process for every run, runs interleaved (every repetition runs every server once, in
 * a rotating order), the load average and the client processes' own event-loop delay printed with each.
 *
 *   npm run bench:peers                                   # every scenario, 3 repetitions, 20 s windows
 *   npm run bench:peers -- --scenarios hot200,hot400 --reps 5 --servers nappe,yws
 *   npm run bench:peers -- --smoke                        # CI: a few seconds per server; exits 1 if broken
 *
 * Scenarios: docs200 (200 clients on 40 docs) and docs1000 (1,000 on 200), a note every 3 s per client;
 * hot50 … hot400 (everyone on one doc); storm (1,000 clients on 200 docs connecting at once, each writing
 * as soon as it is synced); kill9 (a burst of 1,000 edits, kill -9 one second after, restart, count).
 * Docs: docs/performance.md.
 */
import { parseArgs } from 'node:util'
import { runKill } from './peersKill'
import type { KillResult } from './peersKill'
import { runScenario } from './peersRun'
import type { RunResult, Scenario } from './peersRun'
import { PERSISTENT, SERVER_KINDS, SERVER_LABELS } from './peersServers'
import type { ServerKind } from './peersServers'
import { printTables } from './peersReport'

const { values: args } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'docs200,docs1000,hot50,hot100,hot200,hot400,storm,kill9' },
    servers: { type: 'string', default: SERVER_KINDS.join(',') },
    reps: { type: 'string', default: '3' },
    duration: { type: 'string', default: '20' },
    'note-every': { type: 'string', default: '3' },
    workers: { type: 'string', default: '3' },
    edits: { type: 'string', default: '1000' },
    smoke: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (args.help) {
  console.log(`usage: tsx bench/peers.ts [--scenarios docs200,docs1000,hot50,hot100,hot200,hot400,hotN,storm,kill9] [--servers ${SERVER_KINDS.join(',')}]
  [--reps 3] [--duration 20 (s per run)] [--note-every 3 (s)] [--workers 3 (client processes)] [--edits 1000 (kill9)] [--smoke]`)
  process.exit(0)
}
const smoke = args.smoke
const reps = smoke ? 1 : Number(args.reps)
const durationMs = (smoke ? 1.5 : Number(args.duration)) * 1000
const noteMs = (smoke ? 0.5 : Number(args['note-every'])) * 1000
const workers = Number(args.workers)
const edits = smoke ? 100 : Number(args.edits)
const servers = args.servers.split(',') as ServerKind[]
const names = smoke ? ['docs20', 'kill9'] : args.scenarios.split(',')
if (![reps, durationMs, noteMs, workers, edits].every((n) => Number.isFinite(n) && n > 0) || !servers.every((s) => SERVER_KINDS.includes(s))) {
  console.error(`invalid arguments (numbers above 0; servers among ${SERVER_KINDS.join(', ')})`)
  process.exit(2)
}

function scenario(id: string): Scenario | 'kill9' {
  if (id === 'kill9') return 'kill9'
  if (id === 'storm') return { id, mode: 'storm', clients: 1000, docs: 200, noteMs, durationMs }
  const docs = /^docs(\d+)$/.exec(id)
  if (docs) { const clients = Number(docs[1]); return { id, mode: 'steady', clients, docs: Math.max(1, Math.round(clients / 5)), noteMs, durationMs } }
  const hot = /^hot(\d+)$/.exec(id)
  if (hot) return { id, mode: 'steady', clients: Number(hot[1]), docs: 1, noteMs, durationMs }
  console.error(`unknown scenario ${id}`)
  process.exit(2)
}

const rotate = <T>(list: T[], k: number) => list.map((_, i) => list[(i + k) % list.length]!)
const results: Array<RunResult | KillResult> = []
const failures: string[] = []

function line(r: RunResult | KillResult): string {
  const who = `${r.scenario.padEnd(8)} ${SERVER_LABELS[r.server].padEnd(22)} #${r.rep}`
  if (r.scenario === 'kill9') {
    const k = r as KillResult
    return `${who}  ${k.edits} edits, ${k.seenLive} seen live, ${k.kept} kept after kill -9 and restart, ${k.lost} lost; load ${k.load1}`
  }
  const x = r as RunResult
  return `${who}  p50 ${x.p50Ms} / p99 ${x.p99Ms} / max ${x.maxMs} ms, delivery ${x.deliveryPct} % (${x.received}/${x.expected}), RSS ${x.serverRssMaxMb} MB, CPU ${x.serverCpuPct} %, load ${x.load1}, clients' loop p99 ${x.clientLoopP99Ms} max ${x.clientLoopMaxMs} ms`
    + (x.allSyncedMs !== undefined ? `, all synced in ${x.allSyncedMs} ms, first second max ${x.firstSecondMaxMs} ms` : '')
    + (x.refusals || x.unexpectedCloses ? `, ${x.refusals} refusals, ${x.unexpectedCloses} closed` : '')
}

/** What means the harness or a server is broken (rather than slow). */
function broken(r: RunResult | KillResult): string | null {
  if (r.scenario === 'kill9') return r.server === 'nappe' && (r as KillResult).lost > 0 ? 'Nappe lost edits on kill -9' : null
  const x = r as RunResult
  if (x.refusals > 0) return `${x.refusals} notes refused (the simulator writes outside the tablecloth model)`
  if (smoke && (x.deliveryPct < 100 || x.unexpectedCloses > 0)) return `delivery ${x.deliveryPct} %, ${x.unexpectedCloses} connections closed`
  return null
}

console.log(`bench:peers: ${names.join(', ')}; ${servers.map((s) => SERVER_LABELS[s]).join(', ')}; ${reps} repetition(s), ${durationMs / 1000} s windows, a note every ${noteMs / 1000} s, ${workers} client processes`)
for (const name of names) {
  const sc = scenario(name)
  const who = sc === 'kill9' ? servers.filter((s) => PERSISTENT.includes(s)) : servers
  for (let rep = 1; rep <= reps; rep++) {
    for (const server of rotate(who, rep - 1)) {
      try {
        const r = sc === 'kill9' ? await runKill(server, rep, edits, 10) : await runScenario(server, sc, rep, workers)
        results.push(r)
        console.log(line(r))
        const why = broken(r)
        if (why) failures.push(`${name} ${server}: ${why}`)
      } catch (err) {
        console.log(`${name.padEnd(8)} ${SERVER_LABELS[server].padEnd(22)} #${rep}  FAILED: ${(err as Error).message.split('\n')[0]}`)
        failures.push(`${name} ${server}: ${(err as Error).message}`)
      }
    }
  }
}

const summary = printTables(results, servers)
console.log(`RESULT ${JSON.stringify({ smoke, reps, durationS: durationMs / 1000, noteEveryS: noteMs / 1000, workers, summary, runs: results, failures })}`)
if (failures.length) {
  console.error(`bench:peers: something is broken:\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
process.exit(0)
