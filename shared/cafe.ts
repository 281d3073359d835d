import { z } from 'zod'
import {
  DEFAULT_ROUND_MS, DEFAULT_TRANSITION_MS, MAX_DESCRIPTION_CHARS, MAX_QUESTIONS, MAX_QUESTION_CHARS,
  MAX_ROUNDS, MAX_ROUND_MS, MAX_TABLES, MAX_TABLE_CAPACITY, MAX_TITLE_CHARS, MIN_ROUND_MS,
} from './constants'

export const LANGUAGES = ['fr', 'en'] as const
export type Language = (typeof LANGUAGES)[number]

/** "classic": one question per round, the same at every table. "table-question": each table keeps its
 * own question and groups visit the tables in turn. "custom": the round plan is given explicitly. */
export const CAFE_SHAPES = ['classic', 'table-question', 'custom'] as const
export type CafeShape = (typeof CAFE_SHAPES)[number]

/** What happens when the next round is due after a move: start by itself, or wait for the facilitator. */
export const ADVANCE_MODES = ['auto', 'manual'] as const
export type AdvanceMode = (typeof ADVANCE_MODES)[number]

/** Where the tables talk: in a room (people sit face to face), online (every table has an audio call,
 * docs/calls.md) or hybrid (the tables marked `online` have one). Records from before it: a room. */
export const VENUES = ['room', 'online', 'hybrid'] as const
export type Venue = (typeof VENUES)[number]

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lowercase letters, digits and dashes, 1 to 32')
const text = (max: number) => z.string().trim().min(1, 'required').max(max, `at most ${max} characters`)

export const tableInputSchema = z.object({
  id: id.optional(),
  name: text(80),
  capacity: z.number().int().min(1).max(MAX_TABLE_CAPACITY).default(8),
  /** Only with venue "hybrid": this table meets in an online call. */
  online: z.boolean().optional(),
})
export const questionInputSchema = z.object({
  id: id.optional(),
  text: text(MAX_QUESTION_CHARS),
})
export const roundInputSchema = z.object({
  /** table id -> question id */
  questionByTable: z.record(z.string(), z.string()),
  durationMinutes: z.number().min(MIN_ROUND_MS / 60_000).max(MAX_ROUND_MS / 60_000).optional(),
})

/** The café definition as scripts and the wizard send it (`POST /api/cafes`). */
export const cafeInputSchema = z
  .object({
    title: text(MAX_TITLE_CHARS),
    date: z.iso.date().optional(),
    place: z.string().trim().max(MAX_TITLE_CHARS).default(''),
    description: z.string().trim().max(MAX_DESCRIPTION_CHARS).default(''),
    language: z.enum(LANGUAGES).default('fr'),
    tables: z.array(tableInputSchema).min(1, 'at least one table').max(MAX_TABLES),
    questions: z.array(questionInputSchema).min(1, 'at least one question').max(MAX_QUESTIONS),
    shape: z.enum(CAFE_SHAPES).default('classic'),
    roundMinutes: z.number().min(MIN_ROUND_MS / 60_000).max(MAX_ROUND_MS / 60_000).default(DEFAULT_ROUND_MS / 60_000),
    /** Only for "table-question": how many rounds; defaults to one per table. */
    roundCount: z.number().int().min(1).max(MAX_ROUNDS).optional(),
    /** Only for "custom". */
    rounds: z.array(roundInputSchema).min(1).max(MAX_ROUNDS).optional(),
    transitionSeconds: z.number().int().min(0).max(30 * 60).default(DEFAULT_TRANSITION_MS / 1000),
    advance: z.enum(ADVANCE_MODES).default('auto'),
    venue: z.enum(VENUES).default('room'),
  })
  .strict()
export type CafeInput = z.input<typeof cafeInputSchema>

export interface Table {
  id: string
  name: string
  capacity: number
  /** Hybrid cafés only: this table meets in an online call (absent: in the room). */
  online?: boolean
}
export interface Question { id: string; text: string }
export interface RoundPlan { questionByTable: Record<string, string>; durationMs: number }

