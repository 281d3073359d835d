/**
 * The café id in every path a café's clients open (server/socket/cafePath.ts): Socket.IO on
 * `/c/<cafeId>/socket.io/`, joining on `POST /api/cafes/:id/join`; the old paths still work.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { io as ioClient } from 'socket.io-client'
import type { ManagerOptions, SocketOptions } from 'socket.io-client'
import { CafeConnection } from '../../client/src/transport/CafeConnection'
import { cafeIdOfPath, parseCafeSocketUrl } from '../../server/socket/cafePath'
import { PROTOCOL_VERSION } from '../../shared/constants'
import type { AppError } from '../../shared/errors'
import type { CafeView } from '../../shared/protocol'
import { eventually } from '../helpers/eventually'
import { connect, createCafe, joinCafe, startServer } from '../helpers/server'
import type { CreatedCafe, Credential, TestServer, TestSocket } from '../helpers/server'

let t: TestServer | null = null
const sockets: TestSocket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close()
  await t?.close(); t = null
})

const cafePath = (cafeId: string) => `/c/${cafeId}/socket.io/`

/** A Socket.IO client on a café's path: its first state, or the error it was refused with. */
function openOnPath(url: string, path: string, cafeId: string, credential: Credential, opts: Partial<ManagerOptions & SocketOptions> = {}): Promise<{ state: CafeView; socket: TestSocket } | { refused: AppError | undefined }> {
  const socket: TestSocket = ioClient(url, { path, transports: ['websocket'], reconnection: false, auth: { protocol: PROTOCOL_VERSION, cafeId, ...credential }, ...opts })
  sockets.push(socket)
  return new Promise((resolve) => {
    socket.once('cafe:state', (state) => resolve({ state, socket }))
    socket.once('connect_error', (err: Error & { data?: AppError }) => resolve({ refused: err.data }))
  })
}

const joinOnPath = (url: string, cafeId: string, code: string, displayName: string) =>
  fetch(`${url}/api/cafes/${cafeId}/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, displayName }) })

async function twoCafes(): Promise<[CreatedCafe, CreatedCafe]> {
  t = await startServer()
  return [await createCafe(t.url), await createCafe(t.url)]
}

async function openCafe(cafe: CreatedCafe) {
  const { socket } = await connect(t!.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
  sockets.push(socket)
  await new Promise((resolve) => socket.emit('cafe:open', {}, resolve))
}

describe('Socket.IO on the café path', () => {
  it('a participant connected on /c/<cafeId>/socket.io/ gets their café, over websocket and over polling', async () => {
    const [a] = await twoCafes()
    await openCafe(a)
    const amelie = await joinCafe(t!.url, a.joinCode, 'Amélie')
    for (const transports of [['websocket'], ['polling']] as const) {
      const opened = await openOnPath(t!.url, cafePath(a.id), a.id, { participantToken: amelie.participantToken }, { transports: [...transports], upgrade: false })
      expect('state' in opened, transports[0]).toBe(true)
      if (!('state' in opened)) return
      expect(opened.state.id).toBe(a.id)
      expect(opened.state.participants.map((p) => p.displayName)).toContain('Amélie')
      // A request and its ack travel on the same path (every polling request is routed by it).
      const ack = await opened.socket.timeout(5000).emitWithAck('clock:sync', { sentAt: Date.now() })
      expect(ack).toMatchObject({ ok: true })
      opened.socket.close()
    }
  })

  it('refuses a session whose café is not the one in its path, before looking at the credential', async () => {
    const [a, b] = await twoCafes()
    await openCafe(a)
    const amelie = await joinCafe(t!.url, a.joinCode, 'Amélie')
    // Her valid token for café A, on café B's path: the proxy would have sent it to B's node.
    const wrongPath = await openOnPath(t!.url, cafePath(b.id), a.id, { participantToken: amelie.participantToken })
    expect(wrongPath).toEqual({ refused: { code: 'bad_request', reason: 'bad_handshake', message: expect.stringContaining('another café in its path') } })
    // The facilitator of B with B's key, but naming café A in the request.
    const wrongAuth = await openOnPath(t!.url, cafePath(b.id), a.id, { facilitatorKey: b.facilitatorKey })
    expect(wrongAuth).toMatchObject({ refused: { reason: 'bad_handshake' } })
    // The café is untouched: Amélie is not counted as online.
    expect(t!.server.registry.get(a.id)!.view().participants.find((p) => p.id === amelie.participantId)?.online).toBe(false)
  })

  it("the web app's own connection opens on its café's path", async () => {
    const [a] = await twoCafes()
    const connection = new CafeConnection(a.id, { facilitatorKey: a.facilitatorKey }, t!.url)
    try {
      await eventually(() => expect(connection.getSnapshot()).toMatchObject({ status: 'online', view: { id: a.id } }))
      expect(connection.socket.io.opts.path).toBe(`/c/${a.id}/socket.io/`)
    } finally {
      connection.close()
    }
  })

  it('still serves old clients on /socket.io/', async () => {
    const [a] = await twoCafes()
    const opened = await openOnPath(t!.url, '/socket.io/', a.id, { facilitatorKey: a.facilitatorKey })
    expect('state' in opened && opened.state.id).toBe(a.id)
  })

  it('answers a malformed café id in the path with a 400, and nothing else answers it', async () => {
    t = await startServer()
    const res = await fetch(`${t.url}/c/not%20a%20caf%C3%A9/socket.io/?EIO=4&transport=polling`)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: { code: 'bad_request', reason: 'bad_data', message: 'The café id in this path is not valid.' } })
    // The server is still fine afterwards.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200)
  })
})

describe('joining on the café path', () => {
  it('POST /api/cafes/:id/join joins that café, and the token opens it on its path', async () => {
    const [a] = await twoCafes()
    await openCafe(a)
    const res = await joinOnPath(t!.url, a.id, a.joinCode.toLowerCase(), 'Bruno')
    expect(res.status).toBe(201)
    const joined = await res.json() as { cafeId: string; participantId: string; participantToken: string }
    expect(joined.cafeId).toBe(a.id)
    const opened = await openOnPath(t!.url, cafePath(a.id), a.id, { participantToken: joined.participantToken })
    expect('state' in opened && opened.state.participants.map((p) => p.displayName)).toEqual(['Bruno'])
  })

  it('refuses the code of another café, and nobody joins either café', async () => {
    const [a, b] = await twoCafes()
    await openCafe(a)
    await openCafe(b)
    const res = await joinOnPath(t!.url, a.id, b.joinCode, 'Chloé')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: { code: 'not_found', reason: 'unknown_code', message: expect.stringContaining('not the code of this café') } })
    expect(t!.server.registry.get(a.id)!.summary().participantCount).toBe(0)
    expect(t!.server.registry.get(b.id)!.summary().participantCount).toBe(0)
    // The same form errors as POST /api/join.
    const bad = await fetch(`${t!.url}/api/cafes/${a.id}/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: a.joinCode, displayName: '' }) })
    expect(await bad.json()).toMatchObject({ error: { reason: 'bad_data', fieldKinds: { displayName: 'required' } } })
  })

  it('POST /api/join still works for older clients', async () => {
    const [a] = await twoCafes()
    await openCafe(a)
    const joined = await joinCafe(t!.url, a.joinCode, 'Driss')
    expect(joined.cafeId).toBe(a.id)
  })
})

