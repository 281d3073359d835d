/**
 * A refused request is said in the user's language: every reason and every code has an English and a
 * French text using exactly its params, field errors get translated names and problems, and the
 * server's English message never reaches a French screen.
 */
import type { TFunction } from 'i18next'
import { beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../client/src/api'
import { ackErrorText, apiErrorText, fieldLabel } from '../../client/src/errorText'
import { en } from '../../client/src/locales/en'
import { fr } from '../../client/src/locales/fr'
import { timeAgo } from '../../client/src/relativeTime'
import { cafeInputSchema } from '../../shared/cafe'
import type { AppError } from '../../shared/errors'
import { ERROR_CODES, appError } from '../../shared/errors'
import type { ErrorReason } from '../../shared/errorReasons'
import { ERROR_REASONS, ERROR_REASON_NAMES, FIELD_KINDS, paramsOf, zodFieldKinds } from '../../shared/errorReasons'
import { profileSchema } from '../../shared/protocol'
import { fixedT } from '../helpers/i18n'

let tFr: TFunction
let tEn: TFunction
beforeAll(async () => { tFr = await fixedT('fr'); tEn = await fixedT('en') })

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]!).sort()
/** A value per param that shows in the text as itself, or as what it translates to. */
const SAMPLE: Record<string, { value: string | number; fr: string; en: string }> = {
  table: { value: 'Table B', fr: 'Table B', en: 'Table B' },
  name: { value: 'Amélie', fr: 'Amélie', en: 'Amélie' },
  round: { value: 3, fr: '3', en: '3' },
  max: { value: 500, fr: '500', en: '500' },
  seconds: { value: 12, fr: '12', en: '12' },
  bytes: { value: 65536, fr: '65536', en: '65536' },
  formats: { value: 'md, docx, pdf', fr: 'md, docx, pdf', en: 'md, docx, pdf' },
  event: { value: 'cafe:explode', fr: 'cafe:explode', en: 'cafe:explode' },
  phase: { value: 'lobby', fr: 'Accueil des participants', en: 'Arrival' },
  format: { value: 'pdf', fr: 'PDF', en: 'PDF' },
}

