/**
 * HAProxy (Debian's, with the shipped deploy/haproxy.cfg) in front of three ordinary Nappe nodes, each
 * with its own SQLite: a café exists only on the node it was created on, so a request that reaches the
 * wrong node is refused, and the X-Nappe-Node header the proxy adds tells which node answered.
 * Needs HAProxy (`apt-get install haproxy`; .ci/run installs it), like the end-to-end tests need Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { io as ioClient } from 'socket.io-client'
import WebSocket from 'ws'
import { PROTOCOL_VERSION } from '../../shared/constants'
import type { AppError } from '../../shared/errors'
import { addNote, readItems } from '../../shared/tablecloth'
import { tableclothDocName } from '../../shared/tablecloth'
import { eventually } from '../helpers/eventually'
import { freePort, startChild } from '../helpers/child'
import type { ChildServer } from '../helpers/child'
import { startHaproxy } from '../helpers/haproxy'
import type { Haproxy } from '../helpers/haproxy'
import { authProtocols, createCafe, openTablecloth, startServer, tempDir } from '../helpers/server'
import type { CreatedCafe, Credential, TestServer, TestSocket } from '../helpers/server'

const NODES = 3
/** The shipped check interval; the config promises a dead node out within about 2 s. */
const CHECK_INTERVAL_MS = 500
const OUT_WITHIN_MS = 2000

let proxy: Haproxy
const nodes: Array<TestServer | null> = []
const ports: number[] = []
const dataDirs: string[] = []
const sockets: TestSocket[] = []

const nodeName = (i: number) => `node${i + 1}`
const servedBy = (res: Response) => res.headers.get('x-nappe-node')

async function startNode(i: number): Promise<void> {
  nodes[i] = await startServer({ dataDir: dataDirs[i], port: ports[i] ?? 0, config: { trustProxy: true } })
  ports[i] = Number(new URL(nodes[i]!.url).port)
}

/** Which node the proxy sends this café's requests to (the café need not exist there). */
async function nodeOfCafe(cafeId: string): Promise<string> {
  const res = await fetch(`${proxy.url}/api/cafes/${cafeId}`)
  await res.body?.cancel()
  return servedBy(res)!
}

/** A café created directly on node i, and where the proxy sends it. */
async function cafeOn(i: number): Promise<CreatedCafe & { home: number; routedTo: string }> {
  const cafe = await createCafe(nodes[i]!.url)
  return { ...cafe, home: i, routedTo: await nodeOfCafe(cafe.id) }
}

/** A café that lives on the node the proxy sends it to. */
async function routableCafe(): Promise<CreatedCafe & { home: number }> {
  for (let n = 0; n < 60; n++) {
    const cafe = await cafeOn(n % NODES)
    if (cafe.routedTo === nodeName(cafe.home)) return cafe
  }
  throw new Error('no café hashed to the node it was created on in 60 tries')
}

function openSocket(cafeId: string, credential: Credential, transports: Array<'websocket' | 'polling'>): Promise<{ socket: TestSocket; stateId: string } | { refused: AppError | undefined }> {
  const socket: TestSocket = ioClient(proxy.url, { path: `/c/${cafeId}/socket.io/`, transports, upgrade: false, reconnection: false, auth: { protocol: PROTOCOL_VERSION, cafeId, ...credential } })
  sockets.push(socket)
  return new Promise((resolve) => {
    socket.once('cafe:state', (state) => resolve({ socket, stateId: state.id }))
    socket.once('connect_error', (err: Error & { data?: AppError }) => resolve({ refused: err.data }))
  })
}

beforeAll(async () => {
  for (let i = 0; i < NODES; i++) {
    dataDirs.push(tempDir('nappe-haproxy-node-'))
    await startNode(i)
  }
  proxy = await startHaproxy({ backendPorts: ports, checkIntervalMs: CHECK_INTERVAL_MS })
})

afterAll(async () => {
  for (const s of sockets.splice(0)) s.close()
  await proxy?.stop()
  for (const n of nodes) await n?.close()
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true })
})

