/**
 * Moderation in the console's open tablecloth, in real headless Chromium: the facilitator removes a
 * participant's note (marked, never deleted), sees it faded with who and when and a Restore button, the
 * participant no longer sees it; restored, it is back for everyone. The facilitator's own note keeps
 * its normal edit and delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Locator, Page } from 'playwright-core'
import { readItems } from '../../shared/tablecloth'
import { CLIENT_DIST, launchBrowser, shot, watchErrors, addNoteOnSheet } from '../helpers/browser'
import type { Scenario } from '../helpers/scenario'
import { runningCafe } from '../helpers/scenario'

let browser: Browser
let s: Scenario | null = null
const errors: string[] = []
beforeAll(async () => { browser = await launchBrowser() })
afterAll(async () => { await browser?.close(); await s?.close() })


describe('moderation in the console', () => {
  it('removes and restores a participant\'s note without deleting it', async () => {
    s = await runningCafe({ names: ['Amélie', 'Bruno'], server: { config: { clientDir: CLIENT_DIST, docIdleMs: 1000 } } })
    const sc = s
    const amelie = sc.people[0]!
    const table = sc.tableOf(amelie.participantId)
    const doc = sc.docOf(amelie.participantId)

    const pContext = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1100, height: 800 } })
    await pContext.addInitScript(([key, value]) => localStorage.setItem(key!, value!), [`nappe.participant.${sc.cafeId}`, JSON.stringify({ cafeId: sc.cafeId, participantId: amelie.participantId, token: amelie.participantToken, displayName: 'Amélie', title: 'x' })])
    const p = await pContext.newPage()
    watchErrors(p, 'amelie', errors)
    await p.goto(`${sc.t.url}/cafe/${sc.cafeId}`)
    await p.locator('svg.sheet').waitFor()
    await addNoteOnSheet(p, 'Hors sujet', { x: 150, y: 150 })

    const fContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 1000 } })
    const f = await fContext.newPage()
    watchErrors(f, 'facilitator', errors)
    await f.goto(`${sc.t.url}/facilitate/${sc.cafeId}#key=${sc.facilitatorKey}`)
    const tableName = table === 't1' ? 'Table 1' : 'Table 2'
    await f.getByRole('button', { name: `Open the tablecloth of ${tableName}` }).click()
    const board = f.locator('.open-board')
    await board.locator('.note-text', { hasText: 'Hors sujet' }).waitFor()

    // Her note: no edit, no delete, but Remove.
    await board.locator('g.item.note', { hasText: 'Hors sujet' }).click()
    const actions = board.getByRole('dialog', { name: 'Item' })
    await actions.waitFor()
    expect(await actions.getByRole('button', { name: 'Edit' }).count()).toBe(0)
    expect(await actions.getByRole('button', { name: 'Delete' }).count()).toBe(0)
    await actions.getByRole('button', { name: 'Remove' }).click()
    await p.locator('.note-text', { hasText: 'Hors sujet' }).waitFor({ state: 'detached' })
    // Kept on the server, marked; the facilitator sees it faded, with who and when, and can restore it.
    const removed = sc.t.server.tablecloths.readDoc(doc, (d) => readItems(d, { includeRemoved: true }))
    expect(removed).toMatchObject([{ text: 'Hors sujet', author: amelie.participantId, removed: { by: 'facilitator' } }])
    expect(sc.t.server.tablecloths.readDoc(doc, (d) => readItems(d))).toEqual([])
    await board.locator('g.item.note.removed', { hasText: 'Hors sujet' }).waitFor()
    await actions.getByText(/Removed by the facilitators at/).waitFor()
    await shot(f, '44-console-removed-note-en')
    await actions.getByRole('button', { name: 'Restore' }).click()
    await p.locator('.note-text', { hasText: 'Hors sujet' }).waitFor()
    await board.locator('g.item.note.removed').waitFor({ state: 'detached' })

    // The facilitator's own note: edit and delete as usual.
    await actions.getByRole('button', { name: 'Close' }).click()
    await addNoteOnSheet(board, 'Pause café à 10 h', { x: 600, y: 150 })
    await p.locator('.note-text', { hasText: 'Pause café à 10 h' }).waitFor()
    await board.locator('g.item.note', { hasText: 'Pause café à 10 h' }).click()
    await actions.getByRole('button', { name: 'Delete' }).click()
    await p.locator('.note-text', { hasText: 'Pause café à 10 h' }).waitFor({ state: 'detached' })
    expect(errors).toEqual([])
  }, 60_000)
})
