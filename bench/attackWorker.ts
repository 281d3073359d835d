/**
 * The attacker process of the attack benchmark (bench/attack.ts): prepares one attack, runs it on
 * `go` for its window, waits for what it still has in flight (up to the grace), and reports what it got.
 * A process of its own, so that its work does not pass for the canaries' latency.
 */
import type { AttackName, AttackerConfig, FromAttacker, Tally, ToAttacker } from './attackList'
import { count } from './attackList'
import { exportFlood, importFlood, profileBurst, wrongCodes } from './attackHttp'
import type { Prepare } from './attackYjs'
import { awarenessFlood, hostileEdits, notesFrames, oversizeFrames, step1Flood, yjs500 } from './attackYjs'

const PREPARE: Record<AttackName, Prepare> = {
  'notes-frames': notesFrames,
  'oversize-frames': oversizeFrames,
  'hostile-edits': hostileEdits,
  'step1-flood': step1Flood,
  'awareness-flood': awarenessFlood,
  'profile-burst': profileBurst,
  'yjs-500-conns': yjs500,
  'wrong-codes': wrongCodes,
  'import-flood': importFlood,
  'export-flood': exportFlood,
}

process.setMaxListeners(0)
const cfg = JSON.parse(process.argv[2]!) as AttackerConfig
const tell = (m: FromAttacker) => process.send!(m)
const tally: Tally = {}
const run = await PREPARE[cfg.attack](cfg, tally)
tell({ type: 'ready' })

process.once('message', async (m: ToAttacker) => {
  if (m.type !== 'go') return
  const cpu = process.cpuUsage()
  const started = Date.now()
  const end = started + cfg.windowMs
  const finished = run(() => Date.now() < end).then(
    () => true,
    (err: unknown) => { count(tally, `attacker error: ${(err as Error).message}`); return true },
  )
  const inTime = await Promise.race([finished, new Promise<false>((r) => setTimeout(() => r(false), cfg.windowMs + cfg.graceMs))])
  if (!inTime) count(tally, 'still in flight after the grace')
  const used = process.cpuUsage(cpu)
  tell({ type: 'done', tally, cpuMs: Math.round((used.user + used.system) / 1000), wallMs: Date.now() - started })
  setTimeout(() => process.exit(0), 100)
})
