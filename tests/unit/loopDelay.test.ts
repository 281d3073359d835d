/** /healthz's event-loop figures: a stall shows in the last window, then leaves it; the total keeps it. */
import { afterEach, expect, it } from 'vitest'
import { LoopDelay } from '../../server/loopDelay'
import { eventually } from '../helpers/eventually'

let d: LoopDelay | null = null
afterEach(() => d?.stop())

const block = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* the loop is held */ } }

it('shows a stall in the recent window, then forgets it there but not in the total', async () => {
  d = new LoopDelay(400)
  await new Promise((r) => setTimeout(r, 30))
  block(200)
  await eventually(() => expect(d!.recent().maxMs).toBeGreaterThanOrEqual(150), { timeoutMs: 2000 })
  // Two windows later, with the loop free all along, the recent figure is calm again.
  await eventually(() => expect(d!.recent().maxMs).toBeLessThan(100), { timeoutMs: 3000 })
  expect(d.total().maxMs).toBeGreaterThanOrEqual(150)
})
