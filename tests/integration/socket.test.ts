import { afterEach, describe, expect, it } from 'vitest'
import { io as ioClient } from 'socket.io-client'
import { PROTOCOL_VERSION } from '../../shared/constants'
import type { CafeView, HealthInfo, NextSeat } from '../../shared/protocol'
import { addNote, readItems } from '../../shared/tablecloth'
import { FlakyStore } from '../helpers/FlakyStore'
import { eventually, once } from '../helpers/eventually'
import { connect, createCafe, joinCafe, openTablecloth, request, startServer, tempDir, twoTableCafe } from '../helpers/server'
import type { TestServer } from '../helpers/server'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'
import { SqliteStore } from '../../server/store/SqliteStore'
import { join } from 'node:path'

let s: Scenario | null = null
let t: TestServer | null = null
const cleanups: Array<() => void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) c()
  await s?.close(); s = null
  await t?.close(); t = null
})

describe('Socket.IO: roles and commands', () => {
  it('a participant cannot start, pause or skip the timer, nor move people', async () => {
    s = await runningCafe({ start: false })
    const { socket } = await connect(s.t.url, s.cafeId, { participantToken: s.people[0]!.participantToken })
    cleanups.push(() => socket.close())
    for (const event of ['round:start', 'round:pause', 'round:skip', 'cafe:end'] as const) {
      expect(await request(socket, event), event).toEqual({ ok: false, error: { code: 'forbidden', reason: 'facilitator_only', message: 'Only a facilitator can do this.' } })
    }
    expect(await request(socket, 'participant:move', { participantId: s.people[1]!.participantId, tableId: 't1' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(s.t.server.registry.get(s.cafeId)!.lifecycle.phase).toBe('lobby')
    // A facilitator cannot pretend to be a participant leaving either.
    expect(await request(s.facilitator, 'participant:leave')).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })

  it('a facilitator runs two rounds and everyone is moved', async () => {
    s = await runningCafe({ names: ['A', 'B', 'C', 'D', 'E', 'F'], start: false })
    const sockets = await Promise.all(s.people.map((p) => connect(s!.t.url, s!.cafeId, { participantToken: p.participantToken })))
    cleanups.push(() => sockets.forEach((x) => x.socket.close()))
    expect(await request(s.facilitator, 'round:start')).toMatchObject({ ok: true, data: { lifecycle: { phase: 'round', round: 1 } } })
    const before = Object.fromEntries(s.people.map((p) => [p.participantId, s!.tableOf(p.participantId)]))
    // Skipping ends the round now: the plan is made and applied at once.
    expect(await request(s.facilitator, 'round:skip')).toMatchObject({ ok: true, data: { lifecycle: { phase: 'transition', completedRound: 1 } } })
    await eventually(() => {
      for (const [i, x] of sockets.entries()) {
        const me = x.state().participants.find((p) => p.id === s!.people[i]!.participantId)!
        expect(me.tableId).not.toBe(before[me.id])
      }
    })
    expect(await request(s.facilitator, 'round:start')).toMatchObject({ ok: true, data: { lifecycle: { phase: 'round', round: 2 } } })
    expect(await request(s.facilitator, 'round:skip')).toMatchObject({ ok: true, data: { lifecycle: { phase: 'harvest', completedRounds: 2 } } })
    await eventually(() => expect(sockets[0]!.state().lifecycle.phase).toBe('harvest'))
  })

  it('tells each participant their next table ahead of the move (short round)', async () => {
    // A round shorter than the 30 s notice: the announcement goes out at once.
    s = await runningCafe({ names: ['A', 'B', 'C', 'D'], start: false, cafe: { ...twoTableCafe, roundMinutes: 0.25 } })
    const x = await connect(s.t.url, s.cafeId, { participantToken: s.people[0]!.participantToken })
    cleanups.push(() => x.socket.close())
    const seat = once<NextSeat>(x.socket, 'seat:next')
    await request(s.facilitator, 'round:start')
    const next = await seat
    const current = s.tableOf(s.people[0]!.participantId)
    expect(next.round).toBe(2)
    expect(next.tableId).not.toBe(current)
    expect(next.docName).toBe(s.docName(next.tableId, next.questionId))
    // The client can open the next tablecloth early (read-only until the move).
    const pre = await openTablecloth(s.t.wsUrl, next.docName, { participantToken: s.people[0]!.participantToken })
    cleanups.push(() => pre.destroy())
    expect(pre.provider.synced).toBe(true)
  })

  it('pause, resume and add time are broadcast with the server time so clients can correct their clock', async () => {
    s = await runningCafe()
    const x = await connect(s.t.url, s.cafeId, { participantToken: s.people[0]!.participantToken })
    cleanups.push(() => x.socket.close())
    const added = await request<{ lifecycle: CafeView['lifecycle'] }>(s.facilitator, 'round:addTime', { ms: 120_000 })
    expect(added).toMatchObject({ ok: true, data: { lifecycle: { timer: { status: 'running', durationMs: 12 * 60_000 } } } })
    await request(s.facilitator, 'round:pause')
    await eventually(() => expect(x.state().lifecycle).toMatchObject({ phase: 'round', timer: { status: 'paused' } }))
    expect(Math.abs(x.state().serverNow - Date.now())).toBeLessThan(2000)
    const sync = await request<{ serverNow: number }>(x.socket, 'clock:sync', { sentAt: Date.now() })
    expect(sync.ok && typeof sync.data.serverNow).toBe('number')
    await request(s.facilitator, 'round:resume')
    await eventually(() => expect(x.state().lifecycle).toMatchObject({ timer: { status: 'running' } }))
  })

  it('the facilitator gets the seating plan (planned in the worker thread) and edits it; participants never see it', async () => {
    s = await runningCafe({ names: ['A', 'B', 'C', 'D', 'E', 'F', 'G'], start: false })
    const plan = await eventually(() => {
      const p = s!.state().plan!
      expect(p.planning).toBe(false)
      expect(p.rounds).toHaveLength(2)
      expect(Object.keys(p.rounds[1]!)).toHaveLength(7)
      return p
    }, { timeoutMs: 15_000 })
    expect(plan.quality).toMatchObject({ capacityViolations: 0, hostViolations: 0, revisits: 0 })
    const person = s.people[0]!.participantId
    const other = plan.rounds[1]![person] === 't1' ? 't2' : 't1'
    const moved = await request<{ plan: { rounds: Array<Record<string, string>>; pinned: Array<Record<string, string>> } }>(s.facilitator, 'plan:move', { round: 2, participantId: person, tableId: other })
    expect(moved).toMatchObject({ ok: true })
    expect(moved.ok && moved.data.plan.pinned[1]).toEqual({ [person]: other })
    expect(await request(s.facilitator, 'plan:move', { round: 0, participantId: person, tableId: other })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await request(s.facilitator, 'plan:move', { round: 2, participantId: person, tableId: 't9' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await request(s.facilitator, 'plan:replan', { fresh: 'yes' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    const { socket, state } = await connect(s.t.url, s.cafeId, { participantToken: s.people[1]!.participantToken })
    cleanups.push(() => socket.close())
    expect(state().plan).toBeNull()
    for (const [event, payload] of [['plan:move', { round: 2, participantId: person, tableId: 't1' }], ['plan:unpin', { round: 2, participantId: person }], ['plan:replan', { fresh: true }]] as const) {
      expect(await request(socket, event, payload), event).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    for (const [event, payload] of [['participant:add', { people: [{ displayName: 'X' }] }], ['participant:setPresent', { participantId: person, present: false }]] as const) {
      expect(await request(socket, event, payload), event).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    expect(await request(s.facilitator, 'participant:add', { people: [] })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await request(s.facilitator, 'participant:add', { people: [{ displayName: '' }] })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await request(s.facilitator, 'participant:add', { people: Array.from({ length: 501 }, () => ({ displayName: 'X' })) })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await request(s.facilitator, 'participant:setPresent', { participantId: 'nobody', present: false })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    // Through a re-plan (fresh) the pinned seat holds; the café then follows the plan.
    expect(await request(s.facilitator, 'plan:replan', { fresh: true })).toMatchObject({ ok: true })
    await eventually(() => expect(s!.state().plan).toMatchObject({ planning: false, rounds: [expect.anything(), expect.objectContaining({ [person]: other })] }), { timeoutMs: 15_000 })
  })

  it('a participant\'s view holds only their own table\'s people and their own next seat', async () => {
    s = await runningCafe({ names: ['A', 'B', 'C', 'D', 'E', 'F'] })
    const p = s.people[0]!
    const x = await connect(s.t.url, s.cafeId, { participantToken: p.participantToken })
    cleanups.push(() => x.socket.close())
    const myTable = s.tableOf(p.participantId)
    const expectedMates = s.people.filter((q) => s!.tableOf(q.participantId) === myTable).map((q) => q.participantId).sort()
    expect(x.state().participants.map((q) => q.id).sort()).toEqual(expectedMates)
    expect(x.state().participantCount).toBe(6)
    await eventually(() => expect(s!.state().participants).toHaveLength(6))
    // The announcement: the facilitator sees everyone's next table, a participant only their own.
    s.t.server.registry.get(s.cafeId)!.apply({ type: 'addTime', ms: -9 * 60_000 - 45_000 })
    await eventually(() => expect(x.state().nextSeating).not.toBeNull())
    expect(Object.keys(x.state().nextSeating!)).toEqual([p.participantId])
    await eventually(() => expect(Object.keys(s!.state().nextSeating ?? {})).toHaveLength(6))
  })

  it('a reload resumes the same person at the same table', async () => {
    s = await runningCafe()
    const p = s.people[1]!
    const first = await connect(s.t.url, s.cafeId, { participantToken: p.participantToken })
    const table = first.state().participants.find((x) => x.id === p.participantId)!.tableId
    first.socket.close()
    const again = await connect(s.t.url, s.cafeId, { participantToken: p.participantToken })
    cleanups.push(() => again.socket.close())
    const me = again.state().participants.find((x) => x.id === p.participantId)!
    expect(me).toMatchObject({ displayName: 'Bruno', tableId: table })
    await eventually(() => expect(again.state().participants.find((x) => x.id === p.participantId)!.online).toBe(true))
  })

  it('leaving unseats the participant and revokes their token', async () => {
    s = await runningCafe()
    const p = s.people[3]!
    const x = await connect(s.t.url, s.cafeId, { participantToken: p.participantToken })
    expect(await request(x.socket, 'participant:leave')).toEqual({ ok: true, data: { participantId: p.participantId } })
    await eventually(() => expect(x.socket.connected).toBe(false))
    await expect(connect(s.t.url, s.cafeId, { participantToken: p.participantToken })).rejects.toMatchObject({ data: { code: 'unauthorized' } })
    await eventually(() => expect(s!.state().participants.map((q) => q.id)).not.toContain(p.participantId))
  })
})

describe('Socket.IO: bad input', () => {
  it('refuses a handshake without a valid credential, and asks old clients to reload', async () => {
    s = await runningCafe()
    await expect(connect(s.t.url, s.cafeId, { facilitatorKey: 'z'.repeat(43) })).rejects.toMatchObject({ data: { code: 'unauthorized' } })
    await expect(connect(s.t.url, 'nope', { participantToken: s.people[0]!.participantToken })).rejects.toMatchObject({ data: { code: 'unauthorized' } })
    await expect(connect(s.t.url, s.cafeId, { facilitatorKey: s.facilitatorKey }, { protocol: PROTOCOL_VERSION + 1 })).rejects.toMatchObject({
      data: { code: 'protocol_mismatch', message: 'Nappe was updated. Please reload the page.' },
    })
    await expect(connect(s.t.url, s.cafeId, { facilitatorKey: 42 } as never)).rejects.toMatchObject({ data: { code: 'bad_request' } })
  })

  it('answers invalid payloads with bad_request and field errors, and changes nothing', async () => {
    s = await runningCafe()
    expect(await request(s.facilitator, 'round:addTime', { ms: 'beaucoup' })).toMatchObject({ ok: false, error: { code: 'bad_request', fields: { ms: expect.any(String) } } })
    expect(await request(s.facilitator, 'round:addTime', { ms: 10, extra: true })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await request(s.facilitator, 'participant:move', { participantId: s.people[0]!.participantId, tableId: 't99' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await request(s.facilitator, 'round:pause', 'not an object')).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(s.t.server.registry.get(s.cafeId)!.lifecycle).toMatchObject({ phase: 'round', timer: { status: 'running', durationMs: 10 * 60_000 } })
  })

  it('a request without an ack gets its error as server:error; an unknown event closes the connection', async () => {
    s = await runningCafe()
    const x = await connect(s.t.url, s.cafeId, { participantToken: s.people[0]!.participantToken })
    const err = once<{ code: string }>(x.socket, 'server:error')
    ;(x.socket as unknown as { emit(e: string, p: unknown): void }).emit('round:start', {})
    expect(await err).toMatchObject({ code: 'forbidden' })
    const unknown = once<{ code: string }>(x.socket, 'server:error')
    ;(x.socket as unknown as { emit(e: string, p: unknown): void }).emit('admin:dropDatabase', {})
    expect(await unknown).toMatchObject({ code: 'unknown_event' })
    await eventually(() => expect(x.socket.connected).toBe(false))
    x.socket.close()
    // The server and the café are fine.
    expect(await request(s.facilitator, 'round:pause')).toMatchObject({ ok: true })
  })

  it('an oversized packet closes that connection only', async () => {
    s = await runningCafe()
    const x = await connect(s.t.url, s.cafeId, { participantToken: s.people[0]!.participantToken })
    x.socket.io.reconnection(false)
    const gone = once(x.socket, 'disconnect')
    x.socket.emit('participant:update', { displayName: 'x'.repeat(1024 * 1024 + 100) } as never, () => {})
    await gone
    x.socket.close()
    expect(await request(s.facilitator, 'round:pause')).toMatchObject({ ok: true })
    expect((await fetch(`${s.t.url}/healthz`)).status).toBe(200)
  })
})

describe('HTTP API', () => {
  it('creates a café and returns links; the key is only in the fragment', async () => {
    t = await startServer({ config: { publicUrl: 'https://cafe.example.org' } })
    const created = await createCafe(t.url)
    expect(created.joinCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTWXYZ]{8}$/)
    expect(created.facilitatorKey.length).toBeGreaterThanOrEqual(43) // 256 bits in base64url
    expect(created.joinUrl).toBe(`https://cafe.example.org/join/${created.joinCode}`)
    expect(created.facilitatorUrl).toBe(`https://cafe.example.org/facilitate/${created.id}#key=${created.facilitatorKey}`)
    const summary = await (await fetch(`${t.url}/api/cafes/${created.id}`)).json()
    expect(summary).toMatchObject({ title: 'World Café Assuétudes', phase: 'draft', participantCount: 0, rounds: 2 })
    expect(JSON.stringify(summary)).not.toContain(created.facilitatorKey)
    const qr = await fetch(`${t.url}/api/cafes/${created.id}/qr.svg`)
    expect(qr.headers.get('content-type')).toContain('image/svg+xml')
    expect(await qr.text()).toMatch(/^<svg/)
    expect((await fetch(`${t.url}/api/cafes/unknown`)).status).toBe(404)
  })

  it('rejects invalid café definitions with 400 and every field error', async () => {
    t = await startServer()
    const post = (body: string) => fetch(`${t!.url}/api/cafes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const res = await post(JSON.stringify({ title: '', tables: [{ name: 'A', capacity: 0 }], questions: [] }))
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: {
      code: 'bad_request', reason: 'bad_cafe', message: 'The café definition is not valid.',
      fields: { title: 'required', 'tables.0.capacity': expect.any(String), questions: 'at least one question' },
      fieldKinds: { title: 'required', 'tables.0.capacity': 'out_of_range', questions: 'required' },
    } })
    const broken = await post('{"title": ')
    expect(broken.status).toBe(400)
    expect(await broken.json()).toMatchObject({ error: { code: 'bad_request', message: 'The request body is not valid JSON.' } })
    const huge = await post(JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) }))
    expect(huge.status).toBe(400)
  })

  it('unknown and expired join codes are told apart (the café is over), and wrong codes are throttled per address', async () => {
    t = await startServer({ config: { joinAttemptsPerMinute: 5 } })
    const created = await createCafe(t.url)
    const ok = await fetch(`${t.url}/api/join/${created.joinCode.toLowerCase()}`)
    expect(ok.status).toBe(200)
    const { socket } = await connect(t.url, created.id, { facilitatorKey: created.facilitatorKey })
    cleanups.push(() => socket.close())
    await request(socket, 'cafe:open'); await request(socket, 'cafe:end')
    const expired = await fetch(`${t.url}/api/join/${created.joinCode}`)
    const unknown = await fetch(`${t.url}/api/join/ABCDEFGH`)
    expect([expired.status, unknown.status]).toEqual([404, 404])
    expect((await expired.json()).error).toMatchObject({ code: 'not_found', reason: 'cafe_closed' })
    expect((await unknown.json()).error).toMatchObject({ code: 'not_found', reason: 'unknown_code' })
    // The code of a café that is over is not a wrong code: 4 more wrong ones reach the limit of 5.
    for (let i = 0; i < 4; i++) await fetch(`${t.url}/api/join/ZZZZZZZ${i}`)
    const limited = await fetch(`${t.url}/api/join/ABCDEFGH`)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // Past the limit, the code of a café that is over gets the very same answer as any other.
    const expiredLimited = await fetch(`${t.url}/api/join/${created.joinCode}`)
    expect(expiredLimited.status).toBe(429)
    expect(await expiredLimited.json()).toEqual(await limited.json())
    const joinAttempt = await fetch(`${t.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'ABCDEFGH', displayName: 'X' }) })
    expect(joinAttempt.status).toBe(429)
  })

  it('validates the join form', async () => {
    t = await startServer()
    const created = await createCafe(t.url)
    const res = await fetch(`${t.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: created.joinCode, displayName: '  ' }) })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { code: 'bad_request', fields: { displayName: 'required' } } })
    const joined = await joinCafe(t.url, created.joinCode, ' Zoé ', { organisation: 'AMO' })
    expect(t.server.registry.get(created.id)!.participant(joined.participantId)).toMatchObject({ displayName: 'Zoé', organisation: 'AMO', sector: null })
  })
})

describe('storage failure', () => {
  it('keeps writing in memory, reports 503 and tells facilitators, then catches up and loses nothing', async () => {
    const dataDir = tempDir()
    const flaky = new FlakyStore(new SqliteStore(join(dataDir, 'nappe.sqlite')))
    s = await runningCafe({ server: { store: flaky, storageRetryMs: 50, dataDir } as never })
    const health: HealthInfo[] = []
    s.facilitator.on('server:health', (h) => health.push(h))
    const p = s.people[0]!
    const table = s.tableOf(p.participantId)
    const doc = s.docName(table, table === 't1' ? 'q1' : 'q2')
    const tc = await openTablecloth(s.t.wsUrl, doc, { participantToken: p.participantToken })
    cleanups.push(() => tc.destroy())
    flaky.failing = true
    addNote(tc.doc, { author: p.participantId, authorName: p.name, round: 1, now: Date.now() }, { text: 'écrit pendant la panne', x: 1, y: 1 })
    await eventually(async () => {
      const res = await fetch(`${s!.t.url}/healthz`)
      expect(res.status).toBe(503)
      expect(await res.json()).toMatchObject({ status: 'degraded', pendingWrites: expect.any(Number) })
    })
    await eventually(() => expect(health.at(-1)).toMatchObject({ storage: 'degraded' }))
    const late = await joinCafe(s.t.url, s.joinCode, 'Pendant la panne')
    flaky.failing = false
    await eventually(async () => expect((await fetch(`${s!.t.url}/healthz`)).status).toBe(200))
    await eventually(() => expect(health.at(-1)).toEqual({ storage: 'ok', pendingWrites: 0 }))
    tc.destroy()
    await s.close(); s = null
    // Everything written during the outage is on disk.
    const reopened = new SqliteStore(join(dataDir, 'nappe.sqlite'))
    t = await startServer({ store: reopened, dataDir })
    const cafeId = t.server.registry.all()[0]!.id
    expect(t.server.registry.get(cafeId)!.participant(late.participantId)?.displayName).toBe('Pendant la panne')
    const watcher = await openTablecloth(t.wsUrl, doc, { participantToken: p.participantToken })
    cleanups.push(() => watcher.destroy())
    expect(readItems(watcher.doc).map((i) => ('text' in i ? i.text : ''))).toEqual(['écrit pendant la panne'])
  })
})

describe('one port for everything', () => {
  it('refuses WebSocket upgrades on other paths', async () => {
    t = await startServer()
    const { default: WebSocket } = await import('ws')
    const ws = new WebSocket(`${t.wsUrl}/elsewhere`)
    const result = await new Promise<string>((resolve) => { ws.on('error', () => resolve('error')); ws.on('open', () => resolve('open')) })
    expect(result).toBe('error')
    // Socket.IO's own path keeps working beside it.
    const created = await createCafe(t.url)
    const sock = ioClient(t.url, { transports: ['websocket'], auth: { protocol: PROTOCOL_VERSION, cafeId: created.id, facilitatorKey: created.facilitatorKey } })
    cleanups.push(() => sock.close())
    await once(sock, 'session:ready')
  })
})
