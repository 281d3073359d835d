/**
 * The projector view as the room sees it, in real headless Chromium: a French three-table café shown on
 * a 1920×1080 projector (browser in English: the projector speaks the café's language), through the
 * lobby, a round, the change of tables and the end. What matters from the back of a room is measured
 * (QR and code size, timer digits, note text in the thumbnails, a full-screen change of tables), and a
 * screenshot of each moment is taken at 1920×1080, 1280×800 and 390×844, with no horizontal overflow.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { addNote } from '../../shared/tablecloth'
import { tableclothDocName } from '../../shared/tablecloth'
import { questionAt } from '../../shared/cafe'
import { appInBrowser, shot } from '../helpers/browser'
import { audit, formatFinding, isBlocking } from '../helpers/axe'
import { connect, createCafe, joinCafe, openTablecloth, request } from '../helpers/server'
import type { Joined, TestSocket } from '../helpers/server'

const app = appInBrowser()
const PROJECTOR = { width: 1920, height: 1080 }
const SIZES = [PROJECTOR, { width: 1280, height: 800 }, { width: 390, height: 844 }] as const

const opened: Array<{ destroy(): void }> = []
let facilitator: TestSocket | undefined
afterAll(() => { for (const o of opened) o.destroy(); facilitator?.close() })

/** Pixels of the page wider than the viewport (0: no horizontal overflow). */
const overflowX = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)

/** Computed font size, in px, of the first element matched. */
const fontPx = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize))

/** The rendered size of each thumbnail note's text: its font size times the thumbnail's zoom. */
const thumbnailNoteTextPx = (page: Page) => page.locator('.projector-gallery g.note').evaluateAll((notes) => notes.map((g) => {
  const text = g.querySelector('.note-text')!
  const zoom = (g as SVGGraphicsElement).getScreenCTM()!.a
  return { text: text.textContent, px: Math.round(parseFloat(getComputedStyle(text).fontSize) * zoom * 10) / 10 }
}))

/** Screenshots of the moment at every size (back to the projector's size after), none overflowing sideways. */
async function shotAllSizes(page: Page, moment: string, ready: () => Promise<unknown>): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size)
    await ready()
    await expect.poll(() => overflowX(page), { message: `${moment} at ${size.width}×${size.height} overflows sideways` }).toBeLessThanOrEqual(0)
    await shot(page, `projector-${moment}-${size.width}x${size.height}`)
  }
  await page.setViewportSize(PROJECTOR)
}

async function noBlockingViolations(page: Page, where: string): Promise<void> {
  const blocking = (await audit(page, where)).filter(isBlocking)
  expect(blocking.map(formatFinding)).toEqual([])
}

