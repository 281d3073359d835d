import type { CafeDefinition, Question } from '../../../../shared/cafe'
import { questionAt } from '../../../../shared/cafe'

/** The questions asked at the tables in a round, each once, in the café's order. */
export function roundQuestions(def: CafeDefinition, round: number): Question[] {
  const ids = new Set(def.tables.map((tb) => questionAt(def, round, tb.id)).filter(Boolean))
  return def.questions.filter((q) => ids.has(q.id))
}

/** A size step for a question's text, so that a long one still fits where a short one is shown large. */
export function lengthClass(text: string): '' | ' medium' | ' long' {
  return text.length > 160 ? ' long' : text.length > 90 ? ' medium' : ''
}
