/**
 * WAL checkpoints copy the log into the database file and sync it: up to hundreds of milliseconds on a
 * slow disk. Left to SQLite they run inside whichever write crosses the threshold, on the event loop;
 * instead a worker thread with its own connection runs them (PASSIVE: never blocks our writes).
 *
 * The thread runs only while the database is being written: the first write after a quiet spell starts
 * it, and it stops after `idleMs` without a write (with a last checkpoint), so that a server between
 * cafés does not hold a second V8 isolate (about 10 MB) for nothing. If it cannot run, SQLite
 * checkpoints by itself again (`onFailure`): on the event loop, but nothing is lost.
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
/** A minute without a write: the thread stops. */
export const CHECKPOINT_IDLE_MS = 60_000

export class Checkpointer {
  private worker: Worker | null = null
  private lastWriteAt = 0
  private idleTimer: NodeJS.Timeout | null = null
  private failed = false
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3')

  constructor(private readonly file: string, private readonly onFailure: () => void, private readonly idleMs = CHECKPOINT_IDLE_MS) {}

  /** Whether the thread is running now (tests, measurements). */
  get running(): boolean { return this.worker !== null }

  /** A write was committed: its log will be checkpointed. Costs a clock read when the thread runs. */
  wrote(): void {
    this.lastWriteAt = performance.now()
    if (this.worker || this.failed) return
    const worker = new Worker(CHECKPOINT_WORKER, { eval: true, workerData: { file: this.file, driver: this.driver, intervalMs: CHECKPOINT_INTERVAL_MS } })
    worker.unref()
    worker.on('error', () => {
      this.failed = true
      this.stop()
      this.onFailure()
    })
    this.worker = worker
    this.idleTimer = setInterval(() => { if (performance.now() - this.lastWriteAt >= this.idleMs) this.stop() }, Math.max(10, this.idleMs / 4))
    this.idleTimer.unref()
  }

  /** Stops the thread after its last checkpoint; resolves when it has exited. */
  close(): Promise<void> {
    const worker = this.worker
    this.stop()
    return worker ? new Promise((resolve) => { worker.once('exit', () => resolve()); if (worker.threadId < 0) resolve() }) : Promise.resolve()
  }

  private stop(): void {
    if (this.idleTimer) clearInterval(this.idleTimer)
    this.idleTimer = null
    const worker = this.worker
    this.worker = null
    worker?.postMessage('stop')
  }
}
