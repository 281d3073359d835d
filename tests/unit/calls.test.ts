import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { definitionToInput, isOnlineTable, parseCafeInput, venueOf } from '../../shared/cafe'
import type { CafeDefinition, CafeInput } from '../../shared/cafe'
import type { CallState } from '../../shared/calls'
import { callAccess, callSchemas, isPolite, maySignal, sendsTo } from '../../shared/calls'
import { fromInput, templates, toInput } from '../../client/src/create/wizardForm'
import { parseConfig } from '../../server/config'
import { turnCredentials } from '../../server/socket/turnCredentials'
import type { CallMember, JoinedCall } from '../../shared/calls'
import type { Ack } from '../../shared/errors'
import type { CafeView } from '../../shared/protocol'
import { CallManager } from '../../client/src/calls/CallManager'
import type { MicProblem } from '../../client/src/calls/CallManager'
import { FacilitatorCalls } from '../../client/src/calls/FacilitatorCalls'
import { TableCall } from '../../client/src/calls/TableCall'
import type { CallSocket } from '../../client/src/calls/TableCall'
import { fixedT } from '../helpers/i18n'

const base: CafeInput = {
  title: 'Café', tables: [{ id: 't1', name: 'T1' }, { id: 't2', name: 'T2' }], questions: [{ text: 'Q1' }, { text: 'Q2' }],
}
const def = (input: Partial<CafeInput>): CafeDefinition => {
  const r = parseCafeInput({ ...base, ...input })
  if (!r.ok) throw new Error(JSON.stringify(r.fields))
  return r.value
}
const round1 = (d: CafeDefinition, nextSeating: CallState['nextSeating'] = null): CallState => ({
  definition: d, lifecycle: { phase: 'round', round: 1, timer: { status: 'running', endsAt: 1, durationMs: 1 } },
  seating: { amelie: 't1', bruno: 't1', chloe: 't2' }, nextSeating,
})
const amelie = { role: 'participant', participantId: 'amelie' } as const
const chloe = { role: 'participant', participantId: 'chloe' } as const
const facilitator = { role: 'facilitator' } as const

describe('venue', () => {
  it('a café is in the room unless it says otherwise, and old records without it read as room', () => {
    const room = def({})
    expect(room.venue).toBeUndefined()
    expect(venueOf(room)).toBe('room')
    expect(isOnlineTable(room, 't1')).toBe(false)
    const { venue: _v, ...old } = def({ venue: 'online' })
    expect(isOnlineTable(old, 't1')).toBe(false)
  })

  it('online: every table; hybrid: the tables marked online; archives keep it', () => {
    const online = def({ venue: 'online' })
    expect([isOnlineTable(online, 't1'), isOnlineTable(online, 't2'), isOnlineTable(online, 't9')]).toEqual([true, true, false])
    const hybrid = def({ venue: 'hybrid', tables: [{ id: 't1', name: 'T1', online: true }, { id: 't2', name: 'T2' }] })
    expect([isOnlineTable(hybrid, 't1'), isOnlineTable(hybrid, 't2')]).toEqual([true, false])
    for (const d of [online, hybrid]) {
      const again = parseCafeInput(definitionToInput(d))
      expect(again).toEqual({ ok: true, value: d })
    }
  })

  it('refuses a per-table online flag outside a hybrid café, and an unknown venue', () => {
    expect(parseCafeInput({ ...base, venue: 'online', tables: [{ name: 'T1', online: true }] })).toMatchObject({ ok: false, fields: { 'tables.0.online': 'only allowed with venue "hybrid"' } })
    expect(parseCafeInput({ ...base, venue: 'moon' }).ok).toBe(false)
  })
})

