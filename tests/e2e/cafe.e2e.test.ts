/**
 * End to end in real headless Chromium against the real server: a facilitator and three participants
 * (one on a phone, one in French) run a 2-table, 2-round café with short rounds.
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { appInBrowser, shot, addNoteOnSheet } from '../helpers/browser'
import { createCafe } from '../helpers/server'
import type { CreatedCafe } from '../helpers/server'

const app = appInBrowser()

function newPage(label: string, opts: { locale: string; phone?: boolean }): Promise<Page> {
  return app.newPage(label, opts.phone
    ? { locale: opts.locale, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
    : { locale: opts.locale, viewport: { width: 1280, height: 900 } })
}

async function join(page: Page, cafe: CreatedCafe, name: string, labels: { name: RegExp; submit: string }): Promise<void> {
  await page.goto(`${app.t.url}/join/${cafe.joinCode}`)
  await page.getByLabel(labels.name).fill(name)
  await page.getByRole('button', { name: labels.submit }).click()
  await page.waitForURL(/\/cafe\//)
}


async function draw(page: Page, toolName: string, from: { x: number; y: number }): Promise<void> {
  await page.getByRole('button', { name: toolName }).click()
  const box = (await page.locator('svg.sheet').boundingBox())!
  await page.mouse.move(box.x + from.x, box.y + from.y)
  await page.mouse.down()
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + from.x + i * 12, box.y + from.y + Math.sin(i / 2) * 30)
  await page.mouse.up()
}

const tableOf = async (page: Page) => (await page.locator('.round-where .eyebrow').innerText()).split('·')[0]!.trim()

describe('a World Café in the browser', () => {
  it('runs two rounds with a facilitator and three participants, live', async () => {
    const cafe = await createCafe(app.t.url, {
      title: 'World Café Assuétudes', date: '2011-12-09', place: 'Wavre', language: 'fr', shape: 'table-question',
      tables: [{ name: 'Table 1', capacity: 4 }, { name: 'Table 2', capacity: 4 }],
      questions: [{ text: 'Le travail en réseau. Pour quoi faire ?' }, { text: 'Le travail en réseau. Avec qui ?' }],
      roundMinutes: 0.25, transitionSeconds: 4, advance: 'auto',
    })

    // The facilitator (English browser) opens the doors.
    const fac = await newPage('facilitator', { locale: 'en-US' })
    await fac.goto(cafe.facilitatorUrl.replace(/^https?:\/\/[^/]+/, app.t.url))
    await fac.getByRole('button', { name: 'Open the doors' }).click()
    await fac.getByText('Start round 1').waitFor()
    await shot(fac, '01-console-lobby')

    // Three participants: Amélie (French, laptop), Bruno (English, laptop), Chloé (French, phone).
    const amelie = await newPage('amelie', { locale: 'fr-FR' })
    const bruno = await newPage('bruno', { locale: 'en-GB' })
    const chloe = await newPage('chloe', { locale: 'fr-BE', phone: true })
    await chloe.goto(`${app.t.url}/join/${cafe.joinCode}`)
    await shot(chloe, '02-phone-join-fr')
    await join(amelie, cafe, 'Amélie', { name: /Votre prénom/, submit: 'Prendre place' })
    await join(bruno, cafe, 'Bruno', { name: /Your first name/, submit: 'Take a seat' })
    await join(chloe, cafe, 'Chloé', { name: /Votre prénom/, submit: 'Prendre place' })
    await chloe.getByText('Bonjour Chloé !').waitFor()
    await shot(chloe, '03-phone-waiting-fr')
    await fac.getByText('People (3)').waitFor()

    await fac.getByRole('button', { name: 'Start round 1' }).click()
    await amelie.getByRole('timer').waitFor()
    // French UI for French browsers, English for the others.
    await amelie.getByRole('button', { name: 'Post-it' }).waitFor()
    await bruno.getByRole('button', { name: 'Note', exact: true }).waitFor()

    // Amélie and Chloé share Table 1, Bruno is at Table 2.
    expect(await tableOf(amelie)).toBe('TABLE 1')
    expect(await tableOf(chloe)).toBe('TABLE 1')
    expect(await tableOf(bruno)).toBe('TABLE 2')

    await addNoteOnSheet(amelie, 'Mutualiser les ressources', { x: 150, y: 120 })
    await addNoteOnSheet(chloe, 'Se connaître', { x: 120, y: 220 })
    await draw(amelie, 'Crayon', { x: 420, y: 200 })
    await addNoteOnSheet(bruno, 'Parents and schools', { x: 160, y: 140 })
    // Each sees the tablemate's writing live, and nothing from the other table.
    await chloe.locator('.note-text', { hasText: 'Mutualiser les ressources' }).waitFor()
    await amelie.locator('.note-text', { hasText: 'Se connaître' }).waitFor()
    await expect.poll(() => chloe.locator('g.item:not(.note):not(.text)').count()).toBe(1) // the drawing
    expect(await amelie.locator('.note-text', { hasText: 'Parents and schools' }).count()).toBe(0)
    await shot(amelie, '04-round1-amelie-fr')
    await shot(chloe, '05-round1-phone-fr')
    await shot(bruno, '06-round1-bruno-en')

    // The facilitator's overview shows every table's tablecloth.
    await expect.poll(() => fac.locator('.table-card').nth(0).locator('[data-item-id]').count(), { timeout: 5000 }).toBe(3)
    await expect.poll(() => fac.locator('.table-card').nth(1).locator('[data-item-id]').count()).toBe(1)
    await shot(fac, '07-console-round1')

    // The timer ends the round; everyone is told to move, then round 2 starts by itself.
    await amelie.getByText(/Direction Table 2/).waitFor({ timeout: 20_000 })
    await shot(amelie, '08-transition-fr')
    await amelie.getByText('Tour 2', { exact: false }).first().waitFor({ timeout: 15_000 })
    expect(await tableOf(amelie)).toBe('TABLE 2')
    expect(await tableOf(bruno)).toBe('TABLE 1')

    // At the new table, the earlier group's traces are there, in another ink.
    const earlier = amelie.locator('g.item.note', { hasText: 'Parents and schools' })
    await earlier.waitFor()
    expect(await earlier.getAttribute('data-round')).toBe('1')
    await addNoteOnSheet(amelie, 'Un coordinateur', { x: 500, y: 300 })
    const fresh = amelie.locator('g.item.note', { hasText: 'Un coordinateur' })
    expect(await fresh.getAttribute('data-round')).toBe('2')
    const fill = (l: typeof fresh) => l.locator('rect.note-paper').getAttribute('fill')
    expect(await fill(fresh)).not.toBe(await fill(earlier))
    await bruno.locator('.note-text', { hasText: 'Mutualiser les ressources' }).waitFor()
    await shot(amelie, '09-round2-new-table-fr')

    // A participant who reloads comes back at the same table with nothing lost.
    await chloe.reload()
    await chloe.locator('.note-text', { hasText: 'Un coordinateur' }).waitFor()
    expect(await tableOf(chloe)).toBe('TABLE 2')
    await shot(chloe, '10-phone-after-reload')

    // The list view: the same tablecloth, for keyboards and screen readers.
    await bruno.getByRole('button', { name: 'List' }).click()
    await bruno.getByRole('heading', { name: /Round 1/ }).waitFor()
    await bruno.getByLabel('New note').fill('From the list view')
    await bruno.getByRole('button', { name: 'Add' }).click()
    await fac.locator('.table-card').nth(0).locator('[data-item-id]').nth(3).waitFor()
    await shot(bruno, '11-list-view-en')

    // The projector.
    const projector = await newPage('projector', { locale: 'fr-FR' })
    await projector.goto(`${app.t.url}/projector/${cafe.id}#key=${cafe.facilitatorKey}`)
    await projector.locator('.projector-gallery [data-item-id]').first().waitFor()
    await shot(projector, '12-projector')

    // The last round ends: harvest.
    await amelie.getByText('Merci !').waitFor({ timeout: 25_000 })
    await fac.getByRole('button', { name: 'Close the café' }).waitFor()
    await shot(fac, '13-console-harvest')
    expect(app.errors).toEqual([])
  }, 120_000)
})

describe('preparing a café', () => {
  it('a facilitator creates a café with the wizard, and sees clear errors first', async () => {
    const page = await newPage('wizard', { locale: 'fr-FR' })
    await page.goto(app.t.url)
    await page.getByRole('heading', { name: 'Rejoindre un café' }).waitFor()
    await shot(page, '20-home-fr')
    await page.getByRole('button', { name: 'Créer un café' }).click()
    await page.getByRole('heading', { name: 'Créer un café' }).waitFor()
    // Nothing filled in: the server's field errors are shown, nothing is created.
    await page.getByRole('button', { name: 'Créer le café' }).click()
    await page.locator('.form-error').waitFor()
    expect(await page.locator('.field-error').count()).toBeGreaterThan(0)
    await shot(page, '21-wizard-errors-fr')
    await page.getByRole('button', { name: 'Chaque table sa question' }).click()
    await page.getByLabel('Titre').fill('Café des parents')
    await page.getByPlaceholder('Question 1').fill('Qu’est-ce qui vous aide ?')
    await page.getByPlaceholder('Question 2').fill('Avec qui en parler ?')
    await shot(page, '22-wizard-fr')
    await page.getByRole('button', { name: 'Créer le café' }).click()
    await page.waitForURL(/\/facilitate\/[^#]+#key=/)
    await page.getByText('Café des parents').first().waitFor()
    await page.getByRole('button', { name: 'Ouvrir les portes' }).waitFor()
    // The key stays in the fragment: never sent to the server.
    expect(new URL(page.url()).hash).toMatch(/^#key=[A-Za-z0-9_-]{43}$/)
    // The home page now lists the café.
    await page.goto(app.t.url)
    await page.getByRole('link', { name: 'Café des parents' }).waitFor()
    expect(app.errors).toEqual([])
  }, 60_000)
})
