/** The wizard's form: in "each table its own question", the rounds follow the tables unless the facilitator chose a number. */
import { describe, expect, it } from 'vitest'
import { parseCafeInput } from '../../shared/cafe'
import { fromInput, roundsFor, templates, toInput } from '../../client/src/create/wizardForm'
import type { Form } from '../../client/src/create/wizardForm'

const tableQuestion = (): Form => ({ ...templates((k) => k, 'fr')[1]!.form, title: 'Café des parents', questions: ['Q1', 'Q2'] })
const withThree = (f: Form): Form => ({ ...f, questions: [...f.questions, 'Q3'], tables: [...f.tables, { name: 'Table 3', capacity: 10 }] })

describe('the wizard\'s rounds', () => {
  it('a third question and table make a third round, and the server agrees', () => {
    const f = withThree(tableQuestion())
    expect(roundsFor(f)).toBe(3)
    const parsed = parseCafeInput(toInput(f))
    expect(parsed.ok && parsed.value.rounds.length).toBe(3)
  })

  it('a number the facilitator chose stays, and goes to the server', () => {
    const f = withThree({ ...tableQuestion(), roundCount: 2 })
    expect(roundsFor(f)).toBe(2)
    expect(toInput(f).roundCount).toBe(2)
  })

  it('a saved template with one round per table follows the tables again; another count stays', () => {
    const saved = toInput(tableQuestion()) as unknown as Record<string, unknown>
    expect(fromInput(saved)!.roundCount).toBeNull()
    expect(fromInput({ ...saved, roundCount: 4 })!.roundCount).toBe(4)
    expect(roundsFor(withThree(fromInput(saved)!))).toBe(3)
  })

  it('classic: one round per question', () => {
    const f = templates((k) => k, 'fr')[0]!.form
    expect(roundsFor({ ...f, questions: ['a', 'b', 'c', 'd'] })).toBe(4)
  })
})
