/**
 * The rotation planner's thread body (see PlanService.ts). `planWorker.mjs` loads it from the sources
 * through tsx; the built server (`scripts/buildServer.mjs`) bundles it as `dist/server/planWorker.mjs`.
 */
import { parentPort } from 'node:worker_threads'
import type { PlanInput, PlanOptions } from '../../shared/planner/index'
import { planRemaining } from '../../shared/planner/index'

const port = parentPort
if (!port) throw new Error('planThread runs in a worker thread')

port.on('message', ({ id, input, options }: { id: number; input: PlanInput; options?: PlanOptions }) => {
  try {
    port.postMessage({ id, plan: planRemaining(input, options ?? {}) })
  } catch (err) {
    port.postMessage({ id, error: err instanceof Error ? err.message : String(err) })
  }
})
port.postMessage({ ready: true })
