/**
 * The words a French participant reads on a phone: the join page of a café that is over says so (not
 * "Code introuvable"), the waiting page says what its count counts, and a host is told they stay at
 * their table (not "Direction Table 1" nor "Au prochain tour : Table 1").
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { appInBrowser, shot } from '../helpers/browser'
import { questionAt } from '../../shared/cafe'
import { connect, createCafe, joinCafe, request } from '../helpers/server'

const app = appInBrowser()
const wait = { timeout: 10_000 }
const phone = { locale: 'fr-FR', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

/** Fits the phone's width, and axe-core finds nothing critical or serious (when @axe-core/playwright is installed). */
async function checkPage(page: Page, where: string): Promise<void> {
  const widths = await page.evaluate(() => ({ client: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth }))
  expect(widths.scroll, `${where} scrolls sideways`).toBeLessThanOrEqual(widths.client + 1)
  const axe = await import('../helpers/axe').catch(() => null)
  if (!axe) return void console.warn(`${where}: @axe-core/playwright is not installed, no accessibility audit`)
  const blocking = (await axe.audit(page, where)).filter(axe.isBlocking)
  expect(blocking.map(axe.formatFinding)).toEqual([])
}

describe('wording, in French', () => {
  it('the join page of a café that is over says it is over and what to do; a wrong code is still "Code introuvable"', async () => {
    const cafe = await createCafe(app.t.url, { title: 'Café fini', language: 'fr', tables: [{ name: 'Table 1' }], questions: [{ text: 'Et après ?' }] })
    const { socket } = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    expect(await request(socket, 'cafe:open')).toMatchObject({ ok: true })
    expect(await request(socket, 'cafe:end')).toMatchObject({ ok: true })
    socket.close()

    const page = await app.newPage('ended', phone)
    await page.goto(`${app.t.url}/join/${cafe.joinCode}`)
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText(), wait).toBe('Ce café est terminé')
    const alert = page.getByRole('alert')
    await expect.poll(() => alert.innerText(), wait).toMatch(/on ne peut plus le rejoindre/)
    expect(await alert.innerText()).toMatch(/page d’accueil/)
    expect(await page.getByText(/introuvable|unknown|expired|over:/i).count()).toBe(0)
    // What the person can do: go home (their cafés on this device are listed there, and the code field).
    const home = page.getByRole('button', { name: 'Page d’accueil' })
    await expect.poll(() => home.isVisible(), wait).toBe(true)
    expect(await page.getByRole('button').filter({ hasNotText: /^(FR|EN)$/ }).count()).toBe(1)
    // The header link is named by what it shows, then where it goes.
    expect(await page.getByRole('link', { name: 'Nappe, Page d’accueil', exact: true }).count()).toBe(1)
    await shot(page, 'wording-ended-cafe-390x844')
    await checkPage(page, 'ended-cafe-390x844')
    // The same page in English, from the switch.
    await page.getByRole('button', { name: 'EN' }).click()
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText(), wait).toBe('This café is over')
    expect(await page.getByRole('alert').innerText()).toMatch(/^Its rounds are finished: nobody can join it any more\./)
    await page.getByRole('button', { name: 'FR' }).click()
    await home.click()
    await page.waitForURL(`${app.t.url}/`)

    await page.goto(`${app.t.url}/join/ZZZZZZ77`)
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText(), wait).toBe('Code introuvable')
    expect(await page.getByRole('alert').innerText()).toBe('Code inconnu. Vérifiez le code à l’écran ou demandez à l’animateur.')
    expect(await page.getByRole('button', { name: 'Essayer un autre code' }).isVisible()).toBe(true)
  })

  it('the waiting page counts the whole café, and a host is told they stay at their table', async () => {
    const cafe = await createCafe(app.t.url, {
      title: 'Café des hôtes', language: 'fr', shape: 'table-question', advance: 'manual', roundMinutes: 0.25, transitionSeconds: 30,
      tables: [{ name: 'Table 1', capacity: 4 }, { name: 'Table 2', capacity: 4 }],
      questions: [{ text: 'Pour quoi faire ?' }, { text: 'Avec qui ?' }],
    })
    const { socket: fac, state } = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    expect(await request(fac, 'cafe:open')).toMatchObject({ ok: true })

    const page = await app.newPage('host', phone)
    await page.goto(`${app.t.url}/join/${cafe.joinCode}`)
    await page.getByLabel(/Votre prénom/).fill('Amélie')
    await page.getByRole('button', { name: 'Prendre place' }).click()
    await page.waitForURL(/\/cafe\//)
    for (const name of ['Bruno', 'Chloé', 'Driss']) await joinCafe(app.t.url, cafe.joinCode, name)
    // Four people joined; whoever sits with Amélie, the count says it counts the café.
    await expect.poll(() => page.getByText(/personnes ont rejoint ce café/).innerText(), wait).toBe('4 personnes ont rejoint ce café pour l’instant')

    // The facilitator makes Amélie the host of the table she sits at (once the first plan seats her).
    const seated = () => state().participants.find((p) => p.displayName === 'Amélie' && p.tableId !== null)
    await expect.poll(() => seated()?.tableId ?? null, wait).not.toBeNull()
    const amelie = seated()!
    const def = state().definition
    const table = def.tables.find((x) => x.id === amelie.tableId)!
    const nextQuestion = def.questions.find((q) => q.id === questionAt(def, 2, table.id))!.text
    expect(await request(fac, 'participant:setHost', { participantId: amelie.id, tableId: table.id })).toMatchObject({ ok: true })
    await expect.poll(() => page.getByText(/vous êtes hôte/).count(), wait).toBe(1)
    await shot(page, 'wording-waiting-host-390x844')
    await checkPage(page, 'waiting-host-390x844')

    // A round shorter than the notice: the next seat is announced at once. A host is told they stay.
    expect(await request(fac, 'round:start')).toMatchObject({ ok: true })
    const notice = page.locator('.next-seat')
    await expect.poll(() => notice.innerText(), wait).toBe(`Au prochain tour : vous restez à ${table.name}, vous êtes l’hôte — ${nextQuestion}`)

    expect(await request(fac, 'round:skip')).toMatchObject({ ok: true })
    const title = page.locator('.move-card h1')
    await expect.poll(() => title.innerText(), wait).toBe(`Vous restez à ${table.name} : vous êtes l’hôte`)
    expect(await page.getByText(/Direction/).count()).toBe(0)
    // "Table 1" stays on one line of the heading, on a phone.
    expect(await title.locator('.nowrap').evaluate((el) => el.getClientRects().length)).toBe(1)
    // Started by hand: "Prochain tour — En attente de l’animateur", not "Prochain tour dans En attente…".
    expect((await page.locator('.move-card .timer').innerText()).replace(/\s+/g, ' ')).toMatch(/^Prochain tour En attente de l’animateur$/i)
    expect(await page.locator('.move-card').innerText()).toMatch(/Accueillez les nouveaux venus/)
    await shot(page, 'wording-host-stays-390x844')
    await checkPage(page, 'host-stays-390x844')
    fac.close()
  })
})
