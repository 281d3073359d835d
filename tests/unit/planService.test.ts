/** The planner's worker thread: plans off the event loop, drops superseded jobs, survives a broken thread. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { WorkerPlanService } from '../../server/cafes/PlanService'
import type { PlanJob } from '../../server/cafes/PlanService'
import { silentLogger } from '../../server/log'
import type { Seating } from '../../shared/rotation'

function job(people: number, tables: number, key?: string): PlanJob {
  return {
    ...(key ? { key } : {}),
    input: {
      participants: Array.from({ length: people }, (_, i) => ({ id: `p${i}`, hostOf: null, organisation: `o${i % 5}`, sector: null, present: true })),
      tables: Array.from({ length: tables }, (_, i) => ({ id: `t${i}`, capacity: Math.ceil(people / tables) + 1 })),
      history: [], shape: 'classic', round: 1, rounds: 4, seed: 7,
    },
  }
}

/** A logger that keeps the errors: the thread must work, not fall back. */
function recording() {
  const errors: string[] = []
  const log = { ...silentLogger, error: (msg: string) => { errors.push(msg) } }
  return { log, errors }
}

const planned = (service: WorkerPlanService, j: PlanJob) => new Promise<Seating[] | null>((resolve) => service.plan(j, resolve))

let services: WorkerPlanService[] = []
afterEach(async () => {
  await Promise.all(services.map((s) => s.close()))
  services = []
})

describe('planning in a worker thread', () => {
  it('plans a whole café while the event loop keeps running', async () => {
    const { log, errors } = recording()
    const service = new WorkerPlanService(log)
    services.push(service)
    let loopRan = false
    setImmediate(() => { loopRan = true })
    const plan = await planned(service, job(20, 5))
    expect(loopRan).toBe(true)
    expect(plan).toHaveLength(4)
    for (const row of plan!) expect(Object.keys(row)).toHaveLength(20)
    expect(errors).toEqual([])
  })

  it('a newer job of the same café replaces one still waiting', async () => {
    const { log, errors } = recording()
    const service = new WorkerPlanService(log)
    services.push(service)
    const [a, b, c] = await Promise.all([planned(service, job(30, 6, 'other')), planned(service, job(20, 5, 'cafe')), planned(service, job(21, 5, 'cafe'))])
    expect(a).toHaveLength(4)
    expect(b).toBeNull()
    expect(Object.keys(c![0]!)).toHaveLength(21)
    expect(errors).toEqual([])
  })

  it('stops its thread when idle, and starts a fresh one for the next job', async () => {
    const { log, errors } = recording()
    const service = new WorkerPlanService(log, undefined, 100)
    services.push(service)
    expect(service.threadRunning).toBe(false)
    expect(await planned(service, job(20, 5))).toHaveLength(4)
    expect(service.threadRunning).toBe(true)
    await new Promise((r) => setTimeout(r, 400))
    expect(service.threadRunning).toBe(false)
    const again = await planned(service, job(21, 5))
    expect(again).toHaveLength(4)
    for (const row of again!) expect(Object.keys(row)).toHaveLength(21)
    expect(errors).toEqual([])
  })

  it('plans inline (a smaller search) when the thread cannot start, and answers null once closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nappe-worker-'))
    try {
      const broken = join(dir, 'broken.mjs')
      writeFileSync(broken, 'throw new Error("broken planner")\n')
      const { log, errors } = recording()
      const service = new WorkerPlanService(log, pathToFileURL(broken))
      services.push(service)
      const plan = await planned(service, job(16, 4))
      expect(errors).toContain('the planner thread failed; planning inline')
      expect(plan).toHaveLength(4)
      for (const row of plan!) expect(Object.keys(row)).toHaveLength(16)
      await service.close()
      expect(await planned(service, job(16, 4))).toBeNull()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
