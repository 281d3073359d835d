import WebSocket from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { eventually } from '../helpers/eventually'
import { authProtocols } from '../helpers/server'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'

let s: Scenario | null = null
const sockets: WebSocket[] = []
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await s?.t.close()
  s = null
})

const PING_MS = 900

async function open(docName: string, protocols: string[], autoPong = true): Promise<{ ws: WebSocket; pings: number[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${s!.t.wsUrl}/yjs/${docName}`, protocols, { autoPong })
  sockets.push(ws)
  const pings: number[] = []
  ws.on('ping', () => pings.push(performance.now()))
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject) })
  return { ws, pings, closed }
}

describe('tablecloth heartbeat', () => {
  it('pings every connection once an interval, spread over the interval rather than all at once', async () => {
    s = await runningCafe({ server: { config: { yjsPingMs: PING_MS } } })
    const doc = s.docOf(s.people[0]!.participantId)
    const conns = await Promise.all(Array.from({ length: 30 }, () => open(doc, authProtocols({ facilitatorKey: s!.facilitatorKey }))))
    await eventually(() => { for (const c of conns) expect(c.pings.length).toBeGreaterThanOrEqual(2) }, { timeoutMs: 10_000 })
    // Each is pinged about once an interval...
    for (const c of conns) expect(c.pings[1]! - c.pings[0]!).toBeGreaterThan(PING_MS * 0.6)
    // ...and the 30 first pings spread over most of it (all at once would be a few milliseconds apart).
    const firsts = conns.map((c) => c.pings[0]!)
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(PING_MS * 0.5)
  })

  it('closes a connection that stops answering pings, and keeps the one that answers', async () => {
    s = await runningCafe({ server: { config: { yjsPingMs: PING_MS } } })
    const doc = s.docOf(s.people[0]!.participantId)
    const silent = await open(doc, authProtocols({ participantToken: s.people[0]!.participantToken }), false)
    const answering = await open(doc, authProtocols({ participantToken: s.people[0]!.participantToken }))
    // Not answering the first ping: closed at the second, one interval later (1006: cut, not closed politely).
    expect(await silent.closed).toBe(1006)
    expect(silent.pings.length).toBeGreaterThanOrEqual(1)
    await eventually(() => expect(answering.pings.length).toBeGreaterThanOrEqual(3), { timeoutMs: 10_000 })
    expect(answering.ws.readyState).toBe(WebSocket.OPEN)
  })
})
