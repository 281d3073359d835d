/**
 * Three nodes, HAProxy and PostgreSQL on loopback (tests/helpers/cluster.ts): a café's node is killed
 * or frozen mid-round, and the café goes on on another node with nothing lost; the other café never
 * notices. Run by `npm run test:cluster` (and `.ci/run`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import type { LifecycleState } from '../../shared/lifecycle'
import { addNote, readItems, tableclothDocName } from '../../shared/tablecloth'
import type { TestCluster } from '../helpers/cluster'
import { connectCafe, startCluster } from '../helpers/cluster'
import { eventually } from '../helpers/eventually'
import { haproxyBinary } from '../helpers/haproxy'
import { postgresMissing } from '../helpers/postgres'
import type { CreatedCafe, Joined, TestSocket } from '../helpers/server'
import { createCafe, joinCafe, openTablecloth, request } from '../helpers/server'
import type { CafeInput } from '../../shared/cafe'

/** Six tables of six, three rounds of one question each: room for the 30 people of the scenario. */
const bigCafe: CafeInput = {
  title: 'Café régional', language: 'fr', shape: 'classic', roundMinutes: 10,
  tables: Array.from({ length: 6 }, (_, i) => ({ name: `Table ${i + 1}`, capacity: 6 })),
  questions: [{ text: 'Pour quoi faire ?' }, { text: 'Avec qui ?' }, { text: 'Comment ?' }],
}

const missing = postgresMissing() ?? (haproxyBinary() ? null : 'HAProxy is not installed (apt-get install haproxy, as .ci/run does)')
if (missing) throw new Error(missing)

const texts = (doc: Y.Doc) => readItems(doc).flatMap((i) => ('text' in i ? [i.text] : [])).sort()

interface Person extends Joined { name: string; tableId: string; docName: string; doc: Y.Doc; provider: { wsconnected: boolean }; destroy(): void }
interface LiveCafe { created: CreatedCafe; fac: { socket: TestSocket; state: () => import('../../shared/protocol').CafeView }; people: Person[]; endsAt: number; seating: Record<string, string> }

let c: TestCluster
const cleanups: Array<() => void> = []
beforeAll(async () => { c = await startCluster({ nodes: 3, leaseSeconds: 2 }) }, 180_000)
afterAll(async () => { for (const f of cleanups.splice(0).reverse()) f(); await c?.stop() }, 60_000)

/** A café created through the proxy, taken by the node its id hashes to, open and in round 1 with `n` people writing. */
async function liveCafe(n: number): Promise<LiveCafe> {
  const url = c.proxy.url
  const created = await createCafe(url, bigCafe)
  const fac = await connectCafe(url, created.id, { facilitatorKey: created.facilitatorKey })
  cleanups.push(() => fac.socket.close())
  expect((await request(fac.socket, 'cafe:open')).ok).toBe(true)
  const joined: Array<Joined & { name: string }> = []
  for (let i = 0; i < n; i++) joined.push({ ...(await joinCafe(url, created.joinCode, `Personne ${i + 1}`)), name: `Personne ${i + 1}` })
  // Everyone in the plan's first round before it starts (arrivals are planned in bursts, 1.5 s later).
  await eventually(() => {
    const plan = fac.state().plan
    expect(plan?.planning).toBe(false)
    expect(Object.keys(plan?.rounds[0] ?? {})).toHaveLength(n)
  }, { timeoutMs: 15_000, intervalMs: 100 })
  const started = await request<{ lifecycle: LifecycleState }>(fac.socket, 'round:start')
  if (!started.ok || started.data.lifecycle.phase !== 'round' || started.data.lifecycle.timer.status !== 'running') throw new Error('round not started')
  await eventually(() => expect(fac.state().participants.filter((p) => p.tableId).length).toBe(n), { timeoutMs: 10_000 })
  const seating = Object.fromEntries(fac.state().participants.map((p) => [p.id, p.tableId!]))
  const questionByTable = fac.state().definition.rounds[0]!.questionByTable
  const people = await Promise.all(joined.map(async (j): Promise<Person> => {
    const tableId = seating[j.participantId]!
    const docName = tableclothDocName(created.id, tableId, questionByTable[tableId]!)
    const t = await openTablecloth(c.proxy.wsUrl, docName, { participantToken: j.participantToken })
    cleanups.push(() => t.destroy())
    return { ...j, tableId, docName, doc: t.doc, provider: t.provider, destroy: t.destroy }
  }))
  return { created, fac, people, endsAt: started.data.lifecycle.timer.endsAt, seating }
}