describe('the café id of a path (the proxy reads the same)', () => {
  it('reads it from the Socket.IO, Yjs and API paths, and from nothing else', () => {
    expect(cafeIdOfPath('/c/V1StGXR8_Z5j/socket.io/?EIO=4&transport=polling')).toBe('V1StGXR8_Z5j')
    expect(cafeIdOfPath('/yjs/V1StGXR8_Z5j.t1.q2')).toBe('V1StGXR8_Z5j')
    expect(cafeIdOfPath('/yjs/V1StGXR8_Z5j.harvest')).toBe('V1StGXR8_Z5j')
    expect(cafeIdOfPath('/api/cafes/V1StGXR8_Z5j/join')).toBe('V1StGXR8_Z5j')
    expect(cafeIdOfPath('/api/cafes/V1StGXR8_Z5j')).toBe('V1StGXR8_Z5j')
    for (const none of ['/', '/healthz', '/api/cafes', '/api/cafes/import', '/api/join/ABCDEF', '/api/join', '/api/links', '/socket.io/?EIO=4', '/cafe/V1StGXR8_Z5j', '/c/bad%20id/socket.io/', '/yjs/']) {
      expect(cafeIdOfPath(none), none).toBeNull()
    }
  })

  it('rewrites a café Socket.IO URL to the plain one, keeping the query', () => {
    expect(parseCafeSocketUrl('/c/V1StGXR8_Z5j/socket.io/?EIO=4&transport=websocket')).toEqual({ kind: 'cafe', cafeId: 'V1StGXR8_Z5j', url: '/socket.io/?EIO=4&transport=websocket' })
    expect(parseCafeSocketUrl('/c/V1StGXR8_Z5j/socket.io')).toEqual({ kind: 'cafe', cafeId: 'V1StGXR8_Z5j', url: '/socket.io/' })
    expect(parseCafeSocketUrl('/c/../socket.io/')).toEqual({ kind: 'bad' })
    expect(parseCafeSocketUrl('/socket.io/?EIO=4')).toEqual({ kind: 'none' })
    expect(parseCafeSocketUrl('/cafe/V1StGXR8_Z5j')).toEqual({ kind: 'none' })
  })
})
