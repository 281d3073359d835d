/**
 * The table calls' signaling, attacked with hand-made Socket.IO clients: nobody signals into another
 * table's call, nor to someone outside the call, nor after the rotation moved them; bad payloads are
 * refused with a reason and the server stays up.
 */
import { createHmac } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CafeInput } from '../../shared/cafe'
import type { CallServerEvents, JoinedCall } from '../../shared/calls'
import { MAX_SDP_CHARS } from '../../shared/calls'
import { systemClock } from '../../server/clock'
import { silentLogger } from '../../server/log'
import { CALL_LIMITS } from '../../server/socket/callSignaling'
import { SocketGateway } from '../../server/socket/SocketGateway'
import { eventually } from '../helpers/eventually'
import { connect, request, twoTableCafe } from '../helpers/server'
import type { TestSocket } from '../helpers/server'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'
import type { TurnConfig } from '../../server/socket/turnCredentials'

const onlineCafe: CafeInput = { ...twoTableCafe, venue: 'online' }
const ICE = [{ urls: 'turn:turn.example.org:3478', username: 'nappe', credential: 'secret' }]

let s: Scenario | null = null
const sockets: TestSocket[] = []
afterEach(async () => {
  for (const x of sockets.splice(0)) x.close()
  await s?.close(); s = null
})

type Req = 'call:join' | 'call:leave' | 'call:signal'
const call = <T = unknown>(socket: TestSocket, event: Req, payload: unknown) => request<T>(socket, event as never, payload)
type Heard = { [E in keyof CallServerEvents]: Array<Parameters<CallServerEvents[E]>[0]> }

async function person(i: number) {
  const { socket } = await connect(s!.t.url, s!.cafeId, { participantToken: s!.people[i]!.participantToken })
  sockets.push(socket)
  const heard: Heard = { 'call:peer-joined': [], 'call:peer-left': [], 'call:signal': [], 'call:ended': [] }
  for (const e of Object.keys(heard) as Array<keyof Heard>) (socket as unknown as { on(e: string, f: (x: never) => void): void }).on(e, (x: never) => heard[e].push(x))
  return { socket, heard, id: s!.people[i]!.participantId, table: s!.tableOf(s!.people[i]!.participantId) }
}

/** Four people in round 1: two tablemates at one table (a, b) and one at the other (c). */
async function seated(turn: TurnConfig | null = null) {
  s = await runningCafe({ cafe: onlineCafe, server: { config: { iceServers: ICE, turn } } })
  const all = await Promise.all([0, 1, 2, 3].map(person))
  const a = all[0]!
  const b = all.find((p) => p !== a && p.table === a.table)!
  const c = all.find((p) => p.table !== a.table)!
  return { a, b, c }
}

