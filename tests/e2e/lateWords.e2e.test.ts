/**
 * Every word kept, in real headless Chromium against the real server (on a manual clock, so the 15 s
 * grace after a round passes without waiting):
 *
 * - Late words: a participant loses the network, writes two notes, the round ends and the next one
 *   starts, the grace passes; the page says the notes are not sent, then, back online (at another
 *   table, after a reload too), they reach the old table's tablecloth with their round, marked late,
 *   the page says everything is sent, and a tablemate of the old table sees them.
 * - A refused write: words written offline on a tablecloth the facilitator locks meanwhile are refused;
 *   the page says why and keeps them to copy, and the next note (once unlocked) is accepted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { ManualClock } from '../../server/clock'
import { ROUND_END_GRACE_MS } from '../../shared/constants'
import { readItems } from '../../shared/tablecloth'
import { CLIENT_DIST, launchBrowser, shot, watchErrors, addNoteOnSheet } from '../helpers/browser'
import { request } from '../helpers/server'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'

let browser: Browser
let s: Scenario | null = null
const contexts: BrowserContext[] = []
const errors: string[] = []
beforeAll(async () => { browser = await launchBrowser() })
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {})
  await s?.close()
  s = null
})
afterAll(async () => { await browser?.close() })

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

/** A participant's page, their identity stored as the join page would have. */
async function participantPage(sc: Scenario, index: number, label: string, opts: { phone?: boolean; blockYjs?: (url: string) => boolean } = {}): Promise<{ page: Page; context: BrowserContext }> {
  const p = sc.people[index]!
  const context = await browser.newContext({ locale: 'fr-FR', ...(opts.phone ? PHONE : { viewport: { width: 1100, height: 800 } }) })
  contexts.push(context)
  // Installed before the page runs (the provider keeps the WebSocket class it found): a way to make one
  // tablecloth unreachable for a while, the rest of the network untouched.
  const block = opts.blockYjs
  if (block) await context.routeWebSocket(/\/yjs\//, (ws) => (block(ws.url()) ? ws.close() : ws.connectToServer()))
  await context.addInitScript(([key, value]) => localStorage.setItem(key!, value!), [`nappe.participant.${sc.cafeId}`, JSON.stringify({ cafeId: sc.cafeId, participantId: p.participantId, token: p.participantToken, displayName: p.name, title: 'x' })])
  const page = await context.newPage()
  watchErrors(page, label, errors)
  await page.goto(`${sc.t.url}/cafe/${sc.cafeId}`)
  await page.locator('svg.sheet').waitFor()
  return { page, context }
}


const q = (table: string) => (table === 't1' ? 'q1' : 'q2')
const other = (table: string) => (table === 't1' ? 't2' : 't1')
const serverItems = (sc: Scenario, docName: string) => sc.t.server.tablecloths.readDoc(docName, (doc) => readItems(doc))

/** Amélie (0) and Chloé (2) at the same table in round 1. */
async function seatTogether(sc: Scenario): Promise<{ amelie: string; chloe: string; table: string }> {
  const amelie = sc.people[0]!.participantId, chloe = sc.people[2]!.participantId
  const table = sc.tableOf(amelie)
  if (sc.tableOf(chloe) !== table) expect((await request(sc.facilitator, 'participant:move', { participantId: chloe, tableId: table })).ok).toBe(true)
  return { amelie, chloe, table }
}

describe('every word kept', () => {
  it('delivers notes written offline to the old table after the rotation and the grace, and says so', async () => {
    const clock = new ManualClock(Date.now())
    s = await runningCafe({ names: ['Amélie', 'Bruno', 'Chloé'], server: { clock, config: { clientDir: CLIENT_DIST, docIdleMs: 1000 } } })
    const sc = s
    const { amelie, chloe, table } = await seatTogether(sc)
    const oldDoc = sc.docName(table, q(table))

    let blocked = false
    const { page: a, context: aContext } = await participantPage(sc, 0, 'amelie', { phone: true, blockYjs: (url) => blocked && url.endsWith(`/yjs/${oldDoc}`) })
    const { page: c } = await participantPage(sc, 2, 'chloe')

    await aContext.setOffline(true)
    await a.getByText('Hors ligne').waitFor()
    await addNoteOnSheet(a, 'Mutualiser les ressources', { x: 90, y: 200 })
    await addNoteOnSheet(a, 'Se connaître avant tout', { x: 300, y: 200 })
    await a.getByText('2 notes pas encore envoyées').waitFor()
    await shot(a, '40-late-words-offline-phone-fr')

    // The round ends, people move (Amélie to the other table, Chloé stays), the next round starts, the grace passes.
    expect((await request(sc.facilitator, 'round:skip')).ok).toBe(true)
    for (const [id, tableId] of [[amelie, other(table)], [chloe, table]] as const) {
      if (sc.tableOf(id) !== tableId) expect((await request(sc.facilitator, 'participant:move', { participantId: id, tableId })).ok).toBe(true)
    }
    expect((await request(sc.facilitator, 'round:start')).ok).toBe(true)
    clock.advance(ROUND_END_GRACE_MS + 1000)
    expect([sc.tableOf(amelie), sc.tableOf(chloe)]).toEqual([other(table), table])

    // Back online, but the old table's tablecloth cannot be reached yet: the page moves on and says what waits.
    blocked = true
    await aContext.setOffline(false)
    await a.getByText(/Tour 2/).first().waitFor({ timeout: 15_000 })
    await a.getByText('2 notes de votre table précédente ne sont pas encore envoyées').waitFor({ timeout: 15_000 })
    // A reload keeps them: the page reopens the old tablecloth from this device, in the background.
    await a.reload()
    await a.locator('svg.sheet').waitFor()
    await a.getByText('2 notes de votre table précédente ne sont pas encore envoyées').waitFor({ timeout: 15_000 })
    await shot(a, '41-late-words-previous-table-phone-fr')
    expect(serverItems(sc, oldDoc)).toEqual([])

    blocked = false
    await a.getByText('Tout est envoyé').waitFor({ timeout: 20_000 })
    await shot(a, '42-late-words-sent-phone-fr')
    const arrived = serverItems(sc, oldDoc)
    expect(arrived.map((i) => ('text' in i ? i.text : '')).sort()).toEqual(['Mutualiser les ressources', 'Se connaître avant tout'])
    for (const item of arrived) {
      expect(item).toMatchObject({ author: amelie, authorName: 'Amélie', round: 1 })
      expect(item.lateAt).toEqual(expect.any(Number))
    }
    // The tablemate who stayed at that table sees them, in round 1's ink.
    await c.locator('.note-text', { hasText: 'Mutualiser les ressources' }).waitFor({ timeout: 15_000 })
    await c.locator('.note-text', { hasText: 'Se connaître avant tout' }).waitFor()
    expect(await c.locator('g.item.note', { hasText: 'Se connaître avant tout' }).getAttribute('data-round')).toBe('1')
    // Nothing is left to reopen on this device.
    expect(await a.evaluate((key) => localStorage.getItem(key), `nappe.unsent.${sc.cafeId}.${amelie}`)).toBeNull()
    expect(errors).toEqual([])
  }, 120_000)

  it('shows why a write was refused, keeps the words to copy, and accepts the next note', async () => {
    s = await runningCafe({ names: ['Amélie', 'Bruno', 'Chloé'], server: { config: { clientDir: CLIENT_DIST, docIdleMs: 1000 } } })
    const sc = s
    const { table } = await seatTogether(sc)
    const doc = sc.docName(table, q(table))
    const { page: a, context: aContext } = await participantPage(sc, 0, 'amelie', { phone: true })
    await aContext.grantPermissions(['clipboard-read', 'clipboard-write'])
    const { page: c } = await participantPage(sc, 2, 'chloe')

    await aContext.setOffline(true)
    await a.getByText('Hors ligne').waitFor()
    await addNoteOnSheet(a, 'Écrit pendant le verrouillage', { x: 90, y: 200 })
    // Meanwhile the facilitator locks this tablecloth: whatever comes from Amélie now is refused.
    expect((await request(sc.facilitator, 'tablecloth:lock', { tableId: table, questionId: q(table), locked: true })).ok).toBe(true)
    await aContext.setOffline(false)

    await a.getByText('Pas accepté : Cette nappe est en lecture seule pour vous en ce moment.').waitFor({ timeout: 20_000 })
    await a.locator('.set-aside-text', { hasText: 'Écrit pendant le verrouillage' }).waitFor()
    // The words are not on the server: the notice must not say that everything is sent.
    expect(await a.locator('.sync-notice').textContent()).not.toContain('Tout est envoyé')
    await a.getByRole('button', { name: 'Copier le texte' }).click()
    await a.getByRole('button', { name: 'Copié' }).waitFor()
    expect(await a.evaluate(() => navigator.clipboard.readText())).toBe('Écrit pendant le verrouillage')
    await shot(a, '43-refused-set-aside-phone-fr')
    expect(serverItems(sc, doc)).toEqual([])

    // Unlocked, the next note goes through: the page's copy is back in line with the server.
    expect((await request(sc.facilitator, 'tablecloth:lock', { tableId: table, questionId: q(table), locked: false })).ok).toBe(true)
    await a.getByRole('button', { name: 'Post-it' }).waitFor()
    await addNoteOnSheet(a, 'Écrit après', { x: 90, y: 420 })
    await c.locator('.note-text', { hasText: 'Écrit après' }).waitFor({ timeout: 15_000 })
    expect(serverItems(sc, doc).map((i) => ('text' in i ? i.text : ''))).toEqual(['Écrit après'])
    // The set-aside words can be tried again, now that the tablecloth is open.
    await a.getByRole('button', { name: 'Réessayer' }).click()
    await c.locator('.note-text', { hasText: 'Écrit pendant le verrouillage' }).waitFor({ timeout: 15_000 })
    await a.locator('.set-aside').waitFor({ state: 'detached' })
    expect(errors).toEqual([])
  }, 90_000)
})
