/**
 * WAL checkpoints copy the log into the database file and sync it. Left to SQLite they run inside
 * whichever write crosses its threshold; instead this runs them on a timer while the database is
 * written, and stops after `idleMs` without a write (a quiet spell), after a last checkpoint.
 *
 * On the event loop first ('inline', the store's own connection): on a fast disk a checkpoint of a
 * second's writes takes well under a millisecond (0.6 ms measured for a café's busiest table load), far
 * less than the 10-12 MB a second V8 isolate holds. The first checkpoint that takes longer than
 * `budgetMs` (a slow or busy disk: up to hundreds of milliseconds; a burst of writes) moves them to a
 * worker thread with its own connection (PASSIVE: never blocks our writes), until the next quiet spell.
 * If that thread cannot run, SQLite checkpoints by itself again (`onFailure`): on the event loop, but
 * nothing is lost.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** Plain JavaScript: a worker does not go through the TypeScript loader. */
const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 1000')
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)') } catch {} }
const timer = setInterval(checkpoint, workerData.intervalMs)
parentPort.on('message', () => { clearInterval(timer); checkpoint(); try { db.close() } catch {} ; process.exit(0) })
`
const CHECKPOINT_INTERVAL_MS = 1000
/** A minute without a write: the checkpoints stop. */
export const CHECKPOINT_IDLE_MS = 60_000
/** A checkpoint on the event loop that takes longer than this sends the next ones to a thread. */
export const INLINE_CHECKPOINT_BUDGET_MS = 8

export type CheckpointMode = 'inline' | 'thread'

export interface CheckpointerOptions {
  /** A PASSIVE checkpoint on the store's own connection (the event loop). */
  inline: () => void
  /** The thread failed: let SQLite checkpoint by itself. */
  onFailure: () => void
  idleMs?: number
  budgetMs?: number
  intervalMs?: number
}

export class Checkpointer {
  private timer: NodeJS.Timeout | null = null
  private worker: Worker | null = null
  private lastWriteAt = 0
  private slowDisk = false
  private failed = false
  /** The longest inline checkpoint so far, in ms (measurements). */
  longestInlineMs = 0
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3')
  private readonly idleMs: number
  private readonly budgetMs: number
  private readonly intervalMs: number

  constructor(private readonly file: string, private readonly opts: CheckpointerOptions) {
    this.idleMs = opts.idleMs ?? CHECKPOINT_IDLE_MS
    this.budgetMs = opts.budgetMs ?? INLINE_CHECKPOINT_BUDGET_MS
    this.intervalMs = opts.intervalMs ?? CHECKPOINT_INTERVAL_MS
  }

  /** How checkpoints run now: null while the database is not being written. */
  get mode(): CheckpointMode | null {
    if (this.worker) return 'thread'
    return this.timer ? 'inline' : null
  }

  /** A write was committed: its log will be checkpointed. Costs a clock read while checkpoints run. */
  wrote(): void {
    this.lastWriteAt = performance.now()
    if (this.timer || this.failed) return
    if (this.slowDisk) this.startThread()
    this.timer = setInterval(() => this.tick(), this.slowDisk ? Math.max(10, this.idleMs / 4) : this.intervalMs)
    this.timer.unref()
  }

  /** Stops, after a last checkpoint; resolves when the thread (if any) has exited. */
  close(): Promise<void> {
    const worker = this.worker
    this.stop()
    return worker ? new Promise((resolve) => { worker.once('exit', () => resolve()); if (worker.threadId < 0) resolve() }) : Promise.resolve()
  }

  private tick(): void {
    const idle = performance.now() - this.lastWriteAt >= this.idleMs
    if (this.worker) {
      // A quiet spell: the next busy one starts on the event loop again (the slow checkpoint was maybe a burst).
      if (idle) { this.slowDisk = false; this.stop() }
      return
    }
    // Too long: a slow disk. From now on a thread waits for it, not the event loop.
    if (this.checkpointInline()) this.slowDisk = true
    if (idle) return this.stop()
    if (!this.slowDisk) return
    this.stop()
    this.wrote()
  }

  /** Whether it took longer than the budget. */
  private checkpointInline(): boolean {
    const started = performance.now()
    try { this.opts.inline() } catch { /* busy or disk full: the next one copies what is left */ }
    const ms = performance.now() - started
    if (ms > this.longestInlineMs) this.longestInlineMs = ms
    return ms > this.budgetMs
  }

  private startThread(): void {
    const worker = new Worker(CHECKPOINT_WORKER, { eval: true, workerData: { file: this.file, driver: this.driver, intervalMs: this.intervalMs } })
    worker.unref()
    worker.on('error', () => {
      this.failed = true
      this.stop()
      this.opts.onFailure()
    })
    this.worker = worker
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    const worker = this.worker
    this.worker = null
    worker?.postMessage('stop')
  }
}