describe('HAProxy in front of three nodes', () => {
  it('sends every request and connection of one café to its node: API, Socket.IO (websocket and polling), Yjs', async () => {
    const cafe = await routableCafe()
    const home = nodeName(cafe.home)
    const cafeRuntime = () => nodes[cafe.home]!.server.registry.get(cafe.id)!

    // The facilitator opens the café through the proxy, on the café's path.
    const facilitator = await openSocket(cafe.id, { facilitatorKey: cafe.facilitatorKey }, ['websocket'])
    expect(facilitator).toMatchObject({ stateId: cafe.id })
    if (!('socket' in facilitator)) return
    expect(await facilitator.socket.timeout(5000).emitWithAck('cafe:open', {})).toMatchObject({ ok: true })

    // Joining, the QR code: the API on the café's path.
    const joins: Array<{ participantId: string; participantToken: string }> = []
    for (const name of ['Amélie', 'Bruno']) {
      const res = await fetch(`${proxy.url}/api/cafes/${cafe.id}/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: cafe.joinCode, displayName: name }) })
      expect([res.status, servedBy(res)]).toEqual([201, home])
      joins.push(await res.json() as { participantId: string; participantToken: string })
    }
    const qr = await fetch(`${proxy.url}/api/cafes/${cafe.id}/qr.svg`)
    expect([qr.status, servedBy(qr), (await qr.text()).startsWith('<svg')]).toEqual([200, home, true])
    expect(cafeRuntime().summary().participantCount).toBe(2)

    // Socket.IO over websocket, and over long-polling (a handshake, then many requests, each routed alone).
    for (const [i, transports] of [['websocket'], ['polling']].entries() as Iterable<[number, Array<'websocket' | 'polling'>]>) {
      const opened = await openSocket(cafe.id, { participantToken: joins[i]!.participantToken }, transports)
      expect(opened, transports[0]).toMatchObject({ stateId: cafe.id })
      if (!('socket' in opened)) return
      for (let k = 0; k < 5; k++) expect(await opened.socket.timeout(5000).emitWithAck('clock:sync', { sentAt: Date.now() })).toMatchObject({ ok: true })
    }
    await eventually(() => expect(cafeRuntime().view().participants.every((p) => p.online)).toBe(true))

    // The Yjs WebSocket of a tablecloth: its upgrade answered by the café's node, and a note written
    // through the proxy is in that node's document.
    expect(await facilitator.socket.timeout(5000).emitWithAck('round:start', {})).toMatchObject({ ok: true })
    const r = nodes[cafe.home]!.server.registry.get(cafe.id)!.record
    const table = r.seating[joins[0]!.participantId]!
    const docName = tableclothDocName(cafe.id, table, r.definition.questions[0]!.id)
    const upgradedBy = await new Promise<string | undefined>((resolve, reject) => {
      const ws = new WebSocket(`${proxy.wsUrl}/yjs/${docName}`, authProtocols({ participantToken: joins[0]!.participantToken }))
      ws.once('upgrade', (res) => { resolve(res.headers['x-nappe-node'] as string | undefined); ws.close() })
      ws.once('error', reject)
    })
    expect(upgradedBy).toBe(home)
    const cloth = await openTablecloth(proxy.wsUrl, docName, { participantToken: joins[0]!.participantToken })
    try {
      addNote(cloth.doc, { author: joins[0]!.participantId, authorName: 'Amélie', round: 1, now: Date.now() }, { text: 'Mutualiser les ressources', x: 10, y: 10 })
      const onNode = () => nodes[cafe.home]!.server.tablecloths.readDoc(docName, (doc) => readItems(doc).map((n) => (n.kind === 'note' ? n.text : '')))
      await eventually(() => expect(onNode()).toContain('Mutualiser les ressources'))
    } finally {
      cloth.destroy()
    }
  })

  it('gives the nodes the address the client came from, not the one it claims (per-address limits)', async () => {
    const cafe = await routableCafe()
    const node = nodes[cafe.home]!.server.gateway.connections
    const socket: TestSocket = ioClient(proxy.url, {
      path: `/c/${cafe.id}/socket.io/`, transports: ['websocket'], reconnection: false,
      extraHeaders: { 'X-Forwarded-For': '203.0.113.9' },
      auth: { protocol: PROTOCOL_VERSION, cafeId: cafe.id, facilitatorKey: cafe.facilitatorKey },
    })
    sockets.push(socket)
    await new Promise((resolve) => socket.once('cafe:state', resolve))
    expect(node.openFrom('203.0.113.9')).toBe(0)
    expect(node.openFrom('127.0.0.1')).toBeGreaterThanOrEqual(1)
    socket.close()
  })

  it('spreads cafés over the nodes', async () => {
    const cafes = []
    for (let i = 0; i < 12; i++) cafes.push(await cafeOn(i % NODES))
    const used = new Set(cafes.map((c) => c.routedTo))
    expect(used.size).toBeGreaterThan(1)
    // Requests naming no café go to every node in turn.
    const served = new Set<string>()
    for (let i = 0; i < 6; i++) served.add(servedBy(await fetch(`${proxy.url}/healthz`))!)
    expect(served).toEqual(new Set([nodeName(0), nodeName(1), nodeName(2)]))
  })

  it('takes a stopped node out within the check interval; only its cafés move, and they come back with it', async () => {
    const cafes = []
    for (let i = 0; i < 12; i++) cafes.push(await cafeOn(i % NODES))
    const before = new Map(cafes.map((c) => [c.id, c.routedTo]))
    // The node with the most cafés goes down.
    const counts = new Map<string, number>()
    for (const n of before.values()) counts.set(n, (counts.get(n) ?? 0) + 1)
    const victimName = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0]
    const victim = Number(victimName.slice(4)) - 1

    const stoppedAt = Date.now()
    await nodes[victim]!.close()
    nodes[victim] = null
    // Nothing is refused meanwhile: a request that cannot reach its node is retried on the next one.
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${proxy.url}/healthz`)
      expect([res.status, servedBy(res) === victimName]).toEqual([200, false])
    }
    await eventually(async () => expect((await proxy.states())[victimName]).toBe('DOWN'), { timeoutMs: 5000 })
    const outAfterMs = Date.now() - stoppedAt
    expect(outAfterMs, `out after ${outAfterMs} ms`).toBeLessThan(OUT_WITHIN_MS)

    for (const [id, was] of before) {
      const now = await nodeOfCafe(id)
      if (was === victimName) expect(now, `café ${id} was on the stopped node`).not.toBe(victimName)
      else expect(now, `café ${id} was on ${was}`).toBe(was)
    }

    // Back on its port: in again after two good checks, and its cafés with it.
    await startNode(victim)
    await eventually(async () => expect((await proxy.states())[victimName]).toBe('UP'), { timeoutMs: 6000 })
    for (const [id, was] of before) expect(await nodeOfCafe(id)).toBe(was)
    console.info(`haproxy: node out of the rotation ${outAfterMs} ms after it stopped`)
  })
})

