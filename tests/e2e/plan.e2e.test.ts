/**
 * End to end in headless Chromium: the facilitator sees the seating plan before the café, with its
 * quality in words, edits it by drag and drop and by tapping (as on a phone), prints itinerary cards and
 * the table plan, and the café then follows the edited plan.
 */
import { describe, expect, it } from 'vitest'
import { appInBrowser, shot } from '../helpers/browser'
import { connect, createCafe, joinCafe, request } from '../helpers/server'
import type { Joined } from '../helpers/server'

const app = appInBrowser()

const names = ['Amélie', 'Bruno', 'Chloé', 'Driss', 'Emma', 'Farid', 'Gaëlle', 'Hugo', 'Inès', 'Jules', 'Karima', 'Léon', 'Maëlle', 'Nour', 'Oscar', 'Paula']
const orgs = ['AMO Rixensart', 'Athénée de Wavre', 'CPAS de Wavre', 'Planning familial']

describe('the seating plan in the browser', () => {
  it('is shown before the café with its quality, edited by drag and drop and by taps, printed, then followed', async () => {
    const cafe = await createCafe(app.t.url, {
      title: 'Café des partenaires', date: '2026-12-03', place: 'Wavre', language: 'fr', shape: 'classic',
      tables: ['A', 'B', 'C', 'D'].map((n) => ({ name: `Table ${n}`, capacity: 5 })),
      questions: [1, 2, 3, 4].map((n) => ({ text: `Question ${n} : que faire ensemble ?` })),
      roundMinutes: 5, advance: 'manual',
    })
    const people: Joined[] = []
    for (const [i, name] of names.entries()) people.push(await joinCafe(app.t.url, cafe.joinCode, name, { organisation: orgs[i % 4]!, sector: 'Santé' }))
    const id = (name: string) => people[names.indexOf(name)]!.participantId
    const runtime = () => app.t.server.registry.get(cafe.id)!

    const page = await app.newPage('facilitator', { locale: 'fr-BE', viewport: { width: 1280, height: 900 } })
    await page.goto(`${app.t.url}/facilitate/${cafe.id}#key=${cafe.facilitatorKey}`)
    const panel = page.getByRole('region', { name: 'Plan de table' })
    const quality = panel.getByTestId('plan-quality')
    await expect.poll(() => quality.textContent(), { timeout: 15_000 }).toContain('0 rencontre répétée')
    expect(await quality.textContent()).toMatch(/^Chaque personne rencontre en moyenne 12 nouvelles personnes ; 0 rencontre répétée ; 0 table avec deux personnes de la même organisation\.$/)
    await shot(page, 'plan-console')

    // Round 2: drag Amélie onto another table (it has room), then onto someone there to swap.
    await panel.getByRole('tab', { name: 'Tour 2' }).click()
    const plan = () => runtime().planView()
    const tableOf = (round: number, name: string) => plan().rounds[round - 1]![id(name)]!
    const tableName = (tid: string) => runtime().definition.tables.find((t) => t.id === tid)!.name
    const from = tableOf(2, 'Amélie')
    const to = runtime().definition.tables.find((t) => t.id !== from)!.id
    await panel.getByRole('button', { name: 'Choisir Amélie pour le déplacer' }).dragTo(panel.getByRole('article', { name: tableName(to) }).getByRole('heading'))
    await expect.poll(() => tableOf(2, 'Amélie')).toBe(to)
    expect(plan().pinned[1]).toEqual({ [id('Amélie')]: to })
    await panel.getByRole('button', { name: 'Désépingler Amélie' }).waitFor()
    // Five at one table, three at another: the sentence says so.
    await expect.poll(() => quality.textContent()).toContain('les tables diffèrent de 2 personnes')

    // By taps: choose Bruno, then someone at another table: they swap places, both pinned.
    const bruno = tableOf(2, 'Bruno')
    const other = names.find((n) => n !== 'Amélie' && tableOf(2, n) !== bruno && runtime().participant(id(n))!.hostOf === null)!
    const otherTable = tableOf(2, other)
    await panel.getByRole('button', { name: 'Choisir Bruno pour le déplacer' }).click()
    await panel.getByRole('status').filter({ hasText: 'Bruno choisi·e' }).waitFor()
    await panel.getByRole('button', { name: `Échanger Bruno et ${other}` }).click()
    await expect.poll(() => [tableOf(2, 'Bruno'), tableOf(2, other)]).toEqual([otherTable, bruno])
    await panel.getByRole('status').filter({ hasText: `Bruno et ${other} ont échangé leurs places` }).waitFor({ state: 'attached' })
    await shot(page, 'plan-edited')

    // The itinerary cards and the table plan, in the café's language.
    const cards = await app.newPage('cards', { locale: 'en-GB', viewport: { width: 1100, height: 900 } })
    await cards.goto(`${app.t.url}/print/${cafe.id}#key=${cafe.facilitatorKey}&kind=cards`)
    await cards.getByRole('button', { name: 'Imprimer' }).waitFor()
    // The key leaves the address at once: browsers print the address on every page.
    expect(cards.url()).toBe(`${app.t.url}/print/${cafe.id}#kind=cards`)
    expect(await cards.locator('.itinerary-card').count()).toBe(16)
    const amelieCard = cards.getByRole('article', { name: 'Amélie' })
    expect(await amelieCard.getByRole('row', { name: /Tour 2/ }).textContent()).toBe(`Tour 2${tableName(to)}`)
    for (let r = 1; r <= 4; r++) expect(await amelieCard.getByRole('row', { name: new RegExp(`Tour ${r}`) }).textContent()).toBe(`Tour ${r}${tableName(tableOf(r, 'Amélie'))}`)
    expect(await amelieCard.textContent()).toContain(`code ${cafe.joinCode}`)
    await shot(cards, 'plan-cards')
    await cards.emulateMedia({ media: 'print' })
    expect(await cards.locator('.print-bar').isVisible()).toBe(false)
    const tables = await app.newPage('tables', { locale: 'fr-BE' })
    await tables.goto(`${app.t.url}/print/${cafe.id}#key=${cafe.facilitatorKey}&kind=tables`)
    await tables.getByRole('heading', { name: 'Tour 1 — Question 1 : que faire ensemble ?' }).waitFor()
    expect(await tables.locator('.print-round').count()).toBe(4)
    const round2 = tables.locator('.print-round').nth(1)
    expect(await round2.locator('.print-table', { hasText: tableName(to) }).textContent()).toContain('Amélie')
    await shot(tables, 'plan-tables')

    // The café follows the edited plan: in round 2, Amélie, Bruno and the other sit where the facilitator put them.
    const { socket: fac } = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    try {
      expect((await request(fac, 'cafe:open')).ok).toBe(true)
      expect((await request(fac, 'round:start')).ok).toBe(true)
      expect((await request(fac, 'round:skip')).ok).toBe(true)
      const seating = runtime().record.seating
      expect([seating[id('Amélie')], seating[id('Bruno')], seating[id(other)]]).toEqual([to, otherTable, bruno])
      // Played rounds are read-only in the console.
      await panel.getByRole('tab', { name: /Tour 1 · joué/ }).click()
      await panel.getByText('Ce tour est joué').waitFor()
      expect(await panel.getByRole('button', { name: 'Choisir Amélie pour le déplacer' }).isDisabled()).toBe(true)
    } finally {
      fac.close()
    }
    expect(app.errors).toEqual([])
  })

  it('people registered beforehand are pasted in, planned and printed; a no-show is planned out', async () => {
    const cafe = await createCafe(app.t.url, {
      title: 'Café sur inscription', language: 'fr', shape: 'classic', advance: 'manual', roundMinutes: 5,
      tables: [{ name: 'Table A', capacity: 4 }, { name: 'Table B', capacity: 4 }],
      questions: [{ text: 'Pour quoi faire ?' }, { text: 'Avec qui ?' }],
    })
    const page = await app.newPage('registrations', { locale: 'fr-BE', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    await page.goto(`${app.t.url}/facilitate/${cafe.id}#key=${cafe.facilitatorKey}`)
    await page.getByText('Ajouter des personnes inscrites à l’avance').click()
    await page.getByLabel('Personnes à ajouter').fill('Amélie; AMO Rixensart; Aide à la jeunesse\nBruno;Athénée de Wavre\nChloé\tCPAS de Wavre\tSocial\n\nDriss; Planning familial\nEmma; AMO Rixensart\nRose; CPAS de Wavre')
    await page.getByRole('button', { name: 'Ajouter', exact: true }).click()
    await page.getByRole('status').filter({ hasText: '6 personnes ajoutées' }).waitFor()
    const runtime = () => app.t.server.registry.get(cafe.id)!
    expect(runtime().activeParticipants().map((p) => [p.displayName, p.organisation, p.sector])).toContainEqual(['Chloé', 'CPAS de Wavre', 'Social'])
    // Rose does not come.
    await page.getByRole('checkbox', { name: 'Rose est là' }).click()
    const panel = page.getByRole('region', { name: 'Plan de table' })
    await panel.getByText('Absent·es (hors plan) : Rose').waitFor()
    // Five people at two tables for two rounds: one pair must meet again (three share a table in round 1).
    await expect.poll(() => panel.getByTestId('plan-quality').textContent(), { timeout: 15_000 }).toContain('1 rencontre répétée')
    const rose = runtime().activeParticipants().find((p) => p.displayName === 'Rose')!.id
    expect(runtime().planView().rounds.every((row) => Object.keys(row).length === 5 && !(rose in row))).toBe(true)
    await shot(page, 'plan-phone')
    const cards = await app.newPage('cards-2', { locale: 'fr-BE' })
    await cards.goto(`${app.t.url}/print/${cafe.id}#key=${cafe.facilitatorKey}&kind=cards`)
    await cards.getByRole('article', { name: 'Amélie' }).waitFor()
    expect(await cards.locator('.itinerary-card h2').allTextContents()).toEqual(['Amélie', 'Bruno', 'Chloé', 'Driss', 'Emma'])
    expect(app.errors).toEqual([])
  })
})
