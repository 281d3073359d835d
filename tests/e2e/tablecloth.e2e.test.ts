/**
 * The participant's tablecloth at a crowded table, on a phone (390×844, touch) and on a laptop (1280×800):
 * readable note text at the first zoom, named tools with the dots tool in sight, new notes that do not
 * cover earlier ones, markers for what lies outside the view, a view that shows everything, and an item
 * bar that never covers the sheet.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { BrowserContextOptions, Locator, Page } from 'playwright-core'
import type * as Y from 'yjs'
import { addNote, tableclothDocName } from '../../shared/tablecloth'
import { addNoteOnSheet, appInBrowser, shot } from '../helpers/browser'
import { audit, formatFinding, horizontalOverflow, isBlocking } from '../helpers/axe'
import type { Finding } from '../helpers/axe'
import { connect, createCafe, joinCafe, openTablecloth, request } from '../helpers/server'
import type { TestSocket } from '../helpers/server'

const app = appInBrowser()

const DEVICES = {
  phone: { options: { locale: 'fr-FR', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }, words: { list: 'Liste', dots: 'Gommettes', fit: 'Tout voir', note: 'Post-it', item: 'Élément', marker: /Post-it de Bruno \(tour 1\), en dessous/ } },
  laptop: { options: { locale: 'en-GB', viewport: { width: 1280, height: 800 } }, words: { list: 'List', dots: 'Dots', fit: 'Show all', note: 'Note', item: 'Item', marker: /Note by Bruno \(round 1\), below/ } },
} satisfies Record<string, { options: BrowserContextOptions; words: Record<string, string | RegExp> }>

type Box = { x: number; y: number; width: number; height: number }
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
const inside = (outer: Box, inner: Box, slack = 1) => inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack
const box = async (l: Locator): Promise<Box> => (await l.boundingBox())!

/** Rendered size of a note's text, in CSS pixels: its font size times the sheet's zoom. */
const renderedFontPx = (l: Locator) => l.evaluate((el: HTMLElement) => parseFloat(getComputedStyle(el).fontSize) * (el.getBoundingClientRect().height / el.offsetHeight))

let cleanup: Array<() => void | Promise<void>> = []
afterEach(async () => { for (const c of cleanup.reverse()) await c(); cleanup = [] })

/** A one-table café in its first round: the person in the browser, and Bruno writing from a script. */
async function tableInRound(device: keyof typeof DEVICES): Promise<{ page: Page; bruno: { doc: Y.Doc; id: string }; fac: TestSocket }> {
  const cafe = await createCafe(app.t.url, {
    title: 'Nappe au téléphone', language: 'fr', shape: 'classic', tables: [{ name: 'Table 1', capacity: 8 }],
    questions: [{ text: 'Le travail en réseau. Pour quoi faire ?' }, { text: 'Avec qui ?' }], roundMinutes: 20,
  })
  const { socket: fac } = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
  cleanup.push(() => { fac.close() })
  expect((await request(fac, 'cafe:open')).ok).toBe(true)
  const me = await joinCafe(app.t.url, cafe.joinCode, 'Chloé')
  const bruno = await joinCafe(app.t.url, cafe.joinCode, 'Bruno')
  expect((await request(fac, 'round:start')).ok).toBe(true)
  const page = await app.newPage(device, DEVICES[device].options)
  await page.context().addInitScript(([key, value]) => localStorage.setItem(key!, value!), [`nappe.participant.${cafe.id}`, JSON.stringify({ cafeId: cafe.id, participantId: me.participantId, token: me.participantToken, displayName: 'Chloé', title: 'x' })])
  await page.goto(`${app.t.url}/cafe/${cafe.id}`)
  await page.locator('svg.sheet').waitFor()
  const questionId = app.t.server.registry.get(cafe.id)!.definition.questions[0]!.id
  const tableId = app.t.server.registry.get(cafe.id)!.definition.tables[0]!.id
  const remote = await openTablecloth(app.t.wsUrl, tableclothDocName(cafe.id, tableId, questionId), { participantToken: bruno.participantToken })
  cleanup.push(() => remote.destroy())
  return { page, bruno: { doc: remote.doc, id: bruno.participantId }, fac }
}

