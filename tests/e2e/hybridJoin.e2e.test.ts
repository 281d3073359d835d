/**
 * The join page of a hybrid café, on a phone, by keyboard only: where one takes part is a required
 * choice (said in the live region when missing), made with the arrow keys; the remote participant lands
 * at the online table, whose call bar is there. The page is axe-clean. Also the console's people panel
 * of a hybrid café (its "Online" column), axe-clean.
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { CafeInput } from '../../shared/cafe'
import { audit, formatFinding, isBlocking } from '../helpers/axe'
import { appInBrowser, shot } from '../helpers/browser'
import { connect, createCafe, request } from '../helpers/server'

const app = appInBrowser()

const hybridCafe: CafeInput = {
  title: 'Café hybride', language: 'en', shape: 'classic', roundMinutes: 20, venue: 'hybrid',
  tables: [{ name: 'Room table', capacity: 6 }, { name: 'Online table', capacity: 6, online: true }],
  questions: [{ text: 'What do we do together?' }],
}

async function tabTo(page: Page, selector: string, max = 30): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached ${selector}`)
}

describe('hybrid café: the join page', () => {
  it('asks where one takes part (required, by keyboard), and seats a remote participant at the online table with its call', async () => {
    const cafe = await createCafe(app.t.url, hybridCafe)
    const { socket: fac } = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    expect((await request(fac, 'cafe:open')).ok).toBe(true)
    expect((await request(fac, 'round:start')).ok).toBe(true)

    const page = await app.newPage('hybrid-join', { locale: 'en-GB', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    await page.goto(`${app.t.url}/join/${cafe.joinCode}`)
    await page.locator('#name').waitFor()
    await page.getByRole('group', { name: 'Where do you take part?' }).waitFor()
    expect((await audit(page, 'hybrid-join-390x844')).filter(isBlocking).map(formatFinding)).toEqual([])
    await tabTo(page, '#name')
    await page.keyboard.type('Distante')
    // Submitted without the choice: told why, and the focus goes to the choice.
    await page.keyboard.press('Enter')
    await page.getByRole('alert').filter({ hasText: 'Please choose where you take part' }).waitFor()
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('venue-room')
    expect(page.url()).toMatch(/\/join\//)
    await shot(page, 'hybrid-join-required-390x844')
    // The arrow keys choose "Online".
    await page.keyboard.press('ArrowDown')
    expect(await page.locator('#venue-online').isChecked()).toBe(true)
    await tabTo(page, 'button[type=submit]')
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/cafe\//)
    const myId = await page.evaluate((id) => JSON.parse(localStorage.getItem(`nappe.participant.${id}`)!).participantId as string, cafe.id)
    const runtime = app.t.server.registry.get(cafe.id)!
    expect(runtime.participant(myId)!.remote).toBe(true)
    const online = runtime.definition.tables.find((x) => x.online)!.id
    expect(runtime.record.seating[myId]).toBe(online)
    await page.getByText('This table meets online: join its audio call.').waitFor()
    await shot(page, 'hybrid-joined-online-390x844')

    // The facilitator's people panel: who takes part online, axe-clean.
    const consolePage = await app.newPage('hybrid-console', { locale: 'en-GB', viewport: { width: 1280, height: 800 } })
    await consolePage.goto(cafe.facilitatorUrl.replace(/^https?:\/\/[^/]+/, app.t.url))
    const box = consolePage.getByRole('checkbox', { name: 'Distante takes part online' })
    await box.waitFor()
    expect(await box.isChecked()).toBe(true)
    expect((await audit(consolePage, 'hybrid-console-1280x800')).filter(isBlocking).map(formatFinding)).toEqual([])
    fac.close()
    expect(app.errors).toEqual([])
  })
})