describe('the projector, made for a room', () => {
  it('shows a three-table café from the back of the room: lobby, round, change of tables, end', async () => {
    const cafe = await createCafe(app.t.url, {
      title: 'Café des parents', language: 'fr', shape: 'table-question',
      tables: [{ name: 'Table 1', capacity: 4 }, { name: 'Table 2', capacity: 4 }, { name: 'Table 3', capacity: 4 }],
      questions: [{ text: 'Qu’est-ce qui vous aide au quotidien ?' }, { text: 'Avec qui en parler ?' }, { text: 'Que faire dès demain ?' }],
      roundMinutes: 20, transitionSeconds: 300, advance: 'auto',
    })
    const fac = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    facilitator = fac.socket
    expect((await request(facilitator, 'cafe:open')).ok).toBe(true)
    const names = ['Amélie', 'Bruno', 'Chloé', 'Driss', 'Emma', 'Farid']
    const people: Array<Joined & { name: string }> = []
    for (const name of names) people.push({ ...(await joinCafe(app.t.url, cafe.joinCode, name)), name })

    // The projector, in an English browser.
    const page = await app.newPage('projector', { locale: 'en-GB', viewport: PROJECTOR })
    await page.goto(`${app.t.url}/projector/${cafe.id}#key=${cafe.facilitatorKey}`)

    // ---- Lobby: code and QR big enough to scan and read from 8 m, the count of people.
    const qr = page.getByRole('img', { name: /QR code pour rejoindre/ })
    await qr.waitFor()
    await expect.poll(async () => (await qr.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(PROJECTOR.height / 3)
    const code = `${cafe.joinCode.slice(0, 4)} ${cafe.joinCode.slice(4)}`
    await page.getByText(code, { exact: true }).waitFor()
    expect(await fontPx(page, '.pj-join-code')).toBeGreaterThanOrEqual(80)
    await page.getByText('6 personnes ont rejoint').waitFor()
    await page.getByText('Scannez pour rejoindre').waitFor()
    // The address phones must type: the server's link base (GET /api/links) when it has one, else this page's host.
    const links = await fetch(`${app.t.url}/api/links`)
    const expectedHost = links.ok ? new URL(((await links.json()) as { base: string }).base).host : new URL(app.t.url).host
    await expect.poll(() => page.locator('.pj-join-address').innerText()).toBe(expectedHost)
    expect(await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight)).toBeLessThanOrEqual(0)
    await noBlockingViolations(page, 'projector-lobby')
    await shotAllSizes(page, 'lobby', async () => {
      const box = await qr.boundingBox()
      const { height } = page.viewportSize()!
      if (height < 1000 && page.viewportSize()!.width > height) expect(box!.height).toBeGreaterThanOrEqual(height / 3)
    })

    // ---- Round 1: a host stays at each of two tables; one note per table, two at table 2.
    const view = () => fac.state()
    expect((await request(facilitator, 'round:start')).ok).toBe(true)
    await expect.poll(() => view().lifecycle.phase).toBe('round')
    const seated = (i: number) => view().participants.find((p) => p.id === people[i]!.participantId)!.tableId!
    const firstAt = (tableId: string) => people.findIndex((_, i) => seated(i) === tableId)
    const def = view().definition
    for (const [k, tb] of def.tables.slice(0, 2).entries()) {
      expect((await request(facilitator, 'participant:setHost', { participantId: people[firstAt(tb.id)]!.participantId, tableId: tb.id })).ok, `host ${k}`).toBe(true)
    }
    const notes: Record<string, Array<{ text: string; x: number; y: number }>> = {
      [def.tables[0]!.id]: [{ text: 'Les grands-parents, les voisins et les amis du quartier, quand tout va mal', x: 900, y: 500 }],
      [def.tables[1]!.id]: [{ text: 'La maison de quartier', x: 200, y: 200 }, { text: 'Le médecin traitant', x: 700, y: 420 }],
      [def.tables[2]!.id]: [{ text: 'Un groupe de parole', x: 1500, y: 900 }],
    }
    for (const tb of def.tables) {
      const i = firstAt(tb.id)
      const tc = await openTablecloth(app.t.wsUrl, tableclothDocName(cafe.id, tb.id, questionAt(def, 1, tb.id)!), { participantToken: people[i]!.participantToken })
      opened.push(tc)
      for (const n of notes[tb.id]!) addNote(tc.doc, { author: people[i]!.participantId, authorName: people[i]!.name, round: 1, now: Date.now() }, n)
    }
    await expect.poll(() => page.locator('.projector-gallery g.note').count(), { timeout: 10_000 }).toBe(4)

    // The timer, readable across the room.
    const timer = page.getByRole('timer')
    await expect.poll(() => timer.innerText()).toMatch(/TEMPS RESTANT\s+(20:00|19:5\d)/i)
    expect(await fontPx(page, '.pj-round-timer .pj-countdown-value')).toBeGreaterThanOrEqual(140)
    // Each table's own question, on its caption.
    await page.locator('.projector-gallery figcaption', { hasText: 'Avec qui en parler ?' }).waitFor()
    // The gallery takes the rest of the screen: three tablecloths across, down to the bottom, on one screen.
    const gallery = (await page.locator('.projector-gallery').boundingBox())!
    expect(gallery.y + gallery.height).toBeGreaterThanOrEqual(PROJECTOR.height - 60)
    for (const thumb of await page.locator('.projector-gallery .pj-thumb').all()) {
      const box = (await thumb.boundingBox())!
      expect(box.width).toBeGreaterThanOrEqual(PROJECTOR.width * 0.28)
      expect(box.height).toBeGreaterThanOrEqual(PROJECTOR.height * 0.5)
    }
    expect(await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight)).toBeLessThanOrEqual(0)
    // Note text legible from the back: at least 14 px as rendered, in every thumbnail.
    const rendered = await thumbnailNoteTextPx(page)
    expect(rendered).toHaveLength(4)
    for (const r of rendered) expect(r.px, r.text ?? '').toBeGreaterThanOrEqual(14)
    await noBlockingViolations(page, 'projector-round')
    await shotAllSizes(page, 'round', () => page.locator('.projector-gallery g.note').nth(3).waitFor())

    // ---- The change of tables: the whole screen, with the countdown in very large digits.
    expect((await request(facilitator, 'round:skip')).ok).toBe(true)
    const overlay = page.getByRole('main').filter({ has: page.getByRole('heading', { name: 'Changez de table' }) })
    await overlay.waitFor()
    const cover = (await overlay.boundingBox())!
    expect(cover).toEqual({ x: 0, y: 0, width: PROJECTOR.width, height: PROJECTOR.height })
    const countdown = overlay.getByRole('timer')
    await expect.poll(() => countdown.innerText()).toMatch(/LE TOUR 2 COMMENCE DANS\s+(5:00|4:5\d)/i)
    expect(await fontPx(page, '.pj-transition-timer .pj-countdown-value')).toBeGreaterThanOrEqual(250)
    // Where the hosts stay.
    await overlay.getByRole('heading', { name: 'Les hôtes restent à leur table' }).waitFor()
    expect(await overlay.getByRole('listitem').count()).toBe(2)
    await noBlockingViolations(page, 'projector-transition')
    await shotAllSizes(page, 'transition', async () => {
      const box = (await overlay.boundingBox())!
      const size = page.viewportSize()!
      expect(box).toEqual({ x: 0, y: 0, width: size.width, height: size.height })
    })

    // ---- Round 2, then the end: thanks, and every tablecloth as the tables left it.
    expect((await request(facilitator, 'round:skip')).ok).toBe(true)
    await expect.poll(() => page.getByRole('timer').innerText()).toMatch(/20:00|19:5\d/)
    await page.getByRole('heading', { name: /Tour 2 sur 3/i }).waitFor()
    expect((await request(facilitator, 'cafe:end')).ok).toBe(true)
    await page.getByRole('heading', { name: 'Merci !' }).waitFor()
    await expect.poll(() => page.locator('.projector-gallery g.note').count()).toBe(4)
    expect(await page.getByRole('timer').count()).toBe(0)
    expect(await page.locator('.pj-qr').count()).toBe(0) // nobody can join any more
    await noBlockingViolations(page, 'projector-end')
    await shotAllSizes(page, 'end', () => page.locator('.projector-gallery g.note').nth(3).waitFor())
    expect(app.errors).toEqual([])
  }, 120_000)

  it('puts one shared question first, with the facilitator\'s message and a paused timer, for five tables', async () => {
    const cafe = await createCafe(app.t.url, {
      title: 'Neighbourhood café', language: 'en', shape: 'classic',
      tables: ['A', 'B', 'C', 'D', 'E'].map((n) => ({ name: `Table ${n}`, capacity: 6 })),
      questions: [{ text: 'What would make this neighbourhood a better place to grow up in, for every child?' }, { text: 'Who could help?' }],
      roundMinutes: 15,
    })
    const { socket } = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    try {
      expect((await request(socket, 'cafe:open')).ok).toBe(true)
      for (const name of ['Ana', 'Ben', 'Cleo', 'Dan', 'Eve', 'Finn', 'Gus', 'Hana', 'Ivo', 'Jade']) await joinCafe(app.t.url, cafe.joinCode, name)
      expect((await request(socket, 'round:start')).ok).toBe(true)
      expect((await request(socket, 'round:pause')).ok).toBe(true)
      expect((await request(socket, 'cafe:broadcast', { text: 'Coffee is served in the hall' })).ok).toBe(true)
      const page = await app.newPage('projector-shared', { locale: 'fr-FR', viewport: PROJECTOR })
      await page.goto(`${app.t.url}/projector/${cafe.id}#key=${cafe.facilitatorKey}`)
      const question = page.getByText('What would make this neighbourhood a better place', { exact: false })
      await question.waitFor()
      expect(await question.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(36)
      await page.getByRole('alert').filter({ hasText: 'Coffee is served in the hall' }).waitFor()
      await expect.poll(() => page.getByRole('timer').innerText()).toMatch(/PAUSED\s+15:00/i)
      // Five tables: two rows, every tablecloth on the one screen.
      await expect.poll(() => page.locator('.projector-gallery .pj-thumb').count()).toBe(5)
      const boxes = await Promise.all((await page.locator('.projector-gallery .pj-thumb').all()).map(async (l) => (await l.boundingBox())!))
      expect(new Set(boxes.map((b) => Math.round(b.y))).size).toBe(2)
      for (const b of boxes) expect(b.y + b.height).toBeLessThanOrEqual(PROJECTOR.height)
      expect(await page.locator('.projector-gallery figcaption', { hasText: 'Who could help?' }).count()).toBe(0)
      await noBlockingViolations(page, 'projector-round-shared')
      await shotAllSizes(page, 'round-shared', () => question.waitFor())
      expect(app.errors).toEqual([])
    } finally {
      socket.close()
    }
  }, 60_000)

  it('shows the address the server gives for links, or this page\'s own when the server does not say', async () => {
    const cafe = await createCafe(app.t.url, { title: 'Room café', language: 'en', tables: [{ name: 'Table A' }], questions: [{ text: 'What helps?' }] })
    const url = `${app.t.url}/projector/${cafe.id}#key=${cafe.facilitatorKey}`
    const lan = await app.newPage('projector-lan', { locale: 'fr-FR', viewport: { width: 1280, height: 800 } })
    await lan.route('**/api/links', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ base: 'http://192.168.1.20:3000', source: 'lan' }) }))
    await lan.goto(url)
    await lan.getByText('Scan to join').waitFor()
    await expect.poll(() => lan.locator('.pj-join-address').innerText()).toBe('192.168.1.20:3000')
    expect(await lan.getByRole('img', { name: 'QR code to join: http://192.168.1.20:3000/join/' + cafe.joinCode }).count()).toBe(1)
    await lan.getByText('Waiting for the first participants').waitFor()

    const older = await app.newPage('projector-404', { locale: 'en-GB', viewport: { width: 1280, height: 800 } })
    await older.route('**/api/links', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"not_found","message":"Not found"}}' }))
    await older.goto(url)
    await older.getByText('Scan to join').waitFor()
    await expect.poll(() => older.locator('.pj-join-address').innerText()).toBe(new URL(app.t.url).host)

    // A wrong key: said so, instead of "Loading…" for ever.
    const wrong = await app.newPage('projector-wrong-key', { locale: 'en-GB', viewport: { width: 1280, height: 800 } })
    await wrong.goto(`${app.t.url}/projector/${cafe.id}#key=${'x'.repeat(43)}`)
    await wrong.getByRole('heading', { level: 1, name: /facilitator link/i }).waitFor()
    expect(await wrong.locator('[aria-busy="true"]').count()).toBe(0)
    expect(app.errors).toEqual([])
  }, 60_000)
})
