/**
 * End to end in headless Chromium, at 390×844 and 1280×800: the facilitator's console fits the screen
 * (a compact sticky bar, no sideways scrolling), says where the links point (the machine's LAN address,
 * faked here), keeps the facilitator link safe after creation (copy, a QR code drawn in the browser, a
 * printable card), names "end the rounds" apart from "open the studio", clears a banner after the café
 * ended, keeps names whole in the seating plan; and the wizard's rounds follow the questions and tables.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { NetworkInterfaceInfo } from 'node:os'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { qrPath } from '../../client/src/console/qrPath'
import { CLIENT_DIST, launchBrowser, shot, watchErrors } from '../helpers/browser'
import { createCafe, joinCafe, startServer } from '../helpers/server'
import type { TestServer } from '../helpers/server'

const LAN = '192.168.1.50'
const lanMachine = (): NodeJS.Dict<NetworkInterfaceInfo[]> => ({
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '00:00:00:00:00:00', cidr: '127.0.0.1/8' }],
  wlan0: [{ address: LAN, family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: `${LAN}/24` }],
})

const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
const LAPTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } }
const SIZES = [{ name: 'phone', options: PHONE, maxBar: 0.25 }, { name: 'laptop', options: LAPTOP, maxBar: 0.15 }] as const

let t: TestServer
let browser: Browser
const errors: string[] = []
beforeAll(async () => {
  // HOST 0.0.0.0 as with `npm start` (the test still listens on 127.0.0.1), on a machine with a LAN address.
  t = await startServer({ config: { clientDir: CLIENT_DIST, docIdleMs: 1000, host: '0.0.0.0' }, networkInterfaces: lanMachine })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await t?.close()
})

async function newPage(label: string, options: BrowserContextOptions): Promise<Page> {
  const context = await browser.newContext({ locale: 'fr-BE', ...options })
  const page = await context.newPage()
  watchErrors(page, label, errors)
  return page
}

/**
 * The page never scrolls sideways at the screen's width (on a phone, Chromium widens the layout to fit
 * what overflows: the window's own width is no test). Names what sticks out, if anything does.
 */