describe('the wizard\'s venue', () => {
  const form = () => ({ ...templates((k) => k, 'fr')[0]!.form, title: 'Café', questions: ['Q1', 'Q2', 'Q3'] })
  it('a room café sends no venue; a hybrid one its online tables only, and the server agrees', () => {
    expect(toInput(form()).venue).toBeUndefined()
    const hybrid = { ...form(), venue: 'hybrid' as const, tables: form().tables.map((x, i) => ({ ...x, online: i === 1 })) }
    const parsed = parseCafeInput(toInput(hybrid))
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.fields))
    expect(parsed.value.tables.map((x) => isOnlineTable(parsed.value, x.id))).toEqual([false, true, false, false, false])
    expect(fromInput(toInput(hybrid) as unknown as Record<string, unknown>)).toMatchObject({ venue: 'hybrid', tables: [{}, { online: true }, {}, {}, {}] })
    // Ticked tables are dropped when the café goes back to a single venue.
    expect(parseCafeInput(toInput({ ...hybrid, venue: 'online' }))).toMatchObject({ ok: true, value: { venue: 'online' } })
  })
})

describe('who may be in which call', () => {
  const online = def({ venue: 'online' })
  it('a participant: their table now; the next table once announced; nothing else', () => {
    const s = round1(online)
    expect(callAccess(s, amelie, { tableId: 't1', round: 1 })).toBeNull()
    expect(callAccess(s, amelie, { tableId: 't2', round: 1 })).toBe('call_not_seated')
    expect(callAccess(s, amelie, { tableId: 't2', round: 2 })).toBe('call_closed')
    const announced = round1(online, { amelie: 't2', bruno: 't1', chloe: 't1' })
    expect(callAccess(announced, amelie, { tableId: 't2', round: 2 })).toBeNull()
    expect(callAccess(announced, amelie, { tableId: 't1', round: 2 })).toBe('call_not_seated')
    expect(callAccess(announced, amelie, { tableId: 't2', round: 3 })).toBe('call_closed')
  })

  it('after the move (transition) the old round\'s call is closed to everyone', () => {
    const s: CallState = { ...round1(online), lifecycle: { phase: 'transition', completedRound: 1, endsAt: null }, seating: { amelie: 't2', chloe: 't1' } }
    expect(callAccess(s, amelie, { tableId: 't1', round: 1 })).toBe('call_closed')
    expect(callAccess(s, amelie, { tableId: 't2', round: 2 })).toBeNull()
    expect(callAccess(s, facilitator, { tableId: 't1', round: 1 })).toBe('call_closed')
    expect(callAccess({ ...s, lifecycle: { phase: 'harvest', completedRounds: 2 } }, amelie, { tableId: 't2', round: 2 })).toBe('call_closed')
  })

  it('a facilitator: any online table of the round on now; nobody in a room café or at a room table', () => {
    expect(callAccess(round1(online), facilitator, { tableId: 't2', round: 1 })).toBeNull()
    expect(callAccess(round1(def({})), facilitator, { tableId: 't1', round: 1 })).toBe('call_not_online')
    expect(callAccess(round1(def({})), amelie, { tableId: 't1', round: 1 })).toBe('call_not_online')
    const hybrid = def({ venue: 'hybrid', tables: [{ id: 't1', name: 'T1' }, { id: 't2', name: 'T2', online: true }] })
    expect(callAccess(round1(hybrid), amelie, { tableId: 't1', round: 1 })).toBe('call_not_online')
    expect(callAccess(round1(hybrid), chloe, { tableId: 't2', round: 1 })).toBeNull()
  })

  it('signals go only between members of the same call', () => {
    const s = round1(online)
    const k = { tableId: 't1', round: 1 }
    const members = new Set(['pa', 'pb'])
    expect(maySignal(s, amelie, k, members, 'pa', 'pb')).toBeNull()
    expect(maySignal(s, amelie, k, members, 'pa', 'pc')).toBe('call_peer_absent')
    expect(maySignal(s, amelie, k, members, 'pa', 'pa')).toBe('call_peer_absent')
    expect(maySignal(s, amelie, k, new Set(['pb']), 'pa', 'pb')).toBe('call_not_joined')
    expect(maySignal(s, chloe, k, new Set(['pc', 'pb']), 'pc', 'pb')).toBe('call_not_seated')
  })
})

