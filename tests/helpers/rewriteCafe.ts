/**
 * A café ready for "Rewrite with the model": one round played by four named people from four
 * organisations at two tables with telling names, their notes filed by the harvest into themes of
 * question 1 ("Les freins": three ideas, one with a near-duplicate merged into it, one a key point;
 * "Les acteurs": one idea; "Thème vide": none).
 */
import type * as Y from 'yjs'
import type { Contribution } from '../../shared/contributions'
import { addTheme, harvestDocName, mergeContribution, placeContributions, questionSection, readHarvest, setKeyPoint } from '../../shared/harvest'
import { addNote } from '../../shared/tablecloth'
import { eventually } from './eventually'
import type { CreatedCafe, TestServer } from './server'
import { connect, createCafe, joinCafe, openTablecloth, request } from './server'

export const PEOPLE = [
  { name: 'Amélie Dufrasne', organisation: 'AMO Rixensart', sector: 'Aide à la jeunesse', note: 'Le manque de temps pour se rencontrer' },
  { name: 'Bruno Vanderkelen', organisation: 'Athénée de Wavre', sector: 'Enseignement', note: 'Mutualiser les ressources' },
  { name: 'Chloé Marchal', organisation: 'CPAS de Jodoigne', sector: 'Action sociale', note: 'Pas assez de temps' },
  { name: 'Driss Benali', organisation: 'Maison médicale du Centre', sector: 'Santé', note: 'Une meilleure connaissance des partenaires' },
] as const
export const OTHER_THEME_NOTE = 'Les éducateurs de rue'
export const TABLE_NAMES = ['Table des Glycines', 'Table des Lilas'] as const
export const CAFE_TITLE = 'Café Réseau Wavre'

export interface RewriteCafe {
  cafe: CreatedCafe
  /** Contribution key by its text. */
  keyOf: Record<string, string>
  themes: { freins: string; acteurs: string; empty: string }
  questionId: string
  /** The harvest document, open as the facilitator (destroy it at the end). */
  harvest: Awaited<ReturnType<typeof openTablecloth>>
}

export async function rewriteCafe(t: TestServer): Promise<RewriteCafe> {
  const cafe = await createCafe(t.url, {
    title: CAFE_TITLE, place: 'Wavre', language: 'fr', shape: 'classic', roundMinutes: 10, advance: 'manual',
    tables: TABLE_NAMES.map((name) => ({ name, capacity: 4 })),
    questions: [{ text: 'Le travail en réseau. Pour quoi faire ?' }, { text: 'Le travail en réseau. Avec qui ?' }],
  })
  const joined = []
  for (const p of PEOPLE) joined.push({ ...(await joinCafe(t.url, cafe.joinCode, p.name, { organisation: p.organisation, sector: p.sector })), name: p.name })
  const { socket } = await connect(t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
  if (!(await request(socket, 'cafe:open')).ok || !(await request(socket, 'round:start')).ok) throw new Error('the café did not start')
  socket.close()

  // Each person writes on their table's tablecloth of round 1 (a classic café: question 1 everywhere).
  const runtime = t.server.registry.get(cafe.id)!
  const texts = [...PEOPLE.map((p) => p.note), OTHER_THEME_NOTE]
  const open = []
  for (const [i, text] of texts.entries()) {
    const who = joined[i % joined.length]!
    const tableId = runtime.record.seating[who.participantId]!
    const questionId = runtime.definition.rounds[0]!.questionByTable[tableId]!
    const tc = await openTablecloth(t.wsUrl, `${cafe.id}.${tableId}.${questionId}`, { participantToken: who.participantToken })
    addNote(tc.doc, { author: who.participantId, authorName: who.name, round: 1, now: Date.now() }, { text, x: 20, y: 20 + 120 * i })
    open.push(tc)
  }
  const all = await eventually(async () => {
    const res = await fetch(`${t.url}/api/cafes/${cafe.id}/contributions`, { headers: { authorization: `Bearer ${cafe.facilitatorKey}` } })
    const list = ((await res.json()) as { contributions: Contribution[] }).contributions
    if (list.length < texts.length) throw new Error(`${list.length} contributions so far`)
    return list
  }, { timeoutMs: 10_000 })
  for (const tc of open) tc.destroy()
  const keyOf = Object.fromEntries(all.map((c) => [c.text, c.key]))
  const questionId = all[0]!.questionId

  const harvest = await openTablecloth(t.wsUrl, harvestDocName(cafe.id), { facilitatorKey: cafe.facilitatorKey })
  const section = questionSection(questionId)
  const freins = addTheme(harvest.doc, section, 'Les freins')
  const acteurs = addTheme(harvest.doc, section, 'Les acteurs')
  const empty = addTheme(harvest.doc, section, 'Thème vide')
  placeContributions(harvest.doc, PEOPLE.map((p) => keyOf[p.note]!), freins)
  placeContributions(harvest.doc, [keyOf[OTHER_THEME_NOTE]!], acteurs)
  mergeContribution(harvest.doc, keyOf[PEOPLE[2].note]!, keyOf[PEOPLE[0].note]!)
  setKeyPoint(harvest.doc, keyOf[PEOPLE[3].note]!, true)
  await serverHas(t, cafe.id, (doc) => {
    const h = readHarvest(doc)
    return h.themes.length === 3 && h.keyPoints.length === 1 && Object.keys(h.merges).length === 1
  })
  return { cafe, keyOf, themes: { freins, acteurs, empty }, questionId, harvest }
}

/** Waits until the server's copy of the café's harvest document passes `check`. */
export async function serverHas(t: TestServer, cafeId: string, check: (doc: Y.Doc) => boolean): Promise<void> {
  await eventually(() => {
    if (!t.server.tablecloths.readDoc(harvestDocName(cafeId), check)) throw new Error('the server has not got it yet')
  }, { timeoutMs: 5000 })
}
