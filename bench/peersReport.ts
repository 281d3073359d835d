/**
 * The tables of `npm run bench:peers`: per scenario, every server's median over the repetitions (with the
 * range), and the ratio Nappe / best peer (p99, RSS, the storm's first-second max, edits lost on kill -9);
 * for the hot doc, the largest doc each server serves at p99 <= 100 ms.
 */
import type { KillResult } from './peersKill'
import type { RunResult } from './peersRun'
import { SERVER_LABELS } from './peersServers'
import type { ServerKind } from './peersServers'

const HOT_P99_LIMIT_MS = 100

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  if (!s.length) return NaN
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? String(Math.round(x * 10 ** digits) / 10 ** digits) : '-')
const range = (xs: number[], digits = 1) => (fmt(Math.min(...xs), digits) !== fmt(Math.max(...xs), digits) ? `${fmt(Math.min(...xs), digits)}-${fmt(Math.max(...xs), digits)}` : fmt(xs[0] ?? NaN, digits))

export interface ServerSummary {
  p50Ms: number; p99Ms: number; p99Range: [number, number]; maxMs: number; deliveryMinPct: number
  rssMb: number; cpuPct: number; clientLoopMaxMs: number; allSyncedMs?: number; firstSecondMaxMs?: number
}
export interface ScenarioSummary {
  servers: Partial<Record<ServerKind, ServerSummary>>
  /** Nappe / best peer (the peer best at that figure); absent without Nappe or peers. */
  ratios: { p99?: number; rss?: number; stormMax?: number }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r, k) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |${k === 0 ? `\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|` : ''}`).join('\n')
}

function ratio(summaries: Partial<Record<ServerKind, ServerSummary>>, pick: (s: ServerSummary) => number | undefined): number | undefined {
  const nappe = summaries.nappe ? pick(summaries.nappe) : undefined
  const peers = (Object.entries(summaries) as Array<[ServerKind, ServerSummary]>).filter(([k]) => k !== 'nappe').map(([, s]) => pick(s)).filter((x): x is number => x !== undefined && Number.isFinite(x))
  if (nappe === undefined || !peers.length) return undefined
  return Math.round((nappe / Math.min(...peers)) * 100) / 100
}

export function printTables(results: Array<RunResult | KillResult>, servers: ServerKind[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const scenarios = [...new Set(results.map((r) => r.scenario))]
  const hot: Partial<Record<ServerKind, number>> = {}
  for (const id of scenarios) {
    const mine = results.filter((r) => r.scenario === id)
    if (id === 'kill9') {
      const kills = mine as KillResult[]
      const rows = [['server', 'edits', 'seen live', 'kept after restart', 'lost']]
      const lost: Partial<Record<ServerKind, number[]>> = {}
      for (const s of servers) {
        const k = kills.filter((r) => r.server === s)
        if (!k.length) continue
        lost[s] = k.map((r) => r.lost)
        rows.push([SERVER_LABELS[s], range(k.map((r) => r.edits), 0), range(k.map((r) => r.seenLive), 0), range(k.map((r) => r.kept), 0), range(k.map((r) => r.lost), 0)])
      }
      const peerLost = (Object.entries(lost) as Array<[ServerKind, number[]]>).filter(([s]) => s !== 'nappe').map(([, l]) => Math.max(...l))
      console.log(`\nkill -9 one second after a burst of edits\n${table(rows)}`)
      if (lost.nappe && peerLost.length) console.log(`Nappe lost ${Math.max(...lost.nappe)} at most, the best peer ${Math.min(...peerLost)}`)
      out[id] = { lost }
      continue
    }
    const runs = mine as RunResult[]
    const summaries: Partial<Record<ServerKind, ServerSummary>> = {}
    const storm = runs.some((r) => r.allSyncedMs !== undefined)
    const rows = [['server', 'p50 ms', 'p99 ms (range)', 'max ms', 'delivery % (min)', 'RSS MB', 'CPU %', "clients' loop max ms", ...(storm ? ['all synced ms', 'first-second max ms (range)'] : [])]]
    for (const s of servers) {
      const r = runs.filter((x) => x.server === s)
      if (!r.length) continue
      const p99s = r.map((x) => x.p99Ms)
      const sum: ServerSummary = {
        p50Ms: median(r.map((x) => x.p50Ms)), p99Ms: median(p99s), p99Range: [Math.min(...p99s), Math.max(...p99s)], maxMs: median(r.map((x) => x.maxMs)),
        deliveryMinPct: Math.min(...r.map((x) => x.deliveryPct)), rssMb: median(r.map((x) => x.serverRssMaxMb)), cpuPct: median(r.map((x) => x.serverCpuPct)),
        clientLoopMaxMs: Math.max(...r.map((x) => x.clientLoopMaxMs)),
        ...(storm ? { allSyncedMs: median(r.map((x) => x.allSyncedMs!)), firstSecondMaxMs: median(r.map((x) => x.firstSecondMaxMs!)) } : {}),
      }
      summaries[s] = sum
      rows.push([SERVER_LABELS[s], fmt(sum.p50Ms), `${fmt(sum.p99Ms)} (${range(p99s)})`, fmt(sum.maxMs), fmt(sum.deliveryMinPct, 2), fmt(sum.rssMb, 0), fmt(sum.cpuPct, 0), fmt(sum.clientLoopMaxMs),
        ...(storm ? [fmt(sum.allSyncedMs!, 0), `${fmt(sum.firstSecondMaxMs!)} (${range(r.map((x) => x.firstSecondMaxMs!))})`] : [])])
      const hotN = /^hot(\d+)$/.exec(id)
      if (hotN && sum.p99Ms <= HOT_P99_LIMIT_MS) hot[s] = Math.max(hot[s] ?? 0, Number(hotN[1]))
    }
    const ratios = { p99: ratio(summaries, (s) => s.p99Ms), rss: ratio(summaries, (s) => s.rssMb), ...(storm ? { stormMax: ratio(summaries, (s) => s.firstSecondMaxMs) } : {}) }
    const first = runs[0]!
    console.log(`\n${id}: medians of ${Math.max(...runs.map((r) => r.rep))} repetition(s); load average ${range(runs.map((r) => r.load1), 2)}; ${first.notes} notes in the first run`)
    console.log(table(rows))
    if (ratios.p99 !== undefined) console.log(`Nappe / best peer: p99 ${ratios.p99}, RSS ${ratios.rss}${storm ? `, first-second max ${ratios.stormMax}` : ''}`)
    out[id] = { servers: summaries, ratios } satisfies ScenarioSummary
  }
  if (scenarios.some((s) => s.startsWith('hot'))) {
    console.log(`\nlargest hot doc at p99 <= ${HOT_P99_LIMIT_MS} ms (of those run): ${servers.map((s) => `${SERVER_LABELS[s]} ${hot[s] ?? 'none'}`).join(', ')}`)
    out.hotLargestAtP99Le100 = hot
  }
  return out
}
