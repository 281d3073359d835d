/**
 * How long each export takes for a big café (40 tables, 4 questions, 4 rounds, 15 notes per tablecloth,
 * 500 people), and the longest stall of the event loop while the PDF and the zip are made
 * (`npm run bench:exports`; not a test).
 */
import { exportCafe } from '../server/export/exporter'
import { parseCafeInput } from '../shared/cafe'
import type { CafeData } from '../server/export/cafeData'
const def = parseCafeInput({ title: 'Grand café', language: 'fr', shape: 'classic', tables: Array.from({ length: 40 }, (_, i) => ({ name: `Table ${i + 1}` })), questions: [{ text: 'Pour quoi faire ?' }, { text: 'Avec qui ?' }, { text: 'Comment ?' }, { text: 'Et après ?' }] })
if (!def.ok) throw new Error('def')
const words = 'temps argent partenaires réseau jeunes parents école confiance projet rencontre soutien motivation'.split(' ')
let n = 0
const tablecloths = def.value.rounds.flatMap((r, ri) => Object.entries(r.questionByTable).map(([tableId, questionId]) => ({ tableId, questionId, items: Array.from({ length: 15 }, (_, i) => ({ id: `i${n++}`, kind: 'note' as const, author: `p${(n % 500)}`, authorName: `Personne ${n % 500}`, round: ri + 1, createdAt: 1e12 + n, x: (i % 5) * 210, y: Math.floor(i / 5) * 160, color: '#fef08a', stars: [], votes: 0, votesBy: {}, text: `${words[n % 12]} et ${words[(n * 7) % 12]} : une idée numéro ${n}` })) })))
const data: CafeData = { definition: def.value, phase: 'harvest', createdAt: 1e12, participants: Array.from({ length: 500 }, (_, i) => ({ id: `p${i}`, displayName: `P${i}`, organisation: `Org ${i % 60}`, sector: ['école', 'santé', 'social'][i % 3]!, hostOf: null, joinedAt: i, leftAt: null })), history: [], tablecloths, snapshots: tablecloths.map((t, i) => ({ ...t, round: Math.floor(i / 40) + 1, takenAt: 1 })), harvest: { sections: [], themes: [], placements: {}, keyPoints: [], merges: {}, dismissed: [], questionImages: {} }, synthesisParts: [] }
console.log('notes', n)
for (const f of ['md', 'csv', 'json', 'docx'] as const) {
  const t0 = performance.now()
  const file = await exportCafe(f, data)
  console.log(f, Math.round(performance.now() - t0), 'ms', Math.round(file.body.length / 1024), 'KB')
}
let last = performance.now(), worst = 0
const mon = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last); last = now }, 5)
for (const f of ['pdf', 'zip'] as const) {
  worst = 0; last = performance.now()
  const t0 = performance.now()
  await exportCafe(f, data)
  console.log(f, Math.round(performance.now() - t0), 'ms; longest event-loop stall', Math.round(worst), 'ms')
}
clearInterval(mon)
