/**
 * One worker thread that runs heavy jobs (reading an archive, drawing a PDF or a zip) off the event loop
 * that carries every table's writing. Jobs wait in a short queue; a job that outlives its time limit
 * has its thread terminated (the next job gets a fresh one); a full queue refuses at once, with a hint
 * of when to come back. The thread starts with the first job and stops after a while without one; a
 * job's time counts from when the thread is ready (loading the code is not the job's doing).
 *
 * The thread says `{ ready: true }` once loaded, then answers each `{ id, job }` with
 * `{ id, ok: true, result }` or `{ id, ok: false, error }`.
 */
import { Worker } from 'node:worker_threads'
import type { ResourceLimits, Transferable } from 'node:worker_threads'
import type { Logger } from '../log'

export const JOB_FAILURES = ['busy', 'timeout', 'memory', 'crashed', 'failed', 'closed'] as const
export type JobFailure = (typeof JOB_FAILURES)[number]

/** Why a job did not give its result: refused (`busy`), stopped (`timeout`, `memory`), or broken. */
export class JobError extends Error {
  constructor(readonly reason: JobFailure, message: string, readonly retryAfterMs = 0) {
    super(message)
  }
}

export interface PoolLimits {
  /** Jobs that may wait behind the one running; one more is refused with `busy`. */
  maxQueue: number
  /** A job running longer is abandoned and its thread terminated. */
  jobTimeoutMs: number
  /** V8 heap of the thread; beyond it the thread dies (`memory`) and the server lives on. */
  maxHeapMb: number
}

export interface WorkerPoolOptions extends PoolLimits {
  name: string
  log: Logger
  /** The thread stops after this long without work, giving its memory back. */
  idleMs?: number
  workerUrl?: URL
}

interface Pending {
  id: number
  job: unknown
  transfer: Transferable[]
  resolve(result: unknown): void
  reject(err: JobError): void
}

const DEFAULT_IDLE_MS = 60_000
/** A thread that is not ready by then is taken as broken. */
const STARTUP_TIMEOUT_MS = 60_000
/** What a job is assumed to take before any has run (for Retry-After). */
const FIRST_GUESS_MS = 5_000

export class WorkerPool<J, R> {
  private worker: Worker | null = null
  /** Loading the thread's code: pending while not ready. */
  private starting: ReturnType<typeof setTimeout> | null = null
  private queue: Pending[] = []
  private running: (Pending & { timer: ReturnType<typeof setTimeout>; startedAt: number }) | null = null
  private idleTimer: ReturnType<typeof setTimeout> | null = null
  private nextId = 1
  private closed = false
  /** Running mean of how long jobs take, for Retry-After. */
  private typicalMs = FIRST_GUESS_MS

  constructor(private opts: WorkerPoolOptions) {}

  /** True while a job runs or waits. */
  get busy(): boolean { return this.running !== null || this.queue.length > 0 }

  /** A new job would be refused now: check it before reading a large request body. */
  get full(): boolean { return this.queue.length + (this.running ? 1 : 0) > this.opts.maxQueue }

  /** About when a refused job could be taken (the queue ahead of it, at the usual pace). */
  retryAfterMs(): number {
    const left = this.running ? Math.max(0, this.typicalMs - (performance.now() - this.running.startedAt)) : 0
    return Math.min(this.opts.jobTimeoutMs, Math.max(1000, Math.round(left + this.queue.length * this.typicalMs)))
  }

