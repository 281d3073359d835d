import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Directory, Leases } from '../../server/cluster/ClusterNode'
import { ClusterNode } from '../../server/cluster/ClusterNode'
import { silentLogger } from '../../server/log'

/** Leases and a directory in memory: what the PostgreSQL mirror and engine answer, scripted. */
function fakes(opts: { holder?: { id: string; expiresInMs: number }; nodes?: Array<{ id: string; address: string; ageMs: number }> } = {}) {
  const held = new Set<string>()
  const calls: string[] = []
  let heartbeatFails = false
  let releaseGate: Promise<void> = Promise.resolve()
  const leases: Leases = {
    async acquire(id) {
      calls.push(`acquire ${id}`)
      if (opts.holder) return { holder: opts.holder.id, expiresInMs: opts.holder.expiresInMs }
      held.add(id)
      return 'ok'
    },
    async release(id) { calls.push(`release ${id}`); await releaseGate; held.delete(id) },
    owns: (id) => held.has(id),
    owned: () => [...held],
  }
  const directory: Directory = {
    async heartbeat() { if (heartbeatFails) throw new Error('unreachable') },
    async liveNodes(maxAgeMs) { return (opts.nodes ?? []).filter((n) => n.ageMs < maxAgeMs).map(({ id, address }) => ({ id, address })) },
    async removeNode() {},
    async cafeIdByJoinCode() { return null },
  }
  return {
    leases, directory, held, calls,
    failHeartbeats: () => { heartbeatFails = true },
    holdReleases: () => { let open!: () => void; releaseGate = new Promise((r) => { open = r }); return open },
  }
}

const nodes: ClusterNode[] = []
afterEach(async () => { vi.useRealTimers(); for (const n of nodes.splice(0)) await n.stop() })
const make = (f: ReturnType<typeof fakes>, leaseMs = 3000) => {
  const n = new ClusterNode({ nodeId: 'me-1', address: 'http://127.0.0.1:1', leases: f.leases, directory: f.directory, log: silentLogger, leaseMs })
  nodes.push(n)
  return n
}

describe('ClusterNode', () => {
  it('proxies to the holder only while its heartbeat is fresh; a silent holder means "retry", never a request sent to a frozen node', async () => {
    const fresh = make(fakes({ holder: { id: 'other-1', expiresInMs: 2500 }, nodes: [{ id: 'other-1', address: 'http://10.0.0.2:3000', ageMs: 500 }] }))
    expect(await fresh.place('c1')).toEqual({ kind: 'elsewhere', nodeId: 'other-1', address: 'http://10.0.0.2:3000' })
    // Two heartbeats missed (one every third of the 3 s lease): it may be frozen.
    const silent = make(fakes({ holder: { id: 'other-1', expiresInMs: 2500 }, nodes: [{ id: 'other-1', address: 'http://10.0.0.2:3000', ageMs: 2200 }] }))
    expect(await silent.place('c1')).toEqual({ kind: 'unavailable', retryAfterMs: 2500 })
  })

  it('takes a free café here once, however many requests ask for it at the same moment', async () => {
    const f = fakes()
    const n = make(f)
    const gained: string[] = []
    n.onOwnership({ gained: (id) => gained.push(id), lost: () => {}, busy: () => true })
    const all = await Promise.all([n.place('c1'), n.place('c1'), n.place('c1')])
    expect(all).toEqual([{ kind: 'here' }, { kind: 'here' }, { kind: 'here' }])
    expect(f.calls).toEqual(['acquire c1'])
    expect(gained).toEqual(['c1'])
  })

  it('hands a café off: it stops here first, and a request meanwhile waits for the release before taking it again', async () => {
    const f = fakes()
    const n = make(f)
    const events: string[] = []
    n.onOwnership({ gained: (id) => events.push(`gained ${id}`), lost: (id) => events.push(`lost ${id}`), busy: () => false })
    await n.place('c1')
    const open = f.holdReleases()
    const handOff = n.handOff('c1')
    expect(events).toEqual(['gained c1', 'lost c1'])
    const again = n.place('c1')
    await new Promise((r) => setTimeout(r, 10))
    expect(f.calls).toEqual(['acquire c1', 'release c1'])
    open()
    await handOff
    expect(await again).toEqual({ kind: 'here' })
    expect(f.calls).toEqual(['acquire c1', 'release c1', 'acquire c1'])
    expect(events).toEqual(['gained c1', 'lost c1', 'gained c1'])
  })

  it('gives up a café nobody has been connected to for ten minutes, and keeps one in use', async () => {
    vi.useFakeTimers()
    const f = fakes()
    const n = make(f)
    const busy = new Set(['busy'])
    n.onOwnership({ gained: () => {}, lost: () => {}, busy: (id) => busy.has(id) })
    await n.start()
    await n.place('busy')
    await n.place('idle')
    await vi.advanceTimersByTimeAsync(9 * 60_000)
    expect(f.calls.filter((c) => c.startsWith('release'))).toEqual([])
    await vi.advanceTimersByTimeAsync(3 * 60_000)
    expect(f.calls.filter((c) => c.startsWith('release'))).toEqual(['release idle'])
    expect(n.owned()).toEqual(['busy'])
  })

  it('says it is cut off once no heartbeat reached the database for a whole lease time', async () => {
    vi.useFakeTimers()
    const f = fakes()
    const n = make(f, 3000)
    await n.start()
    await vi.advanceTimersByTimeAsync(5000)
    expect(n.cutOff).toBe(false)
    f.failHeartbeats()
    await vi.advanceTimersByTimeAsync(2000)
    expect(n.cutOff).toBe(false)
    await vi.advanceTimersByTimeAsync(2500)
    expect(n.cutOff).toBe(true)
  })
})
