/** The job thread pool: jobs off the event loop, a time limit that kills the thread, a bounded queue, crashes survived. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../server/log'
import type { PoolLimits } from '../../server/export/WorkerPool'
import { JobError, WorkerPool } from '../../server/export/WorkerPool'

// A stand-in for jobWorker.mjs: echoes, or works (busy) for `spin` ms, or dies in one of several ways.
const dir = mkdtempSync(join(tmpdir(), 'nappe-pool-'))
const WORKER = join(dir, 'testWorker.mjs')
writeFileSync(WORKER, `
import { parentPort } from 'node:worker_threads'
parentPort.on('message', ({ id, job }) => {
  if (job.spin) { const end = Date.now() + job.spin; while (Date.now() < end); }
  if (job.exit) process.exit(3)
  if (job.hog) { const keep = []; for (;;) keep.push(new Array(1e5).fill(Math.random())) }
  if (job.fail) return parentPort.postMessage({ id, ok: false, error: 'it went wrong' })
  parentPort.postMessage({ id, ok: true, result: { echo: job.value, bytes: job.bytes ? job.bytes.byteLength : 0 } })
})
parentPort.postMessage({ ready: true })
`)

type TestJob = { value?: string; spin?: number; exit?: boolean; hog?: boolean; fail?: boolean; bytes?: Uint8Array }
type TestResult = { echo: string; bytes: number }

const pools: Array<WorkerPool<TestJob, TestResult>> = []
afterEach(async () => { await Promise.all(pools.splice(0).map((p) => p.close())) })
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function pool(limits: Partial<PoolLimits> & { workerUrl?: URL } = {}) {
  const p = new WorkerPool<TestJob, TestResult>({ name: 'test', log: silentLogger, maxQueue: 2, jobTimeoutMs: 10_000, maxHeapMb: 256, workerUrl: pathToFileURL(WORKER), ...limits })
  pools.push(p)
  return p
}

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the job to fail') }, (err: unknown) => {
  expect(err).toBeInstanceOf(JobError)
  return err as JobError
})

describe('WorkerPool', () => {
  it('runs a job on its thread while the event loop keeps turning, and hands buffers over', async () => {
    const p = pool()
    let ticks = 0
    const ticker = setInterval(() => ticks++, 10)
    const result = await p.run({ value: 'a', spin: 400 })
    clearInterval(ticker)
    expect(result.echo).toBe('a')
    // 400 ms of work on the thread; this thread kept ticking meanwhile.
    expect(ticks).toBeGreaterThan(10)
    const bytes = new Uint8Array(1024)
    expect((await p.run({ bytes }, [bytes.buffer])).bytes).toBe(1024)
    expect(bytes.byteLength).toBe(0) // transferred, not copied
  })

  it('stops a job past its time limit, terminating the thread; the next job gets a fresh one', async () => {
    const p = pool({ jobTimeoutMs: 300 })
    const started = performance.now()
    const err = await failure(p.run({ spin: 30_000 }))
    expect(err.reason).toBe('timeout')
    expect(performance.now() - started).toBeLessThan(10_000)
    expect((await p.run({ value: 'after' })).echo).toBe('after')
  })

  it('refuses at once when the queue is full, with a time to come back, and still runs what it took', async () => {
    const p = pool({ maxQueue: 1 })
    const first = p.run({ value: '1', spin: 500 })
    const second = p.run({ value: '2' })
    expect(p.full).toBe(true)
    const err = await failure(p.run({ value: '3' }))
    expect(err.reason).toBe('busy')
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(1000)
    expect((await first).echo).toBe('1')
    expect((await second).echo).toBe('2')
    expect(p.full).toBe(false)
    expect(p.busy).toBe(false)
  })

  it('survives a thread that exits, runs out of memory, or reports a failure', async () => {
    const p = pool({ maxHeapMb: 32 })
    expect((await failure(p.run({ exit: true }))).reason).toBe('crashed')
    expect((await failure(p.run({ hog: true }))).reason).toBe('memory')
    const failed = await failure(p.run({ fail: true }))
    expect(failed.reason).toBe('failed')
    expect(failed.message).toContain('it went wrong')
    expect((await p.run({ value: 'alive' })).echo).toBe('alive')
  })

  it('a thread that cannot start fails the job waiting for it, once, and the pool tries again for the next', async () => {
    const broken = join(dir, 'broken.mjs')
    writeFileSync(broken, 'throw new Error("cannot load")\n')
    const p = pool({ workerUrl: pathToFileURL(broken) })
    const err = await failure(p.run({ value: 'x' }))
    expect(err.reason).toBe('crashed')
    expect(err.message).toContain('cannot load')
    expect(p.busy).toBe(false)
    expect((await failure(p.run({ value: 'y' }))).reason).toBe('crashed')
  })

  it('once closed, refuses new jobs and drops waiting ones', async () => {
    const p = pool()
    const running = failure(p.run({ spin: 30_000 }))
    const waiting = failure(p.run({ value: 'w' }))
    await p.close()
    expect((await running).reason).toBe('closed')
    expect((await waiting).reason).toBe('closed')
    expect((await failure(p.run({ value: 'late' }))).reason).toBe('closed')
  })
})