const noSidewaysScroll = async (page: Page) => {
  const width = page.viewportSize()!.width
  const { scroll, out } = await page.evaluate((w) => {
    const clipped = (el: Element) => {
      for (let a = el.parentElement; a; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= w + 1) return true
      }
      return false
    }
    const out = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > w + 1 && !clipped(el))
      .slice(-6).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} → ${Math.round(el.getBoundingClientRect().right)}`)
    return { scroll: document.documentElement.scrollWidth, out }
  }, width)
  expect(out, 'sticks out sideways').toEqual([])
  expect(scroll, 'horizontal overflow').toBeLessThanOrEqual(width)
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
/** axe-core on the page as it is now: no critical and no serious violation. */
const axeClean = async (page: Page, state: string) => {
  await page.evaluate(AXE)
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)
  })
  expect(found, `axe in ${state}`).toEqual([])
}

const barHeight = async (page: Page) => (await page.getByRole('region', { name: 'Conduite du café' }).boundingBox())!.height

describe('the wizard and the facilitator link', () => {
  for (const size of SIZES) {
    it(`at ${size.name} size: rounds follow the tables; after creation, "keep this link" (copy, QR code, card)`, async () => {
      const page = await newPage(`wizard-${size.name}`, { ...size.options, permissions: ['clipboard-read', 'clipboard-write'] })
      const requested: string[] = []
      page.on('request', (r) => requested.push(r.url()))
      await page.goto(`${t.url}/new`)
      await page.getByRole('heading', { name: 'Créer un café' }).waitFor()
      await page.getByRole('button', { name: 'Chaque table sa question' }).click()
      await page.getByLabel('Titre').fill(`Café des parents (${size.name})`)
      await page.getByPlaceholder('Question 1').fill('Qu’est-ce qui vous aide ?')
      await page.getByPlaceholder('Question 2').fill('Avec qui en parler ?')
      const rounds = page.getByLabel('Nombre de tours')
      expect(await rounds.inputValue()).toBe('2')
      // A third question and a third table: a third round, and the wizard says why.
      await page.getByRole('button', { name: '+ Ajouter une question' }).click()
      await page.getByPlaceholder('Question 3').fill('Et après ?')
      await page.getByLabel('Nombre de tables').fill('3')
      expect(await rounds.inputValue()).toBe('3')
      await page.getByText('3 tours : un par table, chaque groupe discute donc chaque question.').waitFor()
      await page.getByText('3 tours, environ').waitFor()
      // A count of one's own stays, with what it means and a way back.
      await rounds.fill('2')
      await page.getByText('2 tours pour 3 tables : chaque groupe ne passera qu’à 2 des 3 tables.').waitFor()
      await shot(page, `console-wizard-warning-${size.name}`)
      await axeClean(page, 'wizard')
      await page.getByRole('button', { name: 'Un tour par table (3)' }).click()
      expect(await rounds.inputValue()).toBe('3')
      await page.getByLabel('Nombre de tables').fill('4')
      expect(await rounds.inputValue()).toBe('4')
      await page.getByLabel('Nombre de tables').fill('3')
      await noSidewaysScroll(page)
      await shot(page, `console-wizard-${size.name}`)
      await page.getByRole('button', { name: 'Créer le café' }).click()
      await page.waitForURL(/\/facilitate\/[^#]+#key=/)
      const cafeId = new URL(page.url()).pathname.split('/')[2]!
      const key = new URL(page.url()).hash.replace('#key=', '')
      const cafe = t.server.registry.get(cafeId)!
      expect(cafe.definition.rounds.length).toBe(3)

      // "Keep this link", first on the page, with the link on the machine's LAN address.
      const keep = page.getByRole('region', { name: 'Gardez ce lien' })
      await keep.waitFor()
      const port = new URL(t.url).port
      const link = `http://${LAN}:${port}/facilitate/${cafeId}#key=${key}`
      expect(await keep.getByLabel('Lien d’animation', { exact: true }).inputValue()).toBe(link)
      const qr = keep.getByRole('img', { name: 'QR code du lien d’animation' })
      const box = (await qr.boundingBox())!
      expect(box.width).toBeGreaterThanOrEqual(160)
      // The QR code encodes that very link, and was drawn here: no request ever carried the key.
      expect(await qr.locator('path').getAttribute('d')).toBe(qrPath(link).d)
      expect(requested.filter((u) => u.includes(key))).toEqual([])
      const print = keep.getByRole('link', { name: 'Imprimer une carte d’animation' })
      expect(await print.getAttribute('href')).toBe(`/print/${cafeId}#key=${key}&kind=facilitator`)
      await keep.getByRole('button', { name: 'Copier le lien' }).click()
      await keep.getByRole('button', { name: 'Copié' }).waitFor()
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link)
      // Where the links point, in words.
      await page.getByText(`Les liens et QR codes utilisent l’adresse de cet ordinateur sur le réseau local (http://${LAN}:${port}) : les téléphones doivent être sur le même réseau (wifi) que cet ordinateur.`).waitFor()
      expect(await page.getByRole('link', { name: `http://${LAN}:${port}/join/${cafe.record.joinCode}` }).count()).toBe(1)
      await noSidewaysScroll(page)
      await shot(page, `console-keep-link-${size.name}`)
      await axeClean(page, 'keep this link')

      // Kept: it goes, and comes back on request (also after a reload).
      await keep.getByRole('button', { name: 'C’est fait, je l’ai gardé' }).click()
      await keep.waitFor({ state: 'detached' })
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Lien d’animation…')
      await page.reload()
      await page.getByRole('button', { name: 'Ouvrir les portes' }).waitFor()
      expect(await keep.count()).toBe(0)
      await page.getByRole('button', { name: 'Lien d’animation…' }).click()
      await keep.getByRole('button', { name: 'Fermer' }).waitFor()
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('keep-title')

      // The printable card: the link written out and as a QR code, and no key left in the address.
      const card = await newPage(`card-${size.name}`, size.options)
      await card.goto(`${t.url}/print/${cafeId}#key=${key}&kind=facilitator`)
      const article = card.getByRole('article', { name: 'Carte d’animation' })
      await article.waitFor()
      expect(card.url()).toBe(`${t.url}/print/${cafeId}#kind=facilitator`)
      expect(await article.locator('.facilitator-url').textContent()).toBe(link)
      expect(await article.getByRole('img', { name: 'QR code du lien d’animation' }).locator('path').getAttribute('d')).toBe(qrPath(link).d)
      expect(await article.textContent()).toContain(`code ${cafe.record.joinCode}`)
      expect(await card.getByRole('button', { name: 'Imprimer' }).isEnabled()).toBe(true)
      await noSidewaysScroll(card)
      await shot(card, `console-facilitator-card-${size.name}`)
      await axeClean(card, 'facilitator card')
      await card.emulateMedia({ media: 'print' })
      expect(await card.locator('.print-bar').isVisible()).toBe(false)
      expect(errors).toEqual([])
    }, 60_000)
  }
})

