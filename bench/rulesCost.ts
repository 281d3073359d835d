/**
 * What the rules cost per update, beside what applying it costs: the updates a table really sends
 * (a note typed letter by letter, moves, stars, strokes), on tablecloths already holding an hour of
 * writing, checked with `checkUpdate` then applied, as the server does. One process, no network: the
 * figure the load benchmark's CPU column should move by.
 *
 *   npx tsx bench/rulesCost.ts [--updates 20000]
 */
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { addNote, addStroke, itemsMap, moveItem, setItemText, toggleStar } from '../shared/tablecloth'
import type { RuleContext } from '../shared/tableclothRules'
import { CLIENTS_ROOT, checkUpdate } from '../shared/tableclothRules'
import { warmUpUpdatePath } from '../server/yjs/warmUp'

const { values: args } = parseArgs({ options: { updates: { type: 'string', default: '20000' } } })
const UPDATES = Number(args.updates)
const PEOPLE = 8
const REPEATS = 7

/** A table's tablecloth after an hour (as docs/protocol.md measures it), and each person's own copy. */
function table(now: number) {
  const server = new Y.Doc()
  const people = Array.from({ length: PEOPLE }, (_, i) => ({ doc: new Y.Doc(), who: { author: `p${i}`, authorName: `Personne ${i}`, round: 1, now }, notes: [] as string[] }))
  for (const p of people) {
    for (let n = 0; n < 20; n++) p.notes.push(addNote(p.doc, p.who, { text: `idée ${n} de ${p.who.authorName}, assez longue pour une vraie note`, x: n * 30, y: n * 20 }))
    for (let k = 0; k < 5; k++) addStroke(p.doc, p.who, { points: Array.from({ length: 450 }, (_, j) => j * 1.5), x: k, y: k })
    Y.applyUpdate(server, Y.encodeStateAsUpdate(p.doc))
  }
  for (const p of people) Y.applyUpdate(p.doc, Y.encodeStateAsUpdate(server))
  return { server, people }
}

/** The next update person `p` sends: mostly typing, then moves and stars, now and then a stroke or a note. */
function nextUpdate(p: ReturnType<typeof table>['people'][number], k: number, others: string[]): Uint8Array {
  const sv = Y.encodeStateVector(p.doc)
  const mine = p.notes[k % p.notes.length]!
  const r = k % 20
  if (r < 12) setItemText(p.doc, mine, `${itemsMap(p.doc).get(mine)!.get('text')!.toString()}${'abcdefghij'[k % 10]}`)
  else if (r < 16) moveItem(p.doc, mine, (k * 7) % 900, (k * 3) % 600)
  else if (r < 18) toggleStar(p.doc, others[k % others.length]!, p.who.author)
  // New items go to later rounds as the hour goes on (a person adds at most 300 items in a round).
  else if (r < 19) addStroke(p.doc, { ...p.who, round: 1 + Math.floor(k / 4000) }, { points: Array.from({ length: 150 }, (_, j) => j + 0.5), x: 1, y: 1 })
  else p.notes.push(addNote(p.doc, { ...p.who, round: 1 + Math.floor(k / 4000) }, { text: 'nouvelle', x: 5, y: 5 }))
  return Y.encodeStateAsUpdate(p.doc, sv)
}

/** CPU time of this process in µs (less sensitive than wall time to a busy machine). */
const cpuUs = () => { const u = process.cpuUsage(); return u.user + u.system }

function run(): { checkUs: number; applyUs: number; refused: Record<string, number> } {
  const now = Date.now()
  const { server, people } = table(now)
  const all = people.flatMap((p) => p.notes)
  // Updates are made first: only the server's side is timed.
  const updates = Array.from({ length: UPDATES }, (_, k) => ({ p: people[k % PEOPLE]!, u: nextUpdate(people[k % PEOPLE]!, k, all) }))
  const refused: Record<string, number> = {}
  // As the server does: each writer's client id is bound to them once.
  server.transact(() => { for (const p of people) server.getMap(CLIENTS_ROOT).set(String(p.doc.clientID), p.who.author) })
  let checkUs = 0
  let applyUs = 0
  for (const { p, u } of updates) {
    const ctx: RuleContext = { writer: { role: 'participant', id: p.who.author, name: p.who.authorName }, now, docBytes: 0, mayCreate: () => true, mayEdit: () => true, mayReact: () => true }
    const t0 = cpuUs()
    const verdict = checkUpdate(server, u, ctx)
    const t1 = cpuUs()
    if (!verdict.ok) { refused[verdict.reason] = (refused[verdict.reason] ?? 0) + 1; continue }
    Y.applyUpdate(server, u)
    applyUs += cpuUs() - t1
    checkUs += t1 - t0
  }
  return { checkUs: checkUs / UPDATES, applyUs: applyUs / UPDATES, refused }
}

warmUpUpdatePath()
run() // JIT warm-up of this very workload
const rows = Array.from({ length: REPEATS }, () => {
  const r = run()
  if (Object.keys(r.refused).length) console.error(`refused ${JSON.stringify(r.refused)}: the workload is wrong`)
  return r
})
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const apply = median(rows.map((r) => r.applyUs))
const check = median(rows.map((r) => r.checkUs))
console.log(`${UPDATES} updates of an hour at a table (typing, moves, stars, strokes, notes), CPU time, median of ${REPEATS} runs:`)
console.log(`  applying (Yjs)          ${apply.toFixed(1)} µs per update`)
console.log(`  checking (the rules)    ${check.toFixed(1)} µs per update (${Math.round((check / apply) * 100)} % of applying)`)
console.log(`RESULT ${JSON.stringify({ updates: UPDATES, applyUs: Number(apply.toFixed(1)), checkUs: Number(check.toFixed(1)) })}`)