describe.each(['phone', 'laptop'] as const)('the tablecloth on a %s', (device) => {
  const words = DEVICES[device].words

  it('reads at the first zoom, names its tools, places notes apart, points at what is out of view, fits, and keeps the bar off the sheet', async () => {
    const { page, bruno } = await tableInRound(device)
    const sheet = page.locator('svg.sheet')
    const width = DEVICES[device].options.viewport.width
    const size = `${width}x${DEVICES[device].options.viewport.height}`
    const findings: Finding[] = []
    const check = async (state: string) => {
      findings.push(...(await audit(page, `${state}-${size}`)))
      const overflow = await horizontalOverflow(page, `${state}-${size}`)
      expect(overflow).toBeNull()
    }

    // Every tool says what it is; the list view and the dots are in sight, not in an overflow.
    const toolbar = page.getByRole('toolbar')
    const buttons = await toolbar.getByRole('button').all()
    expect(buttons.length).toBeGreaterThanOrEqual(9)
    for (const b of buttons) expect(await b.ariaSnapshot()).toMatch(/- button "[^"]*\p{L}[^"]*"/u)
    for (const name of [words.list, words.dots, words.fit, words.note]) {
      const b = page.getByRole('button', { name, exact: false }).first()
      expect(await b.isVisible()).toBe(true)
      const r = await box(b)
      expect(r.x).toBeGreaterThanOrEqual(0)
      expect(r.x + r.width).toBeLessThanOrEqual(width)
      expect(await b.innerText()).toMatch(/\p{L}{3}/u) // a visible word, not only an icon
    }

    // Two notes written one after the other, the second tapped where it would cover the first.
    await addNoteOnSheet(page, 'Mutualiser les ressources', { x: 110, y: 140 })
    await addNoteOnSheet(page, 'Se connaître avant tout', { x: 240, y: 190 })
    const first = page.locator('g.item.note', { hasText: 'Mutualiser' }).locator('rect.note-paper')
    const second = page.locator('g.item.note', { hasText: 'Se connaître' }).locator('rect.note-paper')
    expect(overlap(await box(first), await box(second))).toBe(false)
    expect(inside(await box(sheet), await box(second))).toBe(true)

    // Readable without zooming: note text at 14 px or more on screen.
    expect(await renderedFontPx(page.locator('.note-text', { hasText: 'Mutualiser' }))).toBeGreaterThanOrEqual(14)

    // A tablemate's note far down the paper: a marker at the edge points at it, and brings it into view.
    addNote(bruno.doc, { author: bruno.id, authorName: 'Bruno', round: 1, now: Date.now() }, { text: 'Tout en bas de la nappe', x: 60, y: 1380 })
    const far = page.locator('g.item.note', { hasText: 'Tout en bas' })
    await far.waitFor()
    expect(overlap(await box(sheet), await box(far.locator('rect.note-paper')))).toBe(false)
    const marker = page.getByRole('button', { name: words.marker })
    await marker.waitFor()
    expect(inside(await box(sheet), await box(marker))).toBe(true)
    await shot(page, `tablecloth-${device}-markers`)
    await check('tablecloth-markers')
    await marker.click()
    await expect.poll(async () => inside(await box(sheet), await box(far.locator('rect.note-paper')))).toBe(true)
    await page.getByRole('dialog', { name: words.item }).waitFor()

    // By keyboard too: Tab to a note now outside the view pans the sheet to it, and the page stays put.
    expect(inside(await box(sheet), await box(first))).toBe(false)
    await sheet.focus()
    const scrollY = await page.evaluate(() => window.scrollY)
    await page.keyboard.press('Tab')
    await expect.poll(() => page.locator('g.item.note', { hasText: 'Mutualiser' }).evaluate((el) => el === document.activeElement)).toBe(true)
    await expect.poll(async () => inside(await box(sheet), await box(first))).toBe(true)
    await page.evaluate(() => new Promise(requestAnimationFrame))
    expect(await page.evaluate(() => window.scrollY)).toBe(scrollY)

    // "Show all": every item on screen at once.
    await page.getByRole('button', { name: words.fit }).click()
    await expect.poll(async () => {
      const s = await box(sheet)
      const all = await page.locator('svg.sheet [data-item-id]').all()
      return all.length === 3 && (await Promise.all(all.map(async (i) => inside(s, await box(i), 2)))).every(Boolean)
    }).toBe(true)
    expect(await page.locator('.edge-marker').count()).toBe(0)
    await shot(page, `tablecloth-${device}-fit`)
    await check('tablecloth-fit')

    // The item bar sits under the sheet, never over it; the picked note stays in full view.
    await page.getByRole('button', { name: words.note, exact: true }).click()
    await page.locator('g.item.note', { hasText: 'Se connaître' }).click()
    const bar = page.getByRole('dialog', { name: words.item })
    await bar.waitFor()
    const [barBox, sheetBox] = [await box(bar), await box(sheet)]
    expect(overlap(barBox, sheetBox)).toBe(false)
    expect(barBox.y).toBeGreaterThanOrEqual(sheetBox.y + sheetBox.height - 1)
    expect(inside(sheetBox, await box(second))).toBe(true)
    await shot(page, `tablecloth-${device}-paper`)
    await check('tablecloth-item-bar')

    // The dots tool: a tap on a note gives it one of one's dots.
    const dots = page.getByRole('button', { name: words.dots })
    await dots.click()
    expect(await dots.getAttribute('aria-pressed')).toBe('true')
    await page.locator('g.item.note', { hasText: 'Tout en bas' }).click()
    await expect.poll(() => dots.locator('.tool-count').innerText()).toBe('4')
    await page.locator('g.item.note', { hasText: 'Tout en bas' }).locator('.badges').waitFor()

    // The list view, named on every screen size.
    await page.getByRole('button', { name: words.list }).click()
    await page.locator('.list-item', { hasText: 'Tout en bas' }).waitFor()
    await shot(page, `tablecloth-${device}-list`)
    await check('tablecloth-list')
    // axe-core: nothing critical or serious in any of these states.
    expect(findings.filter(isBlocking).map(formatFinding)).toEqual([])
    expect(app.errors).toEqual([])
  }, 60_000)
})
