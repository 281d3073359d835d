/**
 * A lost connection in a real browser: the server goes away mid-round, the participant keeps writing
 * (the screen says so), and when the server is back the note reaches the tablemate. Nothing is lost.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { SqliteStore } from '../../server/store/SqliteStore'
import { CLIENT_DIST, launchBrowser, shot, watchErrors } from '../helpers/browser'
import { connect, createCafe, joinCafe, request, startServer, tempDir, twoTableCafe } from '../helpers/server'
import type { TestServer } from '../helpers/server'

let browser: Browser
let t: TestServer | null = null
const errors: string[] = []
beforeAll(async () => { browser = await launchBrowser() })
afterAll(async () => { await browser?.close(); await t?.close() })

describe('a lost connection in the browser', () => {
  it('keeps writing while the server is away and delivers it when it is back', async () => {
    const dataDir = tempDir()
    const file = join(dataDir, 'nappe.sqlite')
    t = await startServer({ dataDir, store: new SqliteStore(file), config: { clientDir: CLIENT_DIST } })
    const port = Number(new URL(t.url).port)
    const cafe = await createCafe(t.url, twoTableCafe)
    const fac = await connect(t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    await request(fac.socket, 'cafe:open')
    const a = await joinCafe(t.url, cafe.joinCode, 'Amélie')
    await joinCafe(t.url, cafe.joinCode, 'Bruno')
    const c = await joinCafe(t.url, cafe.joinCode, 'Chloé')
    await request(fac.socket, 'round:start')
    fac.socket.close()

    // Both tablemates at Table 1 in the browser; identities as the join page would have stored them.
    const pages = await Promise.all([a, c].map(async (p, i) => {
      const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1100, height: 800 } })
      await context.addInitScript(([key, value]) => localStorage.setItem(key!, value!), [`nappe.participant.${cafe.id}`, JSON.stringify({ cafeId: cafe.id, participantId: p.participantId, token: p.participantToken, displayName: i ? 'Chloé' : 'Amélie', title: 'x' })])
      const page = await context.newPage()
      watchErrors(page, i ? 'chloe' : 'amelie', errors)
      await page.goto(`${t!.url}/cafe/${cafe.id}`)
      await page.locator('svg.sheet').waitFor()
      return page
    }))
    const [amelie, chloe] = pages as [typeof pages[0], typeof pages[0]]

    await t.close()
    t = null
    await amelie.getByText('Hors ligne').waitFor()
    await amelie.locator('svg.sheet').click({ position: { x: 200, y: 200 } })
    await amelie.locator('textarea.note-editor').pressSequentially('Écrit sans réseau')
    await amelie.locator('textarea.note-editor').press('Escape')
    await shot(amelie, '30-offline-writing-fr')

    t = await startServer({ dataDir, store: new SqliteStore(file), port, config: { clientDir: CLIENT_DIST } })
    await amelie.getByText('En ligne').waitFor({ timeout: 15_000 })
    await chloe.locator('.note-text', { hasText: 'Écrit sans réseau' }).waitFor({ timeout: 15_000 })
    await shot(chloe, '31-back-online-fr')
    expect(errors).toEqual([])
  }, 90_000)
})
