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

describe('hybrid café: the seating plan', () => {
  it('offers each person only the tables of their venue: no move, swap or drop across', async () => {
    const cafe = await createCafe(app.t.url, {
      ...hybridCafe, questions: [{ text: 'What do we do together?' }, { text: 'And then?' }],
      tables: [{ name: 'Room A', capacity: 4 }, { name: 'Room B', capacity: 4 }, { name: 'Online A', capacity: 4, online: true }, { name: 'Online B', capacity: 4, online: true }],
    })
    const join = async (displayName: string, remote: boolean) => {
      const res = await fetch(`${app.t.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: cafe.joinCode, displayName, remote }) })
      expect(res.status).toBe(201)
      return ((await res.json()) as { participantId: string }).participantId
    }
    const ids = new Map<string, string>()
    for (const [name, remote] of [['Amélie', false], ['Bruno', false], ['Chloé', false], ['Driss', true], ['Emma', true], ['Farid', true]] as const) ids.set(name, await join(name, remote))
    const runtime = () => app.t.server.registry.get(cafe.id)!
    const tableOf = (name: string) => runtime().planView().rounds[1]?.[ids.get(name)!]
    const tableId = (name: string) => runtime().definition.tables.find((t) => t.name === name)!.id
    await expect.poll(() => tableOf('Driss'), { timeout: 15_000 }).toBeTruthy()

    const page = await app.newPage('hybrid-plan', { locale: 'en-GB', viewport: { width: 1280, height: 900 } })
    await page.goto(`${app.t.url}/facilitate/${cafe.id}#key=${cafe.facilitatorKey}`)
    const panel = page.getByRole('region', { name: 'Seating plan' })
    await panel.getByRole('tab', { name: 'Round 2' }).click()
    const table = (name: string) => panel.getByRole('article', { name })
    const onlineOther = tableOf('Driss') === tableId('Online A') ? 'Online B' : 'Online A'

    // Driss takes part online: a room table says why not, and offers no swap; the other online table takes him.
    await panel.getByRole('button', { name: 'Select Driss to move them' }).click()
    await table('Room A').getByText('A table in the room: Driss takes part online.').waitFor()
    expect(await table('Room A').getByRole('button', { name: /^Move Driss here$/ }).count()).toBe(0)
    expect(await table('Room A').getByRole('button', { name: /^Swap Driss with/ }).count()).toBe(0)
    await table(onlineOther).getByRole('button', { name: 'Move Driss here' }).waitFor()
    await panel.getByRole('button', { name: 'Cancel' }).click()
    // Amélie is in the room: an online table says so.
    await panel.getByRole('button', { name: 'Select Amélie to move them' }).click()
    await table('Online A').getByText('An online table: Amélie takes part in the room.').waitFor()
    await panel.getByRole('button', { name: 'Cancel' }).click()

    // Dragged onto a room table, Driss stays where he is; onto the other online table, he goes.
    const before = tableOf('Driss')
    await panel.getByRole('button', { name: 'Select Driss to move them' }).dragTo(table('Room B').getByRole('heading'))
    await new Promise((r) => setTimeout(r, 500))
    expect(tableOf('Driss')).toBe(before)
    await panel.getByRole('button', { name: 'Select Driss to move them' }).dragTo(table(onlineOther).getByRole('heading'))
    await expect.poll(() => tableOf('Driss')).toBe(tableId(onlineOther))
    await shot(page, 'hybrid-plan-1280x900')
    expect((await audit(page, 'hybrid-plan-1280x900')).filter(isBlocking).map(formatFinding)).toEqual([])
    // On a phone, with someone chosen: the hint reads under the table of the other venue.
    await page.setViewportSize({ width: 390, height: 844 })
    await panel.getByRole('button', { name: 'Select Emma to move them' }).click()
    await table('Room A').getByText('A table in the room: Emma takes part online.').scrollIntoViewIfNeeded()
    await shot(page, 'hybrid-plan-390x844')
    expect((await audit(page, 'hybrid-plan-390x844')).filter(isBlocking).map(formatFinding)).toEqual([])
    expect(app.errors).toEqual([])
  }, 60_000)
})