describe('peers', () => {
  it('exactly one of two peers is polite, the same seen from both sides', () => {
    const a = { peerId: 'x', participantId: 'amelie' }
    const b = { peerId: 'y', participantId: 'bruno' }
    const f = { peerId: 'z', participantId: null }
    for (const [p, q] of [[a, b], [a, f], [b, f]] as const) expect(isPolite(p, q)).toBe(!isPolite(q, p))
    expect(isPolite({ ...a, peerId: 'x1' }, { ...a, peerId: 'x2' })).toBe(!isPolite({ ...a, peerId: 'x2' }, { ...a, peerId: 'x1' }))
  })

  it('nobody sends their microphone to a facilitator speaking to every table', () => {
    expect([sendsTo({ mode: 'talk' }), sendsTo({ mode: 'listen' }), sendsTo({ mode: 'announce' })]).toEqual([true, true, false])
  })

  it('a signal carries a description or a candidate, within size caps', () => {
    const sig = callSchemas['call:signal']
    expect(sig.safeParse({ tableId: 't1', round: 1, to: 'p', candidate: null }).success).toBe(true)
    expect(sig.safeParse({ tableId: 't1', round: 1, to: 'p', description: { type: 'answer', sdp: 'v=0' } }).success).toBe(true)
    expect(sig.safeParse({ tableId: 't1', round: 1, to: 'p' }).success).toBe(false)
    expect(sig.safeParse({ tableId: 't1', round: 1, to: 'p', description: { type: 'answer', sdp: 'v'.repeat(30_000) } }).success).toBe(false)
  })
})

describe('ICE_SERVERS', () => {
  it('none by default: nothing is sent to a third party', () => {
    expect(parseConfig({}).iceServers).toEqual([])
  })

  it('a JSON array of RTCIceServer, such as a coturn of your own', () => {
    const v = '[{"urls":["stun:turn.example.org:3478","turns:turn.example.org:5349?transport=tcp"],"username":"nappe","credential":"s3cret"}]'
    expect(parseConfig({ ICE_SERVERS: v }).iceServers).toEqual([{ urls: ['stun:turn.example.org:3478', 'turns:turn.example.org:5349?transport=tcp'], username: 'nappe', credential: 's3cret' }])
  })

  it('anything else stops the start with a message naming the variable', () => {
    for (const bad of ['turn:x', '{"urls":"turn:x"}', '[{"urls":"https://x"}]', '[{"urls":"turn:x","password":"p"}]', '[{}]']) {
      expect(() => parseConfig({ ICE_SERVERS: bad }), bad).toThrow(/ICE_SERVERS/)
    }
  })
})

describe('TURN_URLS and TURN_SECRET: short-lived TURN credentials', () => {
  const SECRET = 'a-shared-secret-of-at-least-32-chars!'

  it('coturn\'s use-auth-secret scheme: <expiry>:<who>, HMAC-SHA1 of it in base64 (the value openssl gives)', () => {
    const turn = { urls: ['turn:turn.example.org:3478'], secret: SECRET, ttlMs: 3600_000 }
    // printf '%s' "1700003600:p1" | openssl dgst -sha1 -hmac "<SECRET>" -binary | base64
    expect(turnCredentials(turn, 'p1', 1_700_000_000_000)).toEqual({ urls: ['turn:turn.example.org:3478'], username: '1700003600:p1', credential: 'p9I4z68pn8OTWwi8tP+0eg1urOE=' })
    // Later, another expiry: the credential changes with it.
    expect(turnCredentials(turn, 'p1', 1_700_000_060_000).username).toBe('1700003660:p1')
    expect(turnCredentials(turn, 'p1', 1_700_000_060_000).credential).not.toBe('p9I4z68pn8OTWwi8tP+0eg1urOE=')
  })

  it('both or neither, the secret long, the addresses turn: or turns:; four hours by default', () => {
    expect(parseConfig({}).turn).toBeNull()
    expect(parseConfig({ TURN_URLS: 'turn:t.example.org:3478, turns:t.example.org:5349?transport=tcp', TURN_SECRET: SECRET }).turn)
      .toEqual({ urls: ['turn:t.example.org:3478', 'turns:t.example.org:5349?transport=tcp'], secret: SECRET, ttlMs: 4 * 3600_000 })
    expect(parseConfig({ TURN_URLS: 'turn:t.example.org', TURN_SECRET: SECRET, TURN_TTL_MINUTES: '30' }).turn?.ttlMs).toBe(30 * 60_000)
    expect(() => parseConfig({ TURN_URLS: 'turn:t.example.org' })).toThrow(/TURN_SECRET: required with TURN_URLS/)
    expect(() => parseConfig({ TURN_SECRET: SECRET })).toThrow(/TURN_URLS: required with TURN_SECRET/)
    expect(() => parseConfig({ TURN_URLS: 'turn:t.example.org', TURN_SECRET: 'short' })).toThrow(/TURN_SECRET/)
    expect(() => parseConfig({ TURN_URLS: 'https://t.example.org', TURN_SECRET: SECRET })).toThrow(/TURN_URLS/)
    expect(() => parseConfig({ TURN_URLS: 'stun:t.example.org', TURN_SECRET: SECRET })).toThrow(/TURN_URLS/)
  })
})