const write = (p: Person, text: string) => addNote(p.doc, { author: p.participantId, authorName: p.name, round: 1, now: Date.now() }, { text, x: 10, y: 10 })
const tablemates = (cafe: LiveCafe, p: Person) => cafe.people.filter((q) => q.tableId === p.tableId)
/** Two people at the same table. */
function pair(cafe: LiveCafe): [Person, Person] {
  for (const p of cafe.people) { const q = tablemates(cafe, p).find((x) => x !== p); if (q) return [p, q] }
  throw new Error('nobody shares a table')
}

describe('a cluster of three nodes', () => {
  it('kill -9 the node of café A mid-round: A goes on on another node within seconds with every edit, its timer and its seating; café B does not notice', async () => {
    // Two cafés on two different nodes.
    const a = await liveCafe(30)
    let b = await liveCafe(30)
    const ownerA = await c.ownerOf(a.created.id)
    for (let tries = 0; (await c.ownerOf(b.created.id)) === ownerA && tries < 8; tries++) b = await liveCafe(30)
    const ownerB = await c.ownerOf(b.created.id)
    expect(ownerA).not.toBeNull()
    expect(ownerB).not.toBe(ownerA)

    // Everyone writes; everything reaches the tablemates.
    for (const cafe of [a, b]) for (const p of cafe.people) for (let i = 1; i <= 3; i++) write(p, `${p.name} idée ${i}`)
    for (const cafe of [a, b]) {
      for (const p of cafe.people) await eventually(() => expect(texts(p.doc)).toHaveLength(tablemates(cafe, p).length * 3), { timeoutMs: 10_000 })
    }

    // In café B, one writes every 100 ms and a tablemate times each note's arrival, through the failover.
    const [b1, b2] = pair(b)
    const latencies: number[] = []
    const sentAt = new Map<string, number>()
    b2.doc.on('update', () => { for (const t of texts(b2.doc)) { const s = sentAt.get(t); if (s !== undefined) { latencies.push(performance.now() - s); sentAt.delete(t) } } })
    let k = 0
    const writer = setInterval(() => { const t = `b-${++k}`; sentAt.set(t, performance.now()); write(b1, t) }, 100)
    cleanups.push(() => clearInterval(writer))
    await new Promise((r) => setTimeout(r, 500))

    // Kill A's node.
    const killedAt = performance.now()
    c.node(ownerA!).child.proc.kill('SIGKILL')
    // Written while A's node is gone: kept by the client, sent when it reconnects.
    const [a1, a2] = pair(a)
    write(a1, 'écrit pendant la panne')
    await eventually(() => expect(texts(a2.doc)).toContain('écrit pendant la panne'), { timeoutMs: 15_000, intervalMs: 50 })
    const recoveredMs = performance.now() - killedAt
    expect(await c.ownerOf(a.created.id)).not.toBe(ownerA)
    expect(recoveredMs).toBeLessThan(10_000)

    // Every edit anyone had seen is there, for a fresh reader; the timer kept its deadline; the seating is intact.
    for (const p of a.people) {
      const fresh = await openTablecloth(c.proxy.wsUrl, p.docName, { facilitatorKey: a.created.facilitatorKey })
      cleanups.push(() => fresh.destroy())
      await eventually(() => expect(texts(fresh.doc)).toEqual(texts(p.doc)), { timeoutMs: 10_000 })
      const expected = tablemates(a, p).length * 3 + (p.tableId === a1.tableId ? 1 : 0)
      expect(texts(fresh.doc)).toHaveLength(expected)
    }
    await eventually(() => expect(a.fac.socket.connected).toBe(true), { timeoutMs: 10_000 })
    await eventually(() => {
      const lc = a.fac.state().lifecycle
      expect(lc.phase === 'round' && lc.timer.status === 'running' ? lc.timer.endsAt : null).toBe(a.endsAt)
      expect(Object.fromEntries(a.fac.state().participants.map((p) => [p.id, p.tableId]))).toEqual(a.seating)
    }, { timeoutMs: 10_000 })

    // Café B: every note arrived, quickly, all through the failover.
    clearInterval(writer)
    await eventually(() => expect(sentAt.size).toBe(0), { timeoutMs: 5000 })
    const sorted = [...latencies].sort((x, y) => x - y)
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? Infinity
    console.log(`failover: café A back in ${Math.round(recoveredMs)} ms; café B: ${sorted.length} notes, p99 ${Math.round(p99)} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms`)
    expect(sorted.length).toBe(k)
    expect(p99).toBeLessThan(100)
    await c.restart(ownerA!)
  }, 120_000)

  it('a node frozen past its lease (SIGSTOP) cannot write anything once another node took its café, even after SIGCONT', async () => {
    const a = await liveCafe(12)
    const owner = (await c.ownerOf(a.created.id))!
    const [p1, p2] = pair(a)
    const frozen = c.node(owner)
    frozen.child.proc.kill('SIGSTOP')
    cleanups.push(() => { frozen.child.proc.kill('SIGCONT') })
    // Sent to the frozen node: it sits in its socket until SIGCONT. Then the writer's device is gone:
    // nobody will ever send it again, so only the frozen node could write it.
    write(p1, 'écrit vers le nœud gelé')
    await new Promise((r) => setTimeout(r, 100))
    p1.destroy()
    // The proxy takes the frozen node out; the café's next request lands elsewhere, which takes the café
    // once the lease has run out.
    await eventually(async () => expect((await c.proxy.states())[owner]).toMatch(/^DOWN/), { timeoutMs: 10_000, intervalMs: 100 })
    const fresh = await openTablecloth(c.proxy.wsUrl, p1.docName, { facilitatorKey: a.created.facilitatorKey }, false)
    cleanups.push(() => fresh.destroy())
    await eventually(() => expect(fresh.provider.synced).toBe(true), { timeoutMs: 15_000, intervalMs: 50 }).catch((err: unknown) => {
      for (const n of c.nodes) console.log(`${n.name}:\n${n.child.output().split('\n').slice(-12).join('\n')}`)
      throw err
    })
    const taker = await c.ownerOf(a.created.id)
    expect(taker).not.toBeNull()
    expect(taker).not.toBe(owner)
    addNote(fresh.doc, { author: 'facilitator', authorName: 'Animatrice', round: 1, now: Date.now() }, { text: 'après la reprise', x: 0, y: 0 })

    frozen.child.proc.kill('SIGCONT')
    // The woken node reads the note, and learns it lost the café (its lease ran out, the database refuses
    // its commit): it drops the café and closes its connections.
    await eventually(() => expect(frozen.child.output()).toContain('café lost to another node'), { timeoutMs: 10_000 })
    await eventually(() => expect(texts(p2.doc)).toContain('après la reprise'), { timeoutMs: 15_000 })
    await new Promise((r) => setTimeout(r, 1000))
    const stored = await c.query<{ n: string }>("SELECT count(*) AS n FROM updates WHERE cafe_id = $1 AND position(convert_to('écrit vers le nœud gelé', 'UTF8') in data) > 0", [a.created.id])
    expect(Number(stored[0]!.n)).toBe(0)
    expect(texts(fresh.doc)).not.toContain('écrit vers le nœud gelé')
    expect(texts(p2.doc)).not.toContain('écrit vers le nœud gelé')
    // The café stays where it went.
    expect(await c.ownerOf(a.created.id)).toBe(taker)
    await eventually(async () => expect((await c.proxy.states())[owner]).toBe('UP'), { timeoutMs: 10_000, intervalMs: 100 })
  }, 120_000)

  it('a rolling restart (SIGTERM, start, node after node) during a café loses nothing and keeps the café down no more than a few seconds', async () => {
    const r = await liveCafe(12)
    const [w, reader] = pair(r)
    const arrivals: number[] = []
    let seen = 0
    reader.doc.on('update', () => { const n = texts(reader.doc).filter((t) => t.startsWith('r-')).length; if (n > seen) { seen = n; arrivals.push(performance.now()) } })
    let k = 0
    const writer = setInterval(() => write(w, `r-${++k}`), 200)
    cleanups.push(() => clearInterval(writer))
    const codes: Array<number | null> = []
    for (const n of c.nodes) {
      const { code, output } = await c.restart(n.name, { graceful: true })
      if (code !== 0) console.log(`${n.name} exited ${code}:\n${output.split('\n').slice(-15).join('\n')}`)
      codes.push(code)
      await eventually(async () => expect((await c.proxy.states())[n.name]).toBe('UP'), { timeoutMs: 20_000, intervalMs: 100 })
    }
    clearInterval(writer)
    await eventually(() => expect(texts(reader.doc).filter((t) => t.startsWith('r-'))).toHaveLength(k), { timeoutMs: 15_000 })
    const fresh = await openTablecloth(c.proxy.wsUrl, w.docName, { facilitatorKey: r.created.facilitatorKey })
    cleanups.push(() => fresh.destroy())
    await eventually(() => expect(texts(fresh.doc).filter((t) => t.startsWith('r-'))).toHaveLength(k), { timeoutMs: 10_000 })
    // Every node stopped cleanly: its writes committed, its leases given up.
    expect(codes).toEqual(c.nodes.map(() => 0))
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!)
    const longest = Math.max(...gaps)
    console.log(`rolling restart: ${k} notes, longest wait between two arrivals ${Math.round(longest)} ms`)
    expect(longest).toBeLessThan(5000)
  }, 180_000)
})