describe('the console through a café', () => {
  const names = ['Amélie', 'Bruno', 'Chloé', 'Driss', 'Emma', 'Farid', 'Marie-Bernadette Vandenbroucke-Delacroix', 'Hugo']
  for (const size of SIZES) {
    it(`at ${size.name} size: a compact bar in every phase, "end the rounds" apart from "open the studio", a banner cleared after the end`, async () => {
      const created = await createCafe(t.url, {
        title: `Café des partenaires (${size.name})`, language: 'fr', shape: 'classic', advance: 'manual', roundMinutes: 5,
        tables: [{ name: 'Table A', capacity: 4 }, { name: 'Table B', capacity: 4 }, { name: 'Table C', capacity: 4 }],
        questions: [{ text: 'Pour quoi faire ?' }, { text: 'Avec qui ?' }, { text: 'Et demain ?' }],
      })
      for (const [i, name] of names.entries()) await joinCafe(t.url, created.joinCode, name, { organisation: i % 2 ? 'Athénée royal de Wavre, section secondaire' : 'AMO' })
      const cafe = () => t.server.registry.get(created.id)!
      const page = await newPage(`console-${size.name}`, size.options)
      await page.goto(`${t.url}/facilitate/${created.id}#key=${created.facilitatorKey}`)
      const bar = page.getByRole('region', { name: 'Conduite du café' })

      const check = async (phase: string) => {
        const h = await barHeight(page)
        expect(h / size.options.viewport!.height, `bar height ${h}px in ${phase}`).toBeLessThanOrEqual(size.maxBar)
        await noSidewaysScroll(page)
        if (size.name === 'laptop') {
          // One line: every control of the bar on the same row.
          const tops = await bar.locator('.bar-status, .bar-controls > *, .bar-more > summary').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)))
          expect(Math.max(...tops) - Math.min(...tops), `one line in ${phase}`).toBeLessThanOrEqual(4)
        }
        // Full-page shots show a sticky bar where the page is scrolled: from the top, it is where one meets it.
        await page.evaluate(() => window.scrollTo(0, 0))
        await shot(page, `console-${phase}-${size.name}`)
      }

      await bar.getByRole('button', { name: 'Ouvrir les portes' }).waitFor()
      await check('draft')

      // The seating plan: names whole, on one line; a long one ends in an ellipsis, its full name kept.
      const plan = page.getByRole('region', { name: 'Plan de table' })
      await expect.poll(() => plan.getByTestId('plan-quality').count(), { timeout: 15_000 }).toBe(1)
      const amelie = plan.getByRole('button', { name: 'Choisir Amélie pour le déplacer' }).locator('.person-name')
      const line = await amelie.evaluate((el) => ({ h: el.getBoundingClientRect().height, lh: parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.45 }))
      expect(line.h, 'Amélie on one line').toBeLessThan(line.lh * 1.5)
      const long = plan.getByRole('button', { name: `Choisir ${names[6]} pour le déplacer` })
      expect(await long.getAttribute('title')).toContain(names[6])
      const cut = await long.locator('.person-name').evaluate((el) => ({ overflow: getComputedStyle(el).textOverflow, wraps: getComputedStyle(el).whiteSpace, h: el.getBoundingClientRect().height }))
      expect(cut.overflow).toBe('ellipsis')
      expect(cut.wraps).toBe('nowrap')
      expect(cut.h).toBeLessThan(line.lh * 1.5)
      await shot(page, `console-plan-${size.name}`)

      await bar.getByRole('button', { name: 'Ouvrir les portes' }).click()
      await bar.getByRole('button', { name: 'Lancer le tour 1' }).waitFor()
      await check('lobby')
      await bar.getByRole('button', { name: 'Lancer le tour 1' }).click()
      await bar.getByRole('button', { name: 'Pause' }).waitFor()
      await page.getByText('Tour 1 sur 3').waitFor()
      await check('round')

      // A message to everyone.
      await page.getByRole('textbox', { name: 'Message à tous' }).fill('Le café est servi dans le hall')
      await page.getByRole('button', { name: 'Afficher à tous' }).click()
      await page.getByRole('alert').filter({ hasText: 'Le café est servi dans le hall' }).waitFor()

      // Opening the studio ends nothing.
      expect(await bar.getByRole('button', { name: 'Terminer les tours…' }).isVisible()).toBe(false)
      await page.getByRole('link', { name: 'Ouvrir l’atelier de récolte' }).click()
      await page.waitForURL(/\/harvest\//)
      expect(cafe().lifecycle.phase).toBe('round')
      await page.goBack()
      await bar.getByRole('button', { name: 'Pause' }).waitFor()
      expect(cafe().lifecycle.phase).toBe('round')

      await bar.getByRole('button', { name: 'Finir le tour maintenant (changer)' }).click()
      await bar.getByRole('button', { name: 'Lancer le tour 2' }).waitFor()
      await check('transition')
      await bar.getByRole('button', { name: 'Lancer le tour 2' }).click()
      await bar.getByRole('button', { name: 'Pause' }).waitFor()

      // Ending the rounds: in the menu, under its own name, with a confirm that says what it does.
      await bar.locator('summary').click()
      const end = bar.getByRole('button', { name: 'Terminer les tours…' })
      await end.waitFor()
      await page.evaluate(() => window.scrollTo(0, 0))
      await shot(page, `console-menu-${size.name}`)
      await axeClean(page, 'round, menu open, banner')
      await noSidewaysScroll(page)
      const asked: string[] = []
      page.once('dialog', (d) => { asked.push(d.message()); void d.dismiss() })
      await end.click()
      await expect.poll(() => asked.length).toBe(1)
      expect(asked[0]).toContain('Terminer tous les tours maintenant ?')
      expect(asked[0]).toContain('plus personne ne peut rejoindre')
      expect(asked[0]).toContain('Les tours ne pourront pas reprendre.')
      expect(cafe().lifecycle.phase).toBe('round')
      if (!(await end.isVisible())) await bar.locator('summary').click()
      page.once('dialog', (d) => void d.accept())
      await end.click()
      await bar.getByRole('button', { name: 'Clore le café' }).waitFor()
      expect(cafe().lifecycle.phase).toBe('harvest')

      // The banner is still there after the end, and can be taken down.
      const banner = page.getByRole('alert').filter({ hasText: 'Le café est servi dans le hall' })
      await banner.waitFor()
      await check('harvest')
      await axeClean(page, 'harvest')
      await page.getByRole('button', { name: 'Retirer le message' }).click()
      await banner.waitFor({ state: 'detached' })
      expect(cafe().record.message).toBeNull()
      expect(errors).toEqual([])
    }, 90_000)
  }
})