// ---- the browser side (client/src/calls/), with a fake socket, fake media and a fake RTCPeerConnection ----

class FakeTrack {
  readyState: 'live' | 'ended' = 'live'
  enabled = true
  constructor(readonly kind: 'audio' | 'video') {}
  stop() { this.readyState = 'ended' }
  getSettings() { return { deviceId: 'dev' } }
}
const fakeStream = (kind: 'audio' | 'video') => {
  const t = new FakeTrack(kind)
  return { track: t, getTracks: () => [t], getAudioTracks: () => (kind === 'audio' ? [t] : []), getVideoTracks: () => (kind === 'video' ? [t] : []) }
}

/** getUserMedia answers only when the test says (the browser's prompt). */
function fakeMedia() {
  const asked: Array<(s: ReturnType<typeof fakeStream>) => void> = []
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: () => new Promise((resolve) => asked.push(resolve)), enumerateDevices: async () => [] } })
  return asked
}

function fakeSocket() {
  const emitted: Array<[string, unknown]> = []
  const acks: Array<(a: Ack<unknown>) => void> = []
  const handlers = new Map<string, Set<(e: never) => void>>()
  const socket: CallSocket = {
    emit: (event, payload) => { emitted.push([event, payload]) },
    timeout: () => ({ emitWithAck: (event, payload) => { emitted.push([event, payload]); return new Promise((r) => acks.push(r)) } }),
    on: (event, fn) => { if (!handlers.has(event)) handlers.set(event, new Set()); handlers.get(event)!.add(fn as (e: never) => void) },
    off: (event, fn) => { handlers.get(event)?.delete(fn as (e: never) => void) },
  }
  const deliver = (event: string, e: unknown) => { for (const fn of handlers.get(event) ?? []) fn(e as never) }
  return { socket, emitted, acks, deliver, events: () => emitted.map(([e]) => e) }
}

class FakePeerConnection {
  onnegotiationneeded: unknown = null; onicecandidate: unknown = null; ontrack: unknown = null; onconnectionstatechange: unknown = null
  connectionState = 'new'; signalingState = 'stable'
  addTransceiver() {}
  getTransceivers() { return [] }
  getReceivers() { return [] }
  getSenders() { return [] }
  addEventListener() {}
  close() { this.connectionState = 'closed' }
}
class FakeAudio { autoplay = false; muted = false; srcObject: unknown = null; play() { return Promise.resolve() } pause() {} }
class FakeMediaStream { addTrack() {} }

const member = (peerId: string, participantId: string | null, name = peerId): CallMember => ({ peerId, participantId, name, role: participantId ? 'participant' : 'facilitator', mode: participantId ? 'talk' : 'listen' })
const joined = (self: CallMember, peers: CallMember[] = []): Ack<JoinedCall> => ({ ok: true, data: { self, peers, iceServers: [] } })
const settle = () => new Promise((r) => setTimeout(r, 0))