describe('table calls: signaling', () => {
  it('with a TURN relay (TURN_URLS, TURN_SECRET): each member gets credentials of their own, never the secret', async () => {
    const turn = { urls: ['turn:turn.example.org:3478'], secret: 'a-shared-secret-of-at-least-32-chars!', ttlMs: 3600_000 }
    const { a, b } = await seated(turn)
    const before = Date.now()
    const ja = await call<JoinedCall>(a.socket, 'call:join', { tableId: a.table, round: 1 })
    const jb = await call<JoinedCall>(b.socket, 'call:join', { tableId: b.table, round: 1 })
    if (!ja.ok || !jb.ok) throw new Error('join refused')
    for (const [joined, id] of [[ja.data, a.id], [jb.data, b.id]] as const) {
      expect(joined.iceServers.slice(0, ICE.length)).toEqual(ICE)
      const relay = joined.iceServers[ICE.length]!
      const [expiry, who] = relay.username!.split(':')
      expect(who).toBe(id)
      // Valid for the TTL from now, as coturn checks it (the username's expiry, the HMAC of the username).
      expect(Number(expiry) * 1000).toBeGreaterThanOrEqual(Math.floor((before + turn.ttlMs) / 1000) * 1000)
      expect(Number(expiry) * 1000).toBeLessThanOrEqual(Date.now() + turn.ttlMs)
      expect(relay).toEqual({ urls: turn.urls, username: relay.username, credential: createHmac('sha1', turn.secret).update(relay.username!).digest('base64') })
      expect(JSON.stringify(joined)).not.toContain(turn.secret)
    }
    expect(ja.data.iceServers[ICE.length]!.credential).not.toBe(jb.data.iceServers[ICE.length]!.credential)
  })

  it('tablemates join their call and exchange signals; the ICE servers come with it', async () => {
    const { a, b } = await seated()
    const ja = await call<JoinedCall>(a.socket, 'call:join', { tableId: a.table, round: 1 })
    expect(ja).toMatchObject({ ok: true, data: { peers: [], iceServers: ICE, self: { participantId: a.id, role: 'participant', mode: 'talk' } } })
    // A participant cannot pass for a facilitator speaking to every table: they talk.
    const jb = await call<JoinedCall>(b.socket, 'call:join', { tableId: b.table, round: 1, mode: 'announce' })
    if (!ja.ok || !jb.ok) throw new Error('join')
    expect(jb.data.self.mode).toBe('talk')
    expect(jb.data.peers.map((p) => p.participantId)).toEqual([a.id])
    await eventually(() => expect(a.heard['call:peer-joined'].map((e) => e.peer.participantId)).toEqual([b.id]))
    const offer = { type: 'offer', sdp: 'v=0\r\n' }
    expect(await call(b.socket, 'call:signal', { tableId: b.table, round: 1, to: ja.data.self.peerId, description: offer })).toEqual({ ok: true, data: {} })
    await eventually(() => expect(a.heard['call:signal']).toEqual([{ tableId: a.table, round: 1, from: jb.data.self.peerId, description: offer }]))
  })

  it('nobody joins or signals into another table\'s call, nor to someone outside theirs', async () => {
    const { a, b, c } = await seated()
    const ja = await call<JoinedCall>(a.socket, 'call:join', { tableId: a.table, round: 1 })
    await call(b.socket, 'call:join', { tableId: b.table, round: 1 })
    const jc = await call<JoinedCall>(c.socket, 'call:join', { tableId: c.table, round: 1 })
    if (!ja.ok || !jc.ok) throw new Error('join')
    // c into a's table: refused, named.
    expect(await call(c.socket, 'call:join', { tableId: a.table, round: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'call_not_seated' } })
    // c signals from their own call to a, who is in another call: nobody by that address here.
    expect(await call(c.socket, 'call:signal', { tableId: c.table, round: 1, to: ja.data.self.peerId, description: { type: 'offer', sdp: 'x' } })).toMatchObject({ ok: false, error: { reason: 'call_peer_absent' } })
    // c names a's call without being in it.
    expect(await call(c.socket, 'call:signal', { tableId: a.table, round: 1, to: ja.data.self.peerId, candidate: null })).toMatchObject({ ok: false, error: { reason: 'call_not_seated' } })
    // A round that is not on now, and the next one before it is announced.
    expect(await call(a.socket, 'call:join', { tableId: a.table, round: 3 })).toMatchObject({ ok: false, error: { reason: 'call_closed' } })
    expect(await call(a.socket, 'call:join', { tableId: a.table, round: 2 })).toMatchObject({ ok: false, error: { reason: 'call_closed' } })
    expect(a.heard['call:signal']).toEqual([])
  })

  it('after the rotation, the moved leave their old call: refused there, and their old peers are told', async () => {
    const { a, b } = await seated()
    const ja = await call<JoinedCall>(a.socket, 'call:join', { tableId: a.table, round: 1 })
    const jb = await call<JoinedCall>(b.socket, 'call:join', { tableId: b.table, round: 1 })
    if (!ja.ok || !jb.ok) throw new Error('join')
    expect(await request(s!.facilitator, 'round:skip')).toMatchObject({ ok: true })
    await eventually(() => expect(a.heard['call:ended']).toEqual([{ tableId: a.table, round: 1, reason: 'call_closed' }]))
    expect(await call(a.socket, 'call:signal', { tableId: a.table, round: 1, to: jb.data.self.peerId, candidate: null })).toMatchObject({ ok: false, error: { reason: 'call_closed' } })
    expect(b.heard['call:signal']).toEqual([])
    // Their new table's call of round 2 is open to them, and only that one.
    const now = s!.tableOf(a.id)
    const other = now === 't1' ? 't2' : 't1'
    expect(await call(a.socket, 'call:join', { tableId: now, round: 2 })).toMatchObject({ ok: true })
    expect(await call(a.socket, 'call:join', { tableId: other, round: 2 })).toMatchObject({ ok: false, error: { reason: 'call_not_seated' } })
  })

  it('moved by the facilitator mid-round, or removed: out of the call at once, and the tablemates are told', async () => {
    const { a, b, c } = await seated()
    const ja = await call<JoinedCall>(a.socket, 'call:join', { tableId: a.table, round: 1 })
    const jb = await call<JoinedCall>(b.socket, 'call:join', { tableId: b.table, round: 1 })
    const jc = await call<JoinedCall>(c.socket, 'call:join', { tableId: c.table, round: 1 })
    if (!ja.ok || !jb.ok || !jc.ok) throw new Error('join')
    expect(await request(s!.facilitator, 'participant:move', { participantId: b.id, tableId: c.table })).toMatchObject({ ok: true })
    await eventually(() => expect(b.heard['call:ended']).toEqual([{ tableId: a.table, round: 1, reason: 'call_not_seated' }]))
    await eventually(() => expect(a.heard['call:peer-left']).toEqual([{ tableId: a.table, round: 1, peerId: jb.data.self.peerId }]))
    expect(await call(b.socket, 'call:signal', { tableId: a.table, round: 1, to: ja.data.self.peerId, candidate: null })).toMatchObject({ ok: false, error: { reason: 'call_not_seated' } })
    // Removed: gone from the call before their connection closes, and nothing more goes through.
    expect(await request(s!.facilitator, 'participant:remove', { participantId: c.id })).toMatchObject({ ok: true })
    await eventually(() => expect(s!.t.server.gateway.calls.members(s!.cafeId, { tableId: c.table, round: 1 }).map((m) => m.participantId)).not.toContain(c.id))
    expect(a.heard['call:signal']).toEqual([])
  })

  it('the next table\'s call opens at the announcement, to those announced there only', async () => {
    s = await runningCafe({ cafe: { ...onlineCafe, roundMinutes: 0.25 }, start: false })
    const all = await Promise.all([0, 1, 2, 3].map(person))
    expect(await request(s.facilitator, 'round:start')).toMatchObject({ ok: true })
    // A round shorter than the 30 s notice: the next seats are announced at once.
    const next = await eventually(() => {
      const n = s!.t.server.registry.get(s!.cafeId)!.record.nextSeating
      expect(n).not.toBeNull()
      return n!
    }, { timeoutMs: 10_000 })
    const p = all[0]!
    const elsewhere = next[p.id] === 't1' ? 't2' : 't1'
    expect(await call(p.socket, 'call:join', { tableId: next[p.id], round: 2 })).toMatchObject({ ok: true })
    expect(await call(p.socket, 'call:join', { tableId: elsewhere, round: 2 })).toMatchObject({ ok: false, error: { reason: 'call_not_seated' } })
  })

  it('a room café has no calls; a facilitator listens in on any table', async () => {
    s = await runningCafe()
    const a = await person(0)
    expect(await call(a.socket, 'call:join', { tableId: a.table, round: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_state', reason: 'call_not_online' } })
    await s.close()
    const { a: b } = await seated()
    await call(b.socket, 'call:join', { tableId: b.table, round: 1 })
    const f = await call<JoinedCall>(s!.facilitator, 'call:join', { tableId: b.table, round: 1, mode: 'listen' })
    expect(f).toMatchObject({ ok: true, data: { self: { role: 'facilitator', mode: 'listen', participantId: null } } })
    await eventually(() => expect(b.heard['call:peer-joined'].map((e) => e.peer.mode)).toEqual(['listen']))
  })

  it('bad payloads are refused with a reason, and the server stays up', async () => {
    const { a } = await seated()
    const ja = await call<JoinedCall>(a.socket, 'call:join', { tableId: a.table, round: 1 })
    if (!ja.ok) throw new Error('join')
    const to = 'x'.repeat(10)
    const bad = [
      { tableId: a.table, round: 1, to, description: { type: 'offer', sdp: 'v'.repeat(MAX_SDP_CHARS + 1) } },
      { tableId: a.table, round: 1, to, candidate: { candidate: 'c'.repeat(2000) } },
      { tableId: a.table, round: 1, to },
      { tableId: a.table, round: 1, to, description: { type: 'offer', sdp: 'x' }, candidate: null },
      { tableId: a.table, round: 1, to, description: { type: 'hello', sdp: 'x' } },
      { tableId: a.table, round: 1, to, description: { type: 'offer', sdp: 'x', extra: 1 } },
      'not an object', null, { tableId: a.table, round: 0, to },
    ]
    for (const payload of bad) expect(await call(a.socket, 'call:signal', payload), JSON.stringify(payload).slice(0, 80)).toMatchObject({ ok: false, error: { code: 'bad_request', reason: 'bad_data' } })
    expect(await call(a.socket, 'call:join', { tableId: a.table, round: 1, mode: 'shout' })).toMatchObject({ ok: false, error: { reason: 'bad_data' } })
    // Still up and still answering.
    expect(await request(a.socket, 'clock:sync', { sentAt: 1 })).toMatchObject({ ok: true })
    expect(await call(a.socket, 'call:leave', { tableId: a.table, round: 1 })).toEqual({ ok: true, data: {} })
  })

  it('one person is in a call once: their newer tab replaces the older, which is told; tablemates are never locked out', async () => {
    const { a, b } = await seated()
    const ja = await call<JoinedCall>(a.socket, 'call:join', { tableId: a.table, round: 1 })
    const jb = await call<JoinedCall>(b.socket, 'call:join', { tableId: b.table, round: 1 })
    if (!ja.ok || !jb.ok) throw new Error('join')
    // The same person on a second device: no echo of themself, the laptop's membership goes.
    const { socket: phone } = await connect(s!.t.url, s!.cafeId, { participantToken: s!.people[0]!.participantToken })
    sockets.push(phone)
    const jp = await call<JoinedCall>(phone, 'call:join', { tableId: a.table, round: 1 })
    if (!jp.ok) throw new Error('join')
    expect(jp.data.peers.map((p) => p.participantId)).toEqual([b.id])
    await eventually(() => expect(a.heard['call:ended']).toEqual([{ tableId: a.table, round: 1, reason: 'call_replaced' }]))
    await eventually(() => expect(b.heard['call:peer-left']).toEqual([{ tableId: a.table, round: 1, peerId: ja.data.self.peerId }]))
    expect(s!.t.server.gateway.calls.members(s!.cafeId, { tableId: a.table, round: 1 }).map((m) => m.peerId).sort()).toEqual([jb.data.self.peerId, jp.data.self.peerId].sort())
    expect(await call(a.socket, 'call:signal', { tableId: a.table, round: 1, to: jb.data.self.peerId, candidate: null })).toMatchObject({ ok: false, error: { reason: 'call_not_joined' } })
    // Thirty connections of one person take one place: the tablemate joins again, not "call full".
    const many = await Promise.all(Array.from({ length: 30 }, () => connect(s!.t.url, s!.cafeId, { participantToken: s!.people[0]!.participantToken })))
    sockets.push(...many.map((m) => m.socket))
    for (const m of many) expect(await call(m.socket, 'call:join', { tableId: a.table, round: 1 })).toMatchObject({ ok: true })
    expect(await call(b.socket, 'call:leave', { tableId: b.table, round: 1 })).toMatchObject({ ok: true })
    expect(await call(b.socket, 'call:join', { tableId: b.table, round: 1 })).toMatchObject({ ok: true })
    const members = s!.t.server.gateway.calls.members(s!.cafeId, { tableId: a.table, round: 1 })
    expect(members.map((m) => m.participantId).sort()).toEqual([a.id, b.id].sort())
    // Facilitators stay one membership per connection (two consoles may listen).
    const { socket: console2 } = await connect(s!.t.url, s!.cafeId, { facilitatorKey: s!.facilitatorKey })
    sockets.push(console2)
    expect(await call(s!.facilitator, 'call:join', { tableId: a.table, round: 1, mode: 'listen' })).toMatchObject({ ok: true })
    expect(await call(console2, 'call:join', { tableId: a.table, round: 1, mode: 'listen' })).toMatchObject({ ok: true })
    expect(s!.t.server.gateway.calls.members(s!.cafeId, { tableId: a.table, round: 1 })).toHaveLength(4)
  })

  it('the signaling rate is counted per person: a second connection does not bring a second allowance', async () => {
    const { a, b } = await seated()
    // A gateway on the same cafés whose clock stands still: no refill between two messages.
    const http = createHttpServer()
    const gateway = new SocketGateway(http, {
      registry: s!.t.server.registry, clock: systemClock, log: silentLogger, monotonicNow: () => 0,
      health: () => ({ storage: 'ok', pendingWrites: 0, lastError: null }),
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
    try {
      const open = (i: number) => connect(url, s!.cafeId, { participantToken: s!.people[i]!.participantToken }).then((c) => (sockets.push(c.socket), c.socket))
      const [laptop, phone, tablemate] = await Promise.all([open(0), open(0), open(s!.people.findIndex((p) => p.participantId === b.id))])
      const signal = (x: TestSocket) => call(x, 'call:signal', { tableId: a.table, round: 1, to: 'nobody', candidate: null })
      const burst = CALL_LIMITS.participant.burst
      const answers = await Promise.all(Array.from({ length: burst }, () => signal(laptop!)))
      expect(answers.filter((x) => !x.ok && x.error.reason === 'too_many_requests')).toEqual([])
      // The laptop spent the person's whole burst: their phone has none left either.
      expect(await signal(phone!)).toMatchObject({ ok: false, error: { reason: 'too_many_requests' } })
      expect(await signal(laptop!)).toMatchObject({ ok: false, error: { reason: 'too_many_requests' } })
      // Another person is not touched by it.
      expect(await signal(tablemate!)).toMatchObject({ ok: false, error: { reason: 'call_not_joined' } })
      expect(laptop!.connected && phone!.connected).toBe(true)
    } finally {
      await gateway.close()
    }
  })

  it('a facilitator listening at a table then speaking there: the table is told each time, nobody leaves', async () => {
    const { a } = await seated()
    await call(a.socket, 'call:join', { tableId: a.table, round: 1 })
    expect(await call(s!.facilitator, 'call:join', { tableId: a.table, round: 1, mode: 'listen' })).toMatchObject({ ok: true, data: { self: { role: 'facilitator', mode: 'listen' } } })
    expect(await call(s!.facilitator, 'call:join', { tableId: a.table, round: 1, mode: 'talk' })).toMatchObject({ ok: true, data: { self: { role: 'facilitator', mode: 'talk' } } })
    await eventually(() => expect(a.heard['call:peer-joined'].map((e) => e.peer.mode)).toEqual(['listen', 'talk']))
    expect(a.heard['call:peer-left']).toEqual([])
    expect(s!.t.server.gateway.calls.members(s!.cafeId, { tableId: a.table, round: 1 }).map((m) => m.mode).sort()).toEqual(['talk', 'talk'])
  })

  it('what signals carry is bounded too: a person cannot push megabytes of descriptions to a tablemate', async () => {
    const { a, b } = await seated()
    const ja = await call<JoinedCall>(a.socket, 'call:join', { tableId: a.table, round: 1 })
    const jb = await call<JoinedCall>(b.socket, 'call:join', { tableId: b.table, round: 1 })
    if (!ja.ok || !jb.ok) throw new Error('join refused')
    const big = { type: 'offer', sdp: `v=0\r\n${'a'.repeat(MAX_SDP_CHARS - 8)}` }
    const started = performance.now()
    const answers = await Promise.all(Array.from({ length: 40 }, () => call(a.socket, 'call:signal', { tableId: a.table, round: 1, to: jb.data.self.peerId, description: big })))
    const seconds = (performance.now() - started) / 1000
    const relayed = answers.filter((x) => x.ok).length
    const allowed = CALL_LIMITS.signalChars.participant.burst + CALL_LIMITS.signalChars.participant.perSecond * seconds
    expect(relayed * MAX_SDP_CHARS).toBeLessThanOrEqual(allowed + MAX_SDP_CHARS)
    expect(relayed).toBeGreaterThanOrEqual(Math.floor(CALL_LIMITS.signalChars.participant.burst / MAX_SDP_CHARS))
    expect(answers.filter((x) => !x.ok && x.error.reason === 'too_many_requests')).toHaveLength(40 - relayed)
    await eventually(() => expect(b.heard['call:signal']).toHaveLength(relayed))
    // The tablemate's own allowance is untouched, and a's small messages still go (the count allowance is not spent).
    expect(await call(b.socket, 'call:signal', { tableId: b.table, round: 1, to: ja.data.self.peerId, description: big })).toMatchObject({ ok: true })
    expect(await call(a.socket, 'call:signal', { tableId: a.table, round: 1, to: jb.data.self.peerId, candidate: null })).toMatchObject({ ok: true })
    expect(a.socket.connected).toBe(true)
  })

  it('a flood of signals is limited, then the connection is closed', async () => {
    const { a } = await seated()
    await call(a.socket, 'call:join', { tableId: a.table, round: 1 })
    const emit = a.socket as unknown as { emit(e: string, p: unknown): void }
    const errors: string[] = []
    a.socket.on('server:error', (e) => errors.push(e.reason ?? e.code))
    for (let i = 0; i < 2500; i++) emit.emit('call:signal', { tableId: a.table, round: 1, to: 'nobody', candidate: null })
    await eventually(() => expect(a.socket.connected).toBe(false))
    expect(errors).toContain('too_many_requests')
    expect(errors).toContain('flooding')
  })
})