/** The normalized café definition the server stores: every id assigned, the round plan explicit. */
export interface CafeDefinition {
  title: string
  date: string | null
  place: string
  description: string
  language: Language
  shape: CafeShape
  tables: Table[]
  questions: Question[]
  rounds: RoundPlan[]
  transitionMs: number
  advance: AdvanceMode
  /** Absent in records from before online cafés: read as 'room' (`venueOf`). */
  venue?: Venue
}

export const venueOf = (def: Pick<CafeDefinition, 'venue'>): Venue => def.venue ?? 'room'

/** Does this table meet in an online call (an online café, or a hybrid café's online table)? */
export function isOnlineTable(def: Pick<CafeDefinition, 'venue' | 'tables'>, tableId: string): boolean {
  const venue = venueOf(def)
  if (venue === 'room') return false
  const table = def.tables.find((t) => t.id === tableId)
  return table !== undefined && (venue === 'online' || table.online === true)
}

export type FieldErrors = Record<string, string>
export type ParseResult<T> = { ok: true; value: T } | { ok: false; fields: FieldErrors }

export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {}
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '(root)'
    fields[key] ??= issue.message
  }
  return fields
}

/** Classic shape: round i discusses question i at every table. */
export function classicPlan(tables: Table[], questions: Question[], durationMs: number): RoundPlan[] {
  return questions.map((q) => ({
    questionByTable: Object.fromEntries(tables.map((t) => [t.id, q.id])),
    durationMs,
  }))
}

/** Each table keeps its own question (table i gets question i, cycling) for `roundCount` rounds. */
export function tableQuestionPlan(tables: Table[], questions: Question[], durationMs: number, roundCount = tables.length): RoundPlan[] {
  const questionByTable = Object.fromEntries(tables.map((t, i) => [t.id, questions[i % questions.length]!.id]))
  return Array.from({ length: roundCount }, () => ({ questionByTable: { ...questionByTable }, durationMs }))
}

/** Validates a café definition from outside and normalizes it. Never throws. */
export function parseCafeInput(input: unknown): ParseResult<CafeDefinition> {
  const parsed = cafeInputSchema.safeParse(input)
  if (!parsed.success) return { ok: false, fields: zodFieldErrors(parsed.error) }
  const v = parsed.data
  const fields: FieldErrors = {}
  const tables: Table[] = v.tables.map((t, i) => ({
    id: t.id ?? `t${i + 1}`, name: t.name, capacity: t.capacity, ...(t.online && v.venue === 'hybrid' ? { online: true } : {}),
  }))
  v.tables.forEach((t, i) => { if (t.online !== undefined && v.venue !== 'hybrid') fields[`tables.${i}.online`] = 'only allowed with venue "hybrid"' })
  const questions: Question[] = v.questions.map((q, i) => ({ id: q.id ?? `q${i + 1}`, text: q.text }))
  reportDuplicates(tables.map((t) => t.id), 'tables', fields)
  reportDuplicates(questions.map((q) => q.id), 'questions', fields)
  const durationMs = Math.round(v.roundMinutes * 60_000)

  let rounds: RoundPlan[] = []
  if (v.shape === 'classic') {
    if (v.rounds) fields.rounds = 'only allowed with shape "custom"'
    rounds = classicPlan(tables, questions, durationMs)
  } else if (v.shape === 'table-question') {
    if (v.rounds) fields.rounds = 'only allowed with shape "custom"'
    if (questions.length > tables.length) fields.questions = 'with shape "table-question" there can be no more questions than tables'
    rounds = tableQuestionPlan(tables, questions, durationMs, v.roundCount ?? tables.length)
  } else {
    if (!v.rounds) fields.rounds = 'required with shape "custom"'
    const tableIds = new Set(tables.map((t) => t.id))
    const questionIds = new Set(questions.map((q) => q.id))
    rounds = (v.rounds ?? []).map((r, i) => {
      for (const t of tableIds) if (!(t in r.questionByTable)) fields[`rounds.${i}.questionByTable.${t}`] ??= 'every table needs a question'
      for (const [t, q] of Object.entries(r.questionByTable)) {
        if (!tableIds.has(t)) fields[`rounds.${i}.questionByTable.${t}`] = 'unknown table'
        else if (!questionIds.has(q)) fields[`rounds.${i}.questionByTable.${t}`] = `unknown question "${q}"`
      }
      return { questionByTable: r.questionByTable, durationMs: r.durationMinutes ? Math.round(r.durationMinutes * 60_000) : durationMs }
    })
  }
  if (v.roundCount !== undefined && v.shape !== 'table-question') fields.roundCount = 'only allowed with shape "table-question"'
  if (Object.keys(fields).length > 0) return { ok: false, fields }
  return {
    ok: true,
    value: {
      title: v.title, date: v.date ?? null, place: v.place, description: v.description, language: v.language,
      shape: v.shape, tables, questions, rounds, transitionMs: v.transitionSeconds * 1000, advance: v.advance,
      // A room café's definition stays as it always was (records, archives and exports unchanged).
      ...(v.venue !== 'room' ? { venue: v.venue } : {}),
    },
  }
}