/** A browser's WebRTC and media, faked for the tests of a describe block. */
function fakeBrowser() {
  beforeEach(() => {
    vi.stubGlobal('RTCPeerConnection', FakePeerConnection)
    vi.stubGlobal('Audio', FakeAudio)
    vi.stubGlobal('MediaStream', FakeMediaStream)
  })
  afterEach(() => { vi.unstubAllGlobals() })
}

describe('the browser lets go of what it took', () => {
  fakeBrowser()

  it('leaving while the browser asks for the microphone: the microphone granted afterwards is turned off at once', async () => {
    const asked = fakeMedia()
    const m = new CallManager(fakeSocket().socket)
    const started = m.start({ microphone: true })
    m.stop()
    const mic = fakeStream('audio')
    asked[0]!(mic)
    await started
    expect(mic.track.readyState).toBe('ended')
    m.destroy()
  })

  it('"Camera on" twice while the browser asks, then "Camera off": no camera left running', async () => {
    const asked = fakeMedia()
    const m = new CallManager(fakeSocket().socket)
    await m.start({ microphone: false })
    const first = m.setCamera(true)
    const second = m.setCamera(true)
    const cams = [fakeStream('video'), fakeStream('video')]
    asked[0]!(cams[0]!)
    asked[1]!(cams[1]!)
    await Promise.all([first, second])
    expect(m.getSnapshot().camera).toBe(true)
    await m.setCamera(false)
    expect(cams.map((c) => c.track.readyState)).toEqual(['ended', 'ended'])
    m.destroy()
  })

  it('a call left while its join was on the way tells the server, so the table keeps no ghost', async () => {
    const s = fakeSocket()
    const call = new TableCall({ socket: s.socket, key: { tableId: 't1', round: 1 }, mode: 'talk', changed() {}, presence() {}, ended() {} })
    const joining = call.join()
    call.close()
    s.acks[0]!(joined(member('me', 'amelie')))
    expect(await joining).toEqual({ ok: false, reason: 'closed' })
    expect(s.events()).toEqual(['call:join', 'call:leave'])
  })

  it('joins and departures are read out for the call one is in, not for the next table connected ahead', async () => {
    fakeMedia()
    const s = fakeSocket()
    const m = new CallManager(s.socket)
    m.setTargets({ live: { tableId: 't1', round: 1 }, next: { tableId: 't2', round: 2 } })
    await m.start({ microphone: false })
    const joins = s.emitted.filter(([e]) => e === 'call:join').map(([, p]) => p as { tableId: string })
    expect(joins.map((j) => j.tableId)).toEqual(['t1', 't2'])
    s.acks[0]!(joined(member('me1', 'amelie')))
    s.acks[1]!(joined(member('me2', 'amelie')))
    await settle()
    s.deliver('call:peer-joined', { tableId: 't2', round: 2, peer: member('p-chloe', 'chloe', 'Chloé') })
    expect(m.getSnapshot().presence).toBeNull()
    s.deliver('call:peer-joined', { tableId: 't1', round: 1, peer: member('p-bruno', 'bruno', 'Bruno') })
    expect(m.getSnapshot().presence).toMatchObject({ kind: 'joined', name: 'Bruno' })
    m.destroy()
  })

  it('a refusal shown once is taken back when the call is joined after all (a join that raced a move)', async () => {
    fakeMedia()
    const s = fakeSocket()
    const m = new CallManager(s.socket)
    m.setTargets({ live: { tableId: 't1', round: 1 }, next: null })
    await m.start({ microphone: false })
    s.acks[0]!({ ok: false, error: { code: 'forbidden', reason: 'call_not_seated', message: 'x' } } as Ack<never>)
    await settle()
    expect(m.getSnapshot().joinProblem).toBe('call_not_seated')
    m.setTargets({ live: { tableId: 't2', round: 1 }, next: null })
    s.acks[1]!(joined(member('me', 'amelie')))
    await settle()
    expect(m.getSnapshot()).toMatchObject({ joinProblem: null, status: 'live' })
    m.destroy()
  })

  it('the facilitator\'s console joins its table again after a lost connection (the server dropped it)', async () => {
    const s = fakeSocket()
    const f = new FacilitatorCalls(s.socket)
    const online = def({ venue: 'online' })
    f.setView({ definition: online, lifecycle: { phase: 'round', round: 1, timer: { status: 'running', endsAt: 1, durationMs: 1 } } } as unknown as CafeView)
    await f.listen('t1')
    s.acks[0]!(joined(member('f', null)))
    await settle()
    expect(f.getSnapshot().connected).toBe(1)
    f.rejoin()
    expect(s.emitted.map(([e, p]) => [e, (p as { tableId: string }).tableId])).toEqual([['call:join', 't1'], ['call:leave', 't1'], ['call:join', 't1']])
    f.destroy()
  })
})

