// The job thread (see WorkerPool.ts): imports and exports. Plain JavaScript so that it starts the same
// way under `tsx` and under the test runner; it loads the TypeScript jobs through tsx's loader, then says
// it is ready (the jobs' time limits count from there).
import { parentPort } from 'node:worker_threads'
import { tsImport } from 'tsx/esm/api'

const { runJob } = await tsImport('./jobs.ts', import.meta.url)

parentPort.on('message', async ({ id, job }) => {
  try {
    const { result, transfer } = await runJob(job)
    parentPort.postMessage({ id, ok: true, result }, transfer)
  } catch (err) {
    parentPort.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) })
  }
})
parentPort.postMessage({ ready: true })
