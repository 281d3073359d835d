/**
 * The job thread's body (see WorkerPool.ts): imports and exports. It says it is ready once loaded (the
 * jobs' time limits count from there), then answers each job. `jobWorker.mjs` loads it from the sources
 * through tsx; the built server (`scripts/buildServer.mjs`) bundles it as `dist/server/jobWorker.mjs`.
 */
import { parentPort } from 'node:worker_threads'
import type { Transferable } from 'node:worker_threads'
import { runJob } from './jobs'

const port = parentPort
if (!port) throw new Error('jobThread runs in a worker thread')

port.on('message', async ({ id, job }: { id: number; job: Parameters<typeof runJob>[0] }) => {
  try {
    const { result, transfer } = await runJob(job)
    port.postMessage({ id, ok: true, result }, transfer as Transferable[])
  } catch (err) {
    port.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) })
  }
})
port.postMessage({ ready: true })
