import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { definitionToInput, parseCafeInput, questionAt, tableclothKeys } from '../../shared/cafe'

const base = {
  title: 'World Café',
  tables: [{ name: 'Table 1' }, { name: 'Table 2' }],
  questions: [{ text: 'Pour quoi faire ?' }, { text: 'Avec qui ?' }],
}

describe('café definition', () => {
  it('classic shape: one question per round, the same at every table', () => {
    const r = parseCafeInput({ ...base, shape: 'classic', roundMinutes: 15 })
    if (!r.ok) throw new Error(JSON.stringify(r.fields))
    expect(r.value.rounds).toEqual([
      { questionByTable: { t1: 'q1', t2: 'q1' }, durationMs: 15 * 60_000 },
      { questionByTable: { t1: 'q2', t2: 'q2' }, durationMs: 15 * 60_000 },
    ])
    expect(r.value.language).toBe('fr')
    expect(r.value.advance).toBe('auto')
  })

  it('"each table its own question": tables keep their question, one round per table by default', () => {
    const r = parseCafeInput({ ...base, shape: 'table-question' })
    if (!r.ok) throw new Error(JSON.stringify(r.fields))
    expect(r.value.rounds.map((x) => x.questionByTable)).toEqual([{ t1: 'q1', t2: 'q2' }, { t1: 'q1', t2: 'q2' }])
    expect(questionAt(r.value, 2, 't2')).toBe('q2')
    expect(questionAt(r.value, 3, 't2')).toBeUndefined()
    expect(tableclothKeys(r.value)).toEqual([{ tableId: 't1', questionId: 'q1' }, { tableId: 't2', questionId: 'q2' }])
  })

  it('custom plans are checked against the tables and questions', () => {
    const bad = parseCafeInput({ ...base, shape: 'custom', rounds: [{ questionByTable: { t1: 'q1', t9: 'q2' } }, { questionByTable: { t1: 'q7', t2: 'q1' } }] })
    expect(bad.ok).toBe(false)
    if (bad.ok) return
    expect(bad.fields).toMatchObject({
      'rounds.0.questionByTable.t2': 'every table needs a question',
      'rounds.0.questionByTable.t9': 'unknown table',
      'rounds.1.questionByTable.t1': 'unknown question "q7"',
    })
  })

  it('reports every field error at once', () => {
    const r = parseCafeInput({ title: '', language: 'de', tables: [], questions: [{ text: 'x' }], roundMinutes: -3, extra: 1 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(Object.keys(r.fields).sort()).toEqual(['(root)', 'language', 'roundMinutes', 'tables', 'title'].sort())
    expect(parseCafeInput('not an object').ok).toBe(false)
    expect(parseCafeInput({ ...base, tables: [{ id: 'a', name: 'A' }, { id: 'a', name: 'B' }] })).toMatchObject({ ok: false, fields: { 'tables.1.id': 'duplicate id "a"' } })
  })

  it('turns a definition back into an input that gives the same definition, for every shape', () => {
    const inputs = [
      { ...base, shape: 'classic', roundMinutes: 12, date: '2026-03-01', advance: 'manual' },
      { ...base, shape: 'table-question', roundCount: 3, transitionSeconds: 0 },
      { ...base, shape: 'custom', rounds: [{ questionByTable: { t1: 'q2', t2: 'q1' }, durationMinutes: 7 }, { questionByTable: { t1: 'q1', t2: 'q1' } }] },
    ]
    for (const input of inputs) {
      const first = parseCafeInput(input)
      if (!first.ok) throw new Error(JSON.stringify(first.fields))
      const again = parseCafeInput(definitionToInput(first.value))
      if (!again.ok) throw new Error(JSON.stringify(again.fields))
      expect(again.value).toEqual(first.value)
      expect(definitionToInput(first.value).shape).toBe(input.shape)
    }
  })

  it('the JSON example in docs/api.md is a valid café definition', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8')
    const after = doc.slice(doc.indexOf('## POST /api/cafes'))
    const json = /```json\n([\s\S]*?)\n```/.exec(after)?.[1]
    expect(json).toBeTruthy()
    const r = parseCafeInput(JSON.parse(json!))
    if (!r.ok) throw new Error(JSON.stringify(r.fields))
    expect(r.value.tables.length).toBeGreaterThan(1)
  })
})