describe('every reason and every code has its words', () => {
  it('in both languages, with exactly the params of the reason (checked on the strings themselves)', () => {
    const reasons = en.errors.reason as Record<string, string>
    const raisons = fr.errors.reason as Record<string, string>
    // No text for a reason that no longer exists, none missing.
    expect(Object.keys(reasons).sort()).toEqual([...ERROR_REASON_NAMES].sort())
    expect(Object.keys(raisons).sort()).toEqual([...ERROR_REASON_NAMES].sort())
    for (const reason of ERROR_REASON_NAMES) {
      expect(reasons[reason], reason).toMatch(/\S/)
      expect(raisons[reason], reason).toMatch(/\S/)
      expect(raisons[reason], `${reason} is not translated`).not.toBe(reasons[reason])
      expect(placeholders(reasons[reason]!), reason).toEqual([...paramsOf(reason)].sort())
      expect(placeholders(raisons[reason]!), reason).toEqual([...paramsOf(reason)].sort())
    }
    for (const code of ERROR_CODES) {
      expect((en.errors.code as Record<string, string>)[code], code).toMatch(/\S/)
      expect((fr.errors.code as Record<string, string>)[code], code).toMatch(/\S/)
      expect(fr.errors.code[code], code).not.toBe(en.errors.code[code])
    }
    for (const kind of FIELD_KINDS) {
      expect(fr.errors.fieldKind[kind], kind).toMatch(/\S/)
      expect(fr.errors.fieldKind[kind], kind).not.toBe(en.errors.fieldKind[kind])
    }
  })

  it('through i18next: each reason comes out in French with its params filled, never its English message', () => {
    for (const reason of ERROR_REASON_NAMES) {
      const params = Object.fromEntries(paramsOf(reason).map((p) => [p, SAMPLE[p]!.value]))
      const error: AppError = { code: ERROR_REASONS[reason].code, reason, params, message: `English message of ${reason}` }
      for (const [t, lang] of [[tFr, 'fr'], [tEn, 'en']] as const) {
        const text = ackErrorText(error, t)
        expect(text, `${lang} ${reason}`).not.toMatch(/\{\{|errors\.|English message/)
        expect(text, `${lang} ${reason}`).toBe(text.trim())
        for (const p of paramsOf(reason)) expect(text, `${lang} ${reason}: ${p}`).toContain(SAMPLE[p]![lang])
      }
    }
  })

  it('a reason this client does not know yet falls back to its code; an unknown code to the generic words', () => {
    const newer = { code: 'conflict', reason: 'from_a_newer_server', message: 'Some English.' } as unknown as AppError
    expect(ackErrorText(newer, tFr)).toBe(fr.errors.code.conflict)
    for (const code of ERROR_CODES) expect(ackErrorText({ code, message: 'English' }, tFr)).toBe(fr.errors.code[code])
    expect(ackErrorText({ code: 'teapot', message: 'English' } as unknown as AppError, tFr)).toBe(fr.errors.generic)
  })
})

describe('what a French screen says', () => {
  it('"Table B is full in this round" is said in French, with the table name', () => {
    const error = appError('table_full', 'Table B is full in this round: drop the person onto someone there to swap their places.', { params: { table: 'Table B' } })
    expect(error).toMatchObject({ code: 'conflict', reason: 'table_full', params: { table: 'Table B' } })
    expect(ackErrorText(error, tFr)).toBe('Table B est complète à ce tour : déposez la personne sur quelqu’un de cette table pour échanger leurs places.')
    expect(ackErrorText(error, tEn)).toBe(error.message)
  })

  it('a wrong code and the code of a café that is over are told apart', () => {
    const unknown = new ApiError(appError('unknown_code', 'Unknown or expired code. Check the code on the screen or ask the facilitator.'), 404)
    const over = new ApiError(appError('cafe_closed', 'This café is over: nobody can join it any more.'), 404)
    expect(apiErrorText(unknown, tFr)).toBe('Code inconnu. Vérifiez le code à l’écran ou demandez à l’animateur.')
    expect(apiErrorText(over, tFr)).toBe('Ce café est terminé : on ne peut plus le rejoindre.')
    expect(apiErrorText(new ApiError(null), tFr)).toBe(fr.errors.network)
    expect(apiErrorText(new TypeError('x is undefined'), tFr)).toBe(fr.errors.generic)
  })

  it('a phase is named in French', () => {
    const error = appError('wrong_phase', '"pause" is not possible while the café is in phase "lobby".', { params: { phase: 'lobby' } })
    expect(ackErrorText(error, tFr)).toBe('Ce n’est pas possible maintenant : le café en est à l’étape « Accueil des participants ».')
  })
})

describe('field errors', () => {
  it('take their kinds from the zod issues, under the same paths', () => {
    const kinds = (input: unknown) => { const r = profileSchema.safeParse(input); return r.success ? null : zodFieldKinds(r.error) }
    expect(kinds({ displayName: '  ' })).toEqual({ displayName: 'required' })
    expect(kinds({})).toEqual({ displayName: 'required' })
    expect(kinds({ displayName: 'x'.repeat(61) })).toEqual({ displayName: 'too_long' })
    expect(kinds({ displayName: 'Amélie', role: 'admin' })).toEqual({ '(root)': 'not_allowed' })
    expect(kinds({ displayName: 42 })).toEqual({ displayName: 'invalid' })
    const cafe = cafeInputSchema.safeParse({ title: 'Café', tables: [{ name: 'A', capacity: 0 }], questions: [] })
    expect(cafe.success ? null : zodFieldKinds(cafe.error)).toEqual({ 'tables.0.capacity': 'out_of_range', questions: 'required' })
  })

  it('are said with the field’s name and the problem, in French', () => {
    const error = appError('bad_data', 'Please check the form.', {
      fields: { displayName: 'Too big: expected string to have <=60 characters', 'tables.1.capacity': 'Too small: expected number to be >=1' },
      fieldKinds: { displayName: 'too_long', 'tables.1.capacity': 'out_of_range' },
    })
    expect(ackErrorText(error, tFr)).toBe('Veuillez vérifier ce que vous avez saisi. Nom : trop long. Table 2 — Personnes par table : hors des limites.')
    expect(ackErrorText(error, tFr, { inlineFields: ['displayName'] })).toBe('Veuillez vérifier ce que vous avez saisi. Table 2 — Personnes par table : hors des limites.')
    // Without kinds (an older server, the café definition's own checks): from the message.
    expect(ackErrorText({ code: 'bad_request', message: 'The café definition is not valid.', fields: { title: 'required' } }, tFr))
      .toBe(fr.errors.code.bad_request + ' Titre : obligatoire.')
  })

  it('a path it does not know is "a value", never the raw path', () => {
    expect(fieldLabel('people.2.displayName', tFr)).toBe('Ligne 3 — Nom')
    expect(fieldLabel('rounds.0.questionByTable.t1', tFr)).toBe('Tour 1 — Questions des tables')
    expect(fieldLabel('participantId', tFr)).toBe('Une valeur')
    expect(fieldLabel('(root)', tEn)).toBe('A value')
  })
})

describe('relative times', () => {
  it('under a minute is "just now", never "0 min ago"', () => {
    expect(timeAgo(0, 'fr', tFr)).toBe('à l’instant')
    expect(timeAgo(59_999, 'fr', tFr)).toBe('à l’instant')
    expect(timeAgo(59_999, 'en', tEn)).toBe('just now')
    expect(timeAgo(-5_000, 'en', tEn)).toBe('just now')
    expect(timeAgo(60_000, 'fr', tFr)).toBe('il y a 1 minute')
    expect(timeAgo(3 * 60_000 + 59_000, 'en', tEn)).toBe('3 minutes ago')
    expect(timeAgo(2 * 3_600_000, 'fr', tFr)).toBe('il y a 2 heures')
  })
})

// The list is typed: a reason with params cannot be raised without them (a compile-time check).
// @ts-expect-error table_full needs its table
appError('table_full' satisfies ErrorReason, 'Table B is full.')