describe('HAProxy and a frozen node', () => {
  let frozenProxy: Haproxy | null = null
  const others: TestServer[] = []
  let child: ChildServer | null = null
  const dir = tempDir('nappe-haproxy-frozen-')
  afterAll(async () => {
    await frozenProxy?.stop()
    if (child) { child.proc.kill('SIGCONT'); child.proc.kill('SIGKILL'); await child.exited }
    for (const o of others) await o.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('takes a frozen node (SIGSTOP) out in under 2 s and closes its connections, so its clients move', async () => {
    // node1 and node2 in this process, node3 a real server process that can be frozen.
    for (let i = 0; i < 2; i++) others.push(await startServer())
    const port = await freePort()
    child = await startChild(port, dir, { TRUST_PROXY: 'true' })
    const childUrl = `http://127.0.0.1:${port}`
    frozenProxy = await startHaproxy({ backendPorts: [...others.map((o) => Number(new URL(o.url).port)), port] })
    const p = frozenProxy
    // A café of the child's that the proxy sends to it.
    let cafe: CreatedCafe | null = null
    for (let n = 0; n < 60 && !cafe; n++) {
      const c = await createCafe(childUrl)
      const res = await fetch(`${p.url}/api/cafes/${c.id}`)
      await res.body?.cancel()
      if (servedBy(res) === 'node3') cafe = c
    }
    expect(cafe, 'a café of the frozen node that the proxy sends to it').not.toBeNull()
    const socket: TestSocket = ioClient(p.url, { path: `/c/${cafe!.id}/socket.io/`, transports: ['websocket'], reconnection: false, auth: { protocol: PROTOCOL_VERSION, cafeId: cafe!.id, facilitatorKey: cafe!.facilitatorKey } })
    sockets.push(socket)
    await new Promise((resolve) => socket.once('cafe:state', resolve))
    const disconnected = new Promise<number>((resolve) => socket.once('disconnect', () => resolve(Date.now())))

    const frozenAt = Date.now()
    child.proc.kill('SIGSTOP')
    await eventually(async () => expect((await p.states()).node3).toBe('DOWN'), { timeoutMs: 5000, intervalMs: 50 })
    const outAfterMs = Date.now() - frozenAt
    // The node never answers its ping: only the proxy can close this socket this early.
    const closedAfterMs = (await disconnected) - frozenAt
    // Each check of a frozen node waits its 500 ms timeout: at most about 1.75 s, plus a loaded machine's lag.
    expect(outAfterMs, `out after ${outAfterMs} ms`).toBeLessThan(OUT_WITHIN_MS + 500)
    expect(closedAfterMs, `closed after ${closedAfterMs} ms`).toBeLessThan(OUT_WITHIN_MS + 750)
    // Its café now goes to another node.
    expect(['node1', 'node2']).toContain(await (async () => { const r = await fetch(`${p.url}/api/cafes/${cafe!.id}`); await r.body?.cancel(); return servedBy(r) })())
    console.info(`haproxy: frozen node out after ${outAfterMs} ms, its WebSocket closed after ${closedAfterMs} ms`)
  }, 60_000)
})
