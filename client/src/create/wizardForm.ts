/** The wizard's form: its templates, and its translation to and from the server's `CafeInput`. */
import type { CafeInput, CafeShape, Language, Venue } from '../../../shared/cafe'

export interface Form {
  title: string; date: string; place: string; description: string; language: Language
  /** `online`: a hybrid café's table that meets in a call. */
  tables: Array<{ name: string; capacity: number; online?: boolean }>
  questions: string[]
  shape: CafeShape
  roundMinutes: number; transitionSeconds: number; advance: 'auto' | 'manual'
  /** "table-question" only: the rounds the facilitator chose, or null for one round per table (they follow the tables). */
  roundCount: number | null
  /** custom plan: plan[round][tableIndex] = question index */
  plan: number[][]
  /** In the room, online (every table has a call) or hybrid (the tables marked online). */
  venue: Venue
}

export const tablesOf = (n: number, capacity = 6) => Array.from({ length: n }, (_, i) => ({ name: `Table ${i + 1}`, capacity }))

export function templates(t: (k: string) => string, language: Language): Array<{ id: string; name: string; form: Form }> {
  const base = { title: '', date: '', place: '', description: '', language, transitionSeconds: 60, advance: 'auto' as const, plan: [], roundCount: null, venue: 'room' as const }
  return [
    { id: 'classic', name: t('wizard.templateClassic'), form: { ...base, tables: tablesOf(5), questions: ['', '', ''], shape: 'classic', roundMinutes: 20 } },
    { id: 'table-question', name: t('wizard.templateTableQuestion'), form: { ...base, tables: tablesOf(2, 10), questions: ['', ''], shape: 'table-question', roundMinutes: 25 } },
  ]
}

/** How many rounds the café will have, as the server will count them. */
export function roundsFor(f: Form): number {
  switch (f.shape) {
    case 'classic': return f.questions.length
    case 'table-question': return f.roundCount ?? f.tables.length
    case 'custom': return f.plan.length
    default: {
      const never: never = f.shape
      return never
    }
  }
}

export function toInput(f: Form): CafeInput {
  const tables = f.tables.map((x, i) => ({
    id: `t${i + 1}`, name: x.name.trim() || `Table ${i + 1}`, capacity: x.capacity, ...(f.venue === 'hybrid' && x.online ? { online: true } : {}),
  }))
  const questions = f.questions.map((q, i) => ({ id: `q${i + 1}`, text: q }))
  const input: CafeInput = {
    title: f.title, place: f.place, description: f.description, language: f.language, tables, questions, shape: f.shape,
    roundMinutes: f.roundMinutes, transitionSeconds: f.transitionSeconds, advance: f.advance,
  }
  if (f.date) input.date = f.date
  if (f.venue !== 'room') input.venue = f.venue
  if (f.shape === 'table-question') input.roundCount = roundsFor(f)
  if (f.shape === 'custom') input.rounds = f.plan.map((row) => ({ questionByTable: Object.fromEntries(tables.map((tb, i) => [tb.id, `q${(row[i] ?? 0) + 1}`])) }))
  return input
}

export function fromInput(input: Record<string, unknown>): Form | null {
  const i = input as Partial<CafeInput>
  if (!Array.isArray(i.tables) || !Array.isArray(i.questions)) return null
  // A saved count equal to the tables' is "one round per table": it follows the tables again.
  const roundCount = i.roundCount !== undefined && i.roundCount !== i.tables.length ? i.roundCount : null
  return {
    title: String(i.title ?? ''), date: String(i.date ?? ''), place: String(i.place ?? ''), description: String(i.description ?? ''),
    language: i.language === 'en' ? 'en' : 'fr', tables: i.tables.map((x) => ({ name: x.name, capacity: x.capacity ?? 6, ...(x.online ? { online: true } : {}) })),
    questions: i.questions.map((q) => q.text), shape: i.shape ?? 'classic', roundMinutes: i.roundMinutes ?? 20,
    roundCount, transitionSeconds: i.transitionSeconds ?? 60, advance: i.advance ?? 'auto', venue: i.venue ?? 'room',
    plan: (i.rounds ?? []).map((r) => i.tables!.map((tb, ti) => {
      const qid = r.questionByTable[tb.id ?? `t${ti + 1}`]
      return Math.max(0, i.questions!.findIndex((q, qi) => (q.id ?? `q${qi + 1}`) === qid))
    })),
  }
}
