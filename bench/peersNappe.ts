/**
 * Seats the simulated participants of `npm run bench:peers` in a live Nappe café, as a facilitator would:
 * a café created by the API with one table per doc, N people joined by the join code, the café opened and
 * round 1 started over Socket.IO; then each participant's token and tablecloth come from the facilitator's
 * view of the seating. A table holds at most MAX_TABLE_CAPACITY (50) by definition; with more people than
 * seats the planner raises the capacity of the least overfull table (shared/planner/model.ts), so the
 * hot doc is a café of one table of 50 that all N sit at.
 */
import { io as ioClient } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import { MAX_TABLE_CAPACITY, PROTOCOL_VERSION } from '../shared/constants'
import { YJS_AUTH_PREFIX, YJS_SUBPROTOCOL } from '../shared/closeCodes'
import type { CafeView, ClientToServerEvents, ServerToClientEvents } from '../shared/protocol'
import { tableclothDocName } from '../shared/tablecloth'

export interface Seat { docName: string; participantId: string; displayName: string; protocols: string[] }
export interface NappeCafe {
  /** One seat per participant, in join order. */
  seats: Seat[]
  /** The docs in table order. */
  docs: string[]
  /** Read access to every tablecloth (the facilitator's key). */
  readerProtocols: string[]
  close(): void
}

type IoSocket = Socket<ServerToClientEvents, ClientToServerEvents>

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

export async function seatNappe(url: string, people: number, tables: number): Promise<NappeCafe> {
  const cafe = await post<{ id: string; joinCode: string; facilitatorKey: string }>(`${url}/api/cafes`, {
    title: 'Peers benchmark', shape: 'classic', language: 'en', advance: 'manual', roundMinutes: 120,
    tables: Array.from({ length: tables }, (_, i) => ({ name: `Table ${i + 1}`, capacity: Math.min(MAX_TABLE_CAPACITY, Math.max(1, Math.ceil(people / tables))) })),
    questions: [{ text: 'What did the benchmark show?' }],
  })
  const facilitator: IoSocket = ioClient(url, { transports: ['websocket'], auth: { protocol: PROTOCOL_VERSION, cafeId: cafe.id, facilitatorKey: cafe.facilitatorKey } })
  let state: CafeView | null = null
  facilitator.on('cafe:state', (s) => { state = s })
  await new Promise<void>((resolve, reject) => { facilitator.once('cafe:state', () => resolve()); facilitator.once('connect_error', reject) })
  const ack = async (event: keyof ClientToServerEvents) => {
    const a = await (facilitator.timeout(30_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<{ ok: boolean; error?: unknown }> }).emitWithAck(event, {})
    if (!a.ok) throw new Error(`${event}: ${JSON.stringify(a.error)}`)
  }
  await ack('cafe:open')
  const joined: Array<{ participantId: string; participantToken: string; displayName: string }> = []
  for (let i = 0; i < people; i += 20) {
    joined.push(...await Promise.all(Array.from({ length: Math.min(20, people - i) }, async (_, k) => {
      const displayName = `P${i + k}`
      const j = await post<{ participantId: string; participantToken: string }>(`${url}/api/join`, { code: cafe.joinCode, displayName })
      return { ...j, displayName }
    })))
  }
  await ack('round:start')
  const deadline = Date.now() + 60_000
  const seated = (): CafeView | null => {
    const s = state as CafeView | null
    return s && s.lifecycle.phase === 'round' && s.participants.filter((p) => p.tableId).length >= people ? s : null
  }
  while (!seated()) {
    if (Date.now() > deadline) throw new Error('Nappe: the participants were not all seated within 60 s')
    await new Promise((r) => setTimeout(r, 50))
  }
  const view = seated()!
  const plan = view.definition.rounds[0]!
  const docOf = (tableId: string) => tableclothDocName(cafe.id, tableId, plan.questionByTable[tableId]!)
  const tableOf = new Map(view.participants.map((p) => [p.id, p.tableId!]))
  return {
    seats: joined.map((j) => ({
      docName: docOf(tableOf.get(j.participantId)!), participantId: j.participantId, displayName: j.displayName,
      protocols: [YJS_SUBPROTOCOL, `${YJS_AUTH_PREFIX}p.${j.participantToken}`],
    })),
    docs: view.definition.tables.map((t) => docOf(t.id)),
    readerProtocols: [YJS_SUBPROTOCOL, `${YJS_AUTH_PREFIX}f.${cafe.facilitatorKey}`],
    close: () => { facilitator.close() },
  }
}