function reportDuplicates(ids: string[], field: string, fields: FieldErrors): void {
  const seen = new Set<string>()
  ids.forEach((value, i) => {
    if (seen.has(value)) fields[`${field}.${i}.id`] = `duplicate id "${value}"`
    seen.add(value)
  })
}

/** The question a table discusses in a round (1-based), or undefined outside the plan. */
export function questionAt(def: CafeDefinition, round: number, tableId: string): string | undefined {
  return def.rounds[round - 1]?.questionByTable[tableId]
}

/** The question a table discusses in a round (1-based), or undefined outside the plan. */
export function questionOf(def: CafeDefinition, round: number, tableId: string): Question | undefined {
  const id = questionAt(def, round, tableId)
  return id === undefined ? undefined : def.questions.find((q) => q.id === id)
}

/** Every (table, question) pair that has a tablecloth in this café. */
export function tableclothKeys(def: CafeDefinition): Array<{ tableId: string; questionId: string }> {
  const seen = new Map<string, { tableId: string; questionId: string }>()
  for (const r of def.rounds) {
    for (const [tableId, questionId] of Object.entries(r.questionByTable)) seen.set(`${tableId}.${questionId}`, { tableId, questionId })
  }
  return [...seen.values()]
}

/** The input that `parseCafeInput` turns back into this very definition (templates, archives). */
export function definitionToInput(def: CafeDefinition): CafeInput {
  const firstMs = def.rounds[0]?.durationMs ?? 20 * 60_000
  const sameDuration = def.rounds.every((r) => r.durationMs === firstMs)
  const base = {
    title: def.title, place: def.place, description: def.description, language: def.language,
    tables: def.tables.map((t) => ({ id: t.id, name: t.name, capacity: t.capacity, ...(t.online && def.venue === 'hybrid' ? { online: true } : {}) })),
    questions: def.questions.map((q) => ({ id: q.id, text: q.text })),
    roundMinutes: firstMs / 60_000, transitionSeconds: def.transitionMs / 1000, advance: def.advance,
    ...(venueOf(def) !== 'room' ? { venue: venueOf(def) } : {}),
    ...(def.date ? { date: def.date } : {}),
  }
  const plan = (shape: 'classic' | 'table-question') =>
    JSON.stringify(shape === 'classic'
      ? classicPlan(def.tables, def.questions, firstMs)
      : tableQuestionPlan(def.tables, def.questions, firstMs, def.rounds.length)) === JSON.stringify(def.rounds)
  if (sameDuration && def.shape === 'classic' && plan('classic')) return { ...base, shape: 'classic' }
  if (sameDuration && def.shape === 'table-question' && plan('table-question')) return { ...base, shape: 'table-question', roundCount: def.rounds.length }
  return { ...base, shape: 'custom', rounds: def.rounds.map((r) => ({ questionByTable: { ...r.questionByTable }, durationMinutes: r.durationMs / 60_000 })) }
}
