/**
 * The kill -9 durability check of `npm run bench:peers`: writers on one doc send a burst of edits (a note
 * each), a tablemate watches them arrive, the server is killed (-9) one second after the last edit left
 * the writers, restarted on the same data, and a fresh reader counts what is still there.
 * Only servers that persist: Nappe, y-websocket + LevelDB, Hocuspocus + SQLite.
 */
import { loadavg } from 'node:os'
import { seatNappe } from './peersNappe'
import { framingOf, startServer } from './peersServers'
import type { ServerKind } from './peersServers'
import { RawClient, scanNotes } from './peersWire'
import type { ClientSpec } from './peersWire'

export interface KillResult {
  scenario: 'kill9'; server: ServerKind; rep: number
  edits: number; seenLive: number; kept: number; lost: number; load1: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(ok: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(10)
  }
}

/** Opens a client, resolved once synced; `onMessage` sees every sync message, the first SyncStep2 included. */
async function open(spec: ClientSpec, onMessage?: (data: Buffer) => void): Promise<RawClient> {
  let synced = false
  const c = new RawClient(spec, { synced: () => { synced = true }, message: (_, data) => onMessage?.(data) })
  await until(() => synced || c.closedAt !== null, 30_000, `${spec.docName} sync`)
  if (!synced) throw new Error(`${spec.url} closed before syncing`)
  return c
}

/** `edits` notes from `writers` people (Nappe allows 300 items per person, round and tablecloth). */
export async function runKill(kind: ServerKind, rep: number, edits: number, writers: number): Promise<KillResult> {
  let server = await startServer(kind)
  try {
    const specs: ClientSpec[] = []
    let reader: (docName: string) => ClientSpec
    if (kind === 'nappe') {
      const cafe = await seatNappe(server.url, writers + 1, 1)
      cafe.seats.forEach((s, id) => specs.push({ id, framing: 'yws', url: server.docUrl(s.docName), protocols: s.protocols, docName: s.docName, docIndex: 0, author: s.participantId, authorName: s.displayName, round: 1 }))
      cafe.close()
      reader = (docName) => ({ ...specs[0]!, id: 10_000, url: server.docUrl(docName), protocols: cafe.readerProtocols, author: 'facilitator', authorName: 'Facilitator' })
    } else {
      for (let id = 0; id <= writers; id++) specs.push({ id, framing: framingOf(kind), url: server.docUrl('peers-kill'), protocols: [], docName: 'peers-kill', docIndex: 0, author: `c${id}`, authorName: `P${id}`, round: 1 })
      reader = () => ({ ...specs[0]!, id: 10_000 })
    }
    const live = new Set<string>()
    const watcher = await open(specs[writers]!, (data) => scanNotes(data, (r) => { if (r.writer !== writers) live.add(`${r.writer}:${r.seq}`) }))
    const ws = await Promise.all(specs.slice(0, writers).map((s) => open(s)))
    const per = Math.ceil(edits / writers)
    let written = 0
    for (let i = 0; i < per; i++) for (const w of ws) if (written < edits) { w.write(); written++ }
    await until(() => ws.every((w) => w.ws.bufferedAmount === 0), 30_000, 'burst sent')
    await sleep(1000)
    const seenLive = live.size
    for (const c of [...ws, watcher]) c.ws.terminate()
    server = await server.killAndRestart()
    const kept = new Set<string>()
    const docName = specs[0]!.docName
    const fresh = await open(reader(docName), (data) => scanNotes(data, (r) => kept.add(`${r.writer}:${r.seq}`)))
    // y-websocket answers before its LevelDB state is loaded, then sends that state as an update: wait for it.
    await sleep(1500)
    fresh.close()
    return { scenario: 'kill9', server: kind, rep, edits: written, seenLive, kept: kept.size, lost: written - kept.size, load1: Math.round(loadavg()[0]! * 100) / 100 }
  } finally {
    await server.stop()
  }
}