describe('the facilitator speaking at the table they listen to', () => {
  fakeBrowser()

  it('the console tells the server (mode talk, then listen) in the same call: no leave, no new link', async () => {
    const asked = fakeMedia()
    const s = fakeSocket()
    const f = new FacilitatorCalls(s.socket)
    f.setView({ definition: def({ venue: 'online' }), lifecycle: { phase: 'round', round: 1, timer: { status: 'running', endsAt: 1, durationMs: 1 } } } as unknown as CafeView)
    await f.listen('t1')
    s.acks[0]!(joined(member('f', null), [member('p-a', 'amelie')]))
    await settle()
    const helping = f.help(true)
    asked[0]!(fakeStream('audio'))
    await helping
    s.acks[1]!(joined({ ...member('f', null), mode: 'talk' }))
    await settle()
    await f.help(false)
    const sent = s.emitted.map(([e, p]) => [e, (p as { mode?: string }).mode ?? null])
    expect(sent).toEqual([['call:join', 'listen'], ['call:join', 'talk'], ['call:join', 'listen']])
    expect(f.getSnapshot()).toMatchObject({ listeningAt: 't1', helping: false, connected: 1 })
    f.destroy()
  })

  it('the table keeps its link to the facilitator and reads the new mode', async () => {
    const s = fakeSocket()
    const call = new TableCall({ socket: s.socket, key: { tableId: 't1', round: 1 }, mode: 'talk', changed() {}, presence() {}, ended() {} })
    const joining = call.join()
    s.acks[0]!(joined(member('me', 'amelie'), [member('f', null)]))
    await joining
    const link = call.links.get('f')
    s.deliver('call:peer-joined', { tableId: 't1', round: 1, peer: { ...member('f', null), mode: 'talk' } })
    expect(call.links.get('f')).toBe(link)
    expect(call.links.get('f')!.peer.mode).toBe('talk')
    // Speaking to every table hears nobody: that one is a fresh link.
    s.deliver('call:peer-joined', { tableId: 't1', round: 1, peer: { ...member('f', null), mode: 'announce' } })
    expect(call.links.get('f')).not.toBe(link)
    call.close()
  })
})

describe('every string of the calls is in French and in English', () => {
  it('each key the calls\' screens use (and the participant page, the wizard\'s venue) has both texts', async () => {
    const files = ['client/src/calls/CallBar.tsx', 'client/src/calls/FacilitatorCallPanel.tsx', 'client/src/create/VenueField.tsx', 'client/src/views/ParticipantPage.tsx']
    const keys = new Set<string>()
    for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/'((?:calls|participant|wizard|board)\.[A-Za-z0-9_.]+)'/g)) keys.add(m[1]!)
    for (const p of ['denied', 'absent', 'busy', 'insecure', 'other'] satisfies MicProblem[]) keys.add(`calls.mic.${p}`).add(`calls.cam.${p}`)
    expect(keys.size).toBeGreaterThan(40)
    for (const language of ['fr', 'en'] as const) {
      const t = await fixedT(language)
      const missing = [...keys].filter((k) => t(k, { count: 2 }) === k)
      expect(missing, language).toEqual([])
    }
  })
})
