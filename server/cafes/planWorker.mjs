// The rotation planner's thread (see PlanService.ts). Plain JavaScript so that it starts the same way under
// `tsx` and under the test runner; it loads the TypeScript planner through tsx's loader.
import { parentPort } from 'node:worker_threads'
import { tsImport } from 'tsx/esm/api'

const { planRemaining } = await tsImport('../../shared/planner/index.ts', import.meta.url)

parentPort.on('message', (message) => {
  const { id, input, options } = message
  try {
    parentPort.postMessage({ id, plan: planRemaining(input, options ?? {}) })
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) })
  }
})
parentPort.postMessage({ ready: true })
