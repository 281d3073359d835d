/**
 * Where the rotation planner runs. The full search may take most of a second (a 20-person café with no
 * perfect plan uses its whole budget), which must never hold the event loop that carries every table's
 * writing: the server plans in one worker thread, started with the first job and stopped after a minute
 * without one (its memory back between bursts). Tests use the inline service, which answers at once.
 */
import { Worker } from 'node:worker_threads'
import type { PlanInput, PlanOptions } from '../../shared/planner/index'
import { planRemaining } from '../../shared/planner/index'
import type { Seating } from '../../shared/rotation'
import type { Logger } from '../log'

export interface PlanJob {
  input: PlanInput
  options?: PlanOptions
  /** A newer job with the same key replaces this one while it waits (a café's bursts of arrivals). */
  key?: string
}

export interface PlanService {
  readonly kind: 'inline' | 'worker'
  /**
   * Calls `done` once: with every planned round (input.round..input.rounds), or with null if planning
   * failed or a newer job with the same key replaced this one. The inline service calls back before returning.
   */
  plan(job: PlanJob, done: (plan: Seating[] | null) => void): void
  close(): Promise<void>
}

/** Plans on the calling thread: for tests and tools. */
export function inlinePlanService(options: PlanOptions = {}): PlanService {
  return {
    kind: 'inline',
    plan(job, done) {
      let plan: Seating[] | null
      try {
        plan = planRemaining(job.input, { ...options, ...job.options })
      } catch {
        plan = null
      }
      done(plan)
    },
    async close() {},
  }
}

/** A job that takes longer than this is abandoned (the thread is restarted) and planned again inline, quickly. */
const JOB_TIMEOUT_MS = 30_000
/** What the inline fallback spends when the thread fails: the live planner's tenth of the search (about 0.15 s at most). */
const FALLBACK_EFFORT = 0.1

interface Pending { id: number; job: PlanJob; done: (plan: Seating[] | null) => void }

/** The thread stops after this long without a job, giving its memory back (a café plans in bursts: arrivals, announcements). */
const DEFAULT_IDLE_MS = 60_000

export class WorkerPlanService implements PlanService {
  readonly kind = 'worker'
  private worker: Worker | null = null
  private queue: Pending[] = []
  private running: (Pending & { timer: ReturnType<typeof setTimeout> }) | null = null
  private nextId = 1
  private closed = false
  private idleTimer: ReturnType<typeof setTimeout> | null = null

  constructor(private log: Logger, private workerUrl = new URL('./planWorker.mjs', import.meta.url), private idleMs = DEFAULT_IDLE_MS) {}

  /** Whether the planner's thread is up (it starts with a job and stops when idle). */
  get threadRunning(): boolean { return this.worker !== null }

  plan(job: PlanJob, done: (plan: Seating[] | null) => void): void {
    if (this.closed) return done(null)
    if (job.key !== undefined) {
      const i = this.queue.findIndex((q) => q.job.key === job.key)
      if (i >= 0) safely(this.queue.splice(i, 1)[0]!.done, null, this.log)
    }
    this.queue.push({ id: this.nextId++, job, done })
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null }
    this.pump()
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null }
    for (const p of this.queue.splice(0)) safely(p.done, null, this.log)
    if (this.running) {
      clearTimeout(this.running.timer)
      safely(this.running.done, null, this.log)
      this.running = null
    }
    const w = this.worker
    this.worker = null
    if (w) await w.terminate()
  }

  private pump(): void {
    if (this.running || this.closed) return
    const next = this.queue.shift()
    if (!next) return this.stopWhenIdle()
    const worker = this.worker ?? this.start()
    const timer = setTimeout(() => this.fail('the planner took too long'), JOB_TIMEOUT_MS)
    timer.unref?.()
    this.running = { ...next, timer }
    worker.postMessage({ id: next.id, input: next.job.input, options: next.job.options ?? {} })
  }

  private start(): Worker {
    const worker = new Worker(this.workerUrl)
    worker.unref()
    worker.on('message', (m: { id?: number; plan?: Seating[]; error?: string; ready?: boolean }) => {
      const job = this.running
      if (m.ready || !job || m.id !== job.id) return
      clearTimeout(job.timer)
      this.running = null
      if (m.error !== undefined || !Array.isArray(m.plan)) {
        this.log.error('the planner failed', { err: m.error })
        this.fallback(job)
      } else {
        safely(job.done, m.plan, this.log)
      }
      this.pump()
    })
    worker.on('error', (err) => this.fail(err))
    worker.on('exit', (code) => { if (this.worker === worker && !this.closed) this.fail(`the planner thread exited (${code})`) })
    this.worker = worker
    return worker
  }

  private stopWhenIdle(): void {
    if (!this.worker || this.idleTimer) return
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      const w = this.worker
      if (!w || this.running || this.queue.length > 0) return
      this.worker = null // first: its exit is not a failure
      void w.terminate()
    }, this.idleMs)
    this.idleTimer.unref?.()
  }

  /** The thread is broken: drop it, plan the current job inline with a small budget, start afresh for the next. */
  private fail(err: unknown): void {
    const w = this.worker
    this.worker = null
    if (w) void w.terminate()
    const job = this.running
    this.running = null
    if (this.closed) return
    this.log.error('the planner thread failed; planning inline', { err })
    if (job) {
      clearTimeout(job.timer)
      this.fallback(job)
    }
    this.pump()
  }

  private fallback(job: Pending): void {
    let plan: Seating[] | null = null
    try {
      plan = planRemaining(job.job.input, { ...job.job.options, effort: FALLBACK_EFFORT })
    } catch (err) {
      this.log.error('the inline planner failed too', { err })
    }
    safely(job.done, plan, this.log)
  }
}

function safely(done: (plan: Seating[] | null) => void, plan: Seating[] | null, log: Logger): void {
  try {
    done(plan)
  } catch (err) {
    log.error('applying a plan failed', { err })
  }
}