  /** Runs a job on the thread; `transfer` hands buffers over without copying them. Rejects with a JobError. */
  run(job: J, transfer: Transferable[] = []): Promise<R> {
    if (this.closed) return Promise.reject(new JobError('closed', 'the server is stopping'))
    if (this.full) return Promise.reject(new JobError('busy', `${this.opts.name}: the queue is full`, this.retryAfterMs()))
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, transfer, resolve: resolve as (r: unknown) => void, reject })
      this.pump()
    })
  }

  async close(): Promise<void> {
    this.closed = true
    this.clearIdle()
    for (const p of this.queue.splice(0)) p.reject(new JobError('closed', 'the server is stopping'))
    this.settle(new JobError('closed', 'the server is stopping'))
    await this.stopThread()
  }

  private pump(): void {
    if (this.running || this.closed) return
    const next = this.queue.shift()
    if (!next) {
      this.scheduleIdle()
      return
    }
    this.clearIdle()
    const worker = this.worker ?? this.start()
    if (this.starting) {
      this.queue.unshift(next) // taken when the thread says it is ready
      return
    }
    const timer = setTimeout(() => this.abandon('timeout', `took longer than ${this.opts.jobTimeoutMs} ms`), this.opts.jobTimeoutMs)
    this.running = { ...next, timer, startedAt: performance.now() }
    try {
      worker.postMessage({ id: next.id, job: next.job }, next.transfer)
    } catch (err) {
      // Data that cannot be cloned: a bug on this side, not the thread's.
      this.settle(new JobError('failed', err instanceof Error ? err.message : String(err)))
      this.pump()
    }
  }

  private start(): Worker {
    const worker = new Worker(this.opts.workerUrl ?? new URL('./jobWorker.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb } satisfies ResourceLimits,
    })
    worker.unref()
    this.starting = setTimeout(() => this.startFailed(worker, `the thread was not ready after ${STARTUP_TIMEOUT_MS} ms`), STARTUP_TIMEOUT_MS)
    worker.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string; ready?: boolean }) => {
      if (m.ready) {
        if (this.worker !== worker) return
        this.clearStarting()
        return this.pump()
      }
      const job = this.running
      if (!job || m.id !== job.id) return
      this.typicalMs = Math.round(0.7 * this.typicalMs + 0.3 * (performance.now() - job.startedAt))
      if (m.ok) this.settle(null, m.result)
      else this.settle(new JobError('failed', m.error ?? 'the job failed'))
      this.pump()
    })
    worker.on('error', (err: Error & { code?: string }) => {
      if (this.worker !== worker) return
      if (this.starting) return this.startFailed(worker, err.message)
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      this.opts.log.error(`${this.opts.name}: the thread failed`, { err })
      this.abandon(memory ? 'memory' : 'crashed', memory ? `needed more than ${this.opts.maxHeapMb} MB` : err.message)
    })
    worker.on('exit', (code) => {
      if (this.worker !== worker) return
      if (this.starting) this.startFailed(worker, `the thread exited (${code})`)
      else this.abandon('crashed', `the thread exited (${code})`)
    })
    this.worker = worker
    return worker
  }

  /** The thread could not load: the job waiting for it fails (rather than starting threads forever). */
  private startFailed(worker: Worker, message: string): void {
    if (this.worker !== worker) return
    this.clearStarting()
    this.worker = null
    void worker.terminate()
    this.opts.log.error(`${this.opts.name}: the thread could not start`, { err: message })
    this.queue.shift()?.reject(new JobError('crashed', `${this.opts.name}: ${message}`))
    this.pump()
  }

  private clearStarting(): void {
    if (this.starting) clearTimeout(this.starting)
    this.starting = null
  }

  /** The running job is given up: its thread goes, the next job gets a fresh one. */
  private abandon(reason: JobFailure, message: string): void {
    const w = this.worker
    this.worker = null
    if (w) void w.terminate()
    if (this.running && reason === 'timeout') this.opts.log.warn(`${this.opts.name}: a job was stopped`, { reason, ms: Math.round(performance.now() - this.running.startedAt) })
    this.settle(new JobError(reason, `${this.opts.name}: ${message}`))
    this.pump()
  }

  private settle(err: JobError | null, result?: unknown): void {
    const job = this.running
    if (!job) return
    this.running = null
    clearTimeout(job.timer)
    if (err) job.reject(err)
    else job.resolve(result)
  }

  private scheduleIdle(): void {
    if (this.idleTimer || !this.worker) return
    this.idleTimer = setTimeout(() => { this.idleTimer = null; if (!this.busy) void this.stopThread() }, this.opts.idleMs ?? DEFAULT_IDLE_MS)
    this.idleTimer.unref?.()
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }

  private async stopThread(): Promise<void> {
    this.clearStarting()
    const w = this.worker
    this.worker = null
    if (w) await w.terminate()
  }
}
