/**
 * A French-speaking client gets from the real server a reason it can translate, with its params: a full
 * table in the seating plan, a wrong join code, the code of a café that is over, a request out of phase.
 */
import type { TFunction } from 'i18next'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ackErrorText } from '../../client/src/errorText'
import type { AppError } from '../../shared/errors'
import type { PlanView } from '../../shared/seatingPlan'
import { eventually } from '../helpers/eventually'
import { fixedT } from '../helpers/i18n'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'
import { request } from '../helpers/server'

let s: Scenario | null = null
let tFr: TFunction
beforeAll(async () => { tFr = await fixedT('fr') })
afterEach(async () => { await s?.close(); s = null })

/** Two tables of two, four people: every table of every round is full. */
const fullCafe = {
  title: 'Café complet', language: 'fr' as const, shape: 'classic' as const, roundMinutes: 10,
  tables: [{ name: 'Table A', capacity: 2 }, { name: 'Table B', capacity: 2 }],
  questions: [{ text: 'Pour quoi faire ?' }, { text: 'Avec qui ?' }],
}

const lookUp = (url: string, code: string) => fetch(`${url}/api/join/${code}`)
const join = (url: string, code: string, displayName: string) =>
  fetch(`${url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, displayName }) })

describe('reasons a French client can say', () => {
  it('"Table B is full in this round" comes with its reason and the table, and reads in French', async () => {
    s = await runningCafe({ cafe: fullCafe, start: false })
    const plan = await eventually(() => {
      const p = s!.state().plan!
      expect(p.planning).toBe(false)
      expect(Object.keys(p.rounds[1] ?? {})).toHaveLength(4)
      return p
    }, { timeoutMs: 15_000 })
    const row = plan.rounds[1]!
    const atA = Object.keys(row).find((id) => row[id] === 't1')!
    const moved = await request<{ plan: PlanView }>(s.facilitator, 'plan:move', { round: 2, participantId: atA, tableId: 't2' })
    expect(moved.ok).toBe(false)
    const error = (moved as { error: AppError }).error
    expect(error).toMatchObject({ code: 'conflict', reason: 'table_full', params: { table: 'Table B' }, message: expect.stringContaining('Table B is full') })
    expect(ackErrorText(error, tFr)).toBe('Table B est complète à ce tour : déposez la personne sur quelqu’un de cette table pour échanger leurs places.')

    // Swapping is the way: it works, and the host rule is said in French too.
    const atB = Object.keys(row).find((id) => row[id] === 't2')!
    expect(await request(s.facilitator, 'plan:move', { round: 2, participantId: atA, tableId: 't2', swapWith: atB })).toMatchObject({ ok: true })
    expect(await request(s.facilitator, 'participant:setHost', { participantId: atA, tableId: 't2' })).toMatchObject({ ok: true })
    const host = await request(s.facilitator, 'participant:move', { participantId: atA, tableId: 't1' })
    expect(host).toMatchObject({ ok: false, error: { code: 'conflict', reason: 'host_stays' } })
    expect(ackErrorText((host as { error: AppError }).error, tFr)).toBe('Un hôte reste à sa table : faites-en d’abord un voyageur.')
  })

  it('a request out of phase names the phase in French; a bad payload names its field', async () => {
    s = await runningCafe({ start: false })
    const paused = await request(s.facilitator, 'round:pause')
    expect(paused).toMatchObject({ ok: false, error: { code: 'invalid_state', reason: 'wrong_phase', params: { phase: 'lobby' } } })
    expect(ackErrorText((paused as { error: AppError }).error, tFr)).toBe('Ce n’est pas possible maintenant : le café en est à l’étape « Accueil des participants ».')
    const bad = await request(s.facilitator, 'participant:add', { people: [{ displayName: 'x'.repeat(61) }] })
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', reason: 'bad_data', fieldKinds: { 'people.0.displayName': 'too_long' } } })
    expect(ackErrorText((bad as { error: AppError }).error, tFr)).toBe('Veuillez vérifier ce que vous avez saisi. Ligne 1 — Nom : trop long.')
  })

  it('a wrong code and the code of a café that is over get different reasons over the REST API', async () => {
    s = await runningCafe({ start: false })
    const wrong = await lookUp(s.t.url, 'ZZZZZZ42')
    expect(wrong.status).toBe(404)
    const wrongError = ((await wrong.json()) as { error: AppError }).error
    expect(wrongError).toMatchObject({ code: 'not_found', reason: 'unknown_code' })
    expect(ackErrorText(wrongError, tFr)).toBe('Code inconnu. Vérifiez le code à l’écran ou demandez à l’animateur.')

    expect(await request(s.facilitator, 'cafe:end')).toMatchObject({ ok: true })
    for (const res of [await lookUp(s.t.url, s.joinCode), await join(s.t.url, s.joinCode.toLowerCase(), 'Retardataire')]) {
      expect(res.status).toBe(404)
      const error = ((await res.json()) as { error: AppError }).error
      expect(error).toMatchObject({ code: 'not_found', reason: 'cafe_closed', message: expect.stringContaining('over') })
      expect(ackErrorText(error, tFr)).toBe('Ce café est terminé : on ne peut plus le rejoindre.')
    }
  })

  it('the code of a café that is over does not count as a wrong code: the people of that room still get told so', async () => {
    s = await runningCafe({ start: false, server: { config: { joinAttemptsPerMinute: 3 } } })
    expect(await request(s.facilitator, 'cafe:end')).toMatchObject({ ok: true })
    // A whole room reloads the link of the café that just ended, from one address.
    for (let i = 0; i < 10; i++) expect((await lookUp(s.t.url, s.joinCode)).status).toBe(404)
    // A typo nearby is still a plain wrong code, until the limit of wrong ones.
    const typos = []
    for (let i = 0; i < 4; i++) typos.push((await lookUp(s.t.url, `ZZZZZZ${i}${i}`)).status)
    expect(typos).toEqual([404, 404, 404, 429])
  })
})
