/**
 * Every screen as a person meets it: one café run from the test (the facilitator's moves by Socket.IO,
 * the contributions written with y-websocket), every page and state visited in real Chromium at phone
 * (390×844), laptop (1280×800) and projector (1920×1080) sizes; a full-page screenshot of each in
 * test-artifacts/screens/, and axe-core (WCAG 2.1 A and AA) on each. The test fails listing every
 * critical or serious violation, and every screen wider than the device.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { addNote, addStroke, addText, toggleStar } from '../../shared/tablecloth'
import { questionAt } from '../../shared/cafe'
import { seatingRound } from '../../shared/lifecycle'
import { audit, horizontalOverflow, isBlocking, summarize } from '../helpers/axe'
import type { Finding } from '../helpers/axe'
import { ARTIFACTS, appInBrowser } from '../helpers/browser'
import { connect, createCafe, joinCafe, openTablecloth, request } from '../helpers/server'
import type { Joined } from '../helpers/server'

const app = appInBrowser()

const SIZES = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const
const SCREENS = `${ARTIFACTS}screens/`
/** Every page and state the test visits (each at every size). */
const STATES = [
  'join', 'waiting', 'console-lobby', 'plan-chosen', 'print-cards', 'print-tables', 'home', 'wizard',
  'table', 'list', 'console-round', 'projector', 'transition', 'projector-transition',
  'ended', 'console-harvest', 'harvest-board', 'synthesis', 'synthesis-preview', 'harvest-export',
]

const people: Array<{ name: string; organisation: string; sector: string; note: string }> = [
  { name: 'Bruno', organisation: 'Athénée de Wavre', sector: 'École', note: 'Mutualiser les ressources entre écoles et associations du quartier' },
  { name: 'Chloé', organisation: 'CPAS de Wavre', sector: 'Social', note: 'Se connaître avant d’en avoir besoin' },
  { name: 'Driss', organisation: 'Planning familial', sector: 'Santé', note: 'Le temps' },
  { name: 'Emma', organisation: 'AMO Rixensart', sector: 'Aide à la jeunesse', note: 'Un coordinateur pour la commune' },
  { name: 'Farid', organisation: 'Athénée de Wavre', sector: 'École', note: 'Les parents, la famille' },
  { name: 'Gaëlle', organisation: 'CPAS de Wavre', sector: 'Social', note: 'Une meilleure connaissance des partenaires' },
  { name: 'Hugo', organisation: 'Planning familial', sector: 'Santé', note: 'Des réunions plus courtes' },
  { name: 'Maëlle-Amélie', organisation: 'AMO Rixensart', sector: 'Aide à la jeunesse', note: 'Un annuaire partagé' },
]

describe('every screen, at three sizes', () => {
  it('has no critical or serious axe violation and fits the screen, from the home page to the synthesis', async () => {
    const started = Date.now()
    mkdirSync(SCREENS, { recursive: true })
    const findings: Finding[] = []
    const overflows: string[] = []
    const visited: string[] = []
    const timings: Record<string, { ready: number; shot: number; axe: number }> = {}

    /** Screenshot, audit and overflow check of one state at every size; the page is left at laptop size. */
    async function check(page: Page, state: string, ready: () => Promise<unknown> = async () => {}): Promise<void> {
      let t0 = Date.now()
      await ready()
      const spent = timings[state] = { ready: Date.now() - t0, shot: 0, axe: 0 }
      for (const size of SIZES) {
        await page.setViewportSize(size)
        await settle(page)
        const where = `${state}-${size.width}x${size.height}`
        t0 = Date.now()
        await page.screenshot({ path: `${SCREENS}${where}.png`, fullPage: true })
        spent.shot += Date.now() - t0
        t0 = Date.now()
        findings.push(...(await audit(page, where)))
        spent.axe += Date.now() - t0
        const wide = await horizontalOverflow(page, where)
        if (wide) overflows.push(wide)
        visited.push(where)
      }
      await page.setViewportSize(SIZES[1])
    }

    const cafe = await createCafe(app.t.url, {
      title: 'World Café des partenaires de Wavre', date: '2026-12-09', place: 'Wavre', language: 'fr', shape: 'classic',
      tables: ['Table A', 'Table B', 'Table C'].map((name) => ({ name, capacity: 4 })),
      questions: [{ text: 'Le travail en réseau : pour quoi faire, concrètement, dans nos métiers ?' }, { text: 'Avec qui travailler, et comment garder le lien ?' }],
      roundMinutes: 20, advance: 'manual',
    })
    const runtime = () => app.t.server.registry.get(cafe.id)!
    const { socket: fac } = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    const ok = async (event: Parameters<typeof request>[1], payload?: unknown) => {
      const ack = await request(fac, event, payload)
      if (!ack.ok) throw new Error(`${event}: ${ack.error.code} ${ack.error.message}`)
    }
    const keyUrl = (path: string, extra = '') => `${app.t.url}${path}#key=${cafe.facilitatorKey}${extra}`
    try {
      await ok('cafe:open')
      const joined: Array<Joined & (typeof people)[number]> = []
      for (const p of people) joined.push({ ...(await joinCafe(app.t.url, cafe.joinCode, p.name, { organisation: p.organisation, sector: p.sector })), ...p })

      // A participant in a French browser: the join page, then the waiting room.
      const amelie = await app.newPage('amelie', { locale: 'fr-BE', viewport: SIZES[1] })
      await amelie.goto(`${app.t.url}/join/${cafe.joinCode}`)
      await check(amelie, 'join', () => amelie.getByLabel(/prénom/i).waitFor())
      await amelie.getByLabel(/prénom/i).fill('Amélie')
      await amelie.getByRole('button', { name: /place/i }).click()
      await amelie.waitForURL(/\/cafe\//)
      await check(amelie, 'waiting', () => amelie.getByText(/Bonjour Amélie/).waitFor())
      const amelieId = runtime().activeParticipants().find((p) => p.displayName === 'Amélie')!.id

      // The facilitator (French browser): console in the lobby, the seating plan with someone chosen.
      const host = await app.newPage('facilitator', { locale: 'fr-BE', viewport: SIZES[1] })
      await host.goto(keyUrl(`/facilitate/${cafe.id}`))
      const plan = host.getByRole('region', { name: 'Plan de table' })
      await check(host, 'console-lobby', () => expect.poll(() => plan.getByTestId('plan-quality').textContent(), { timeout: 15_000 }).toMatch(/rencontre/))
      await check(host, 'plan-chosen', async () => {
        await plan.getByRole('button', { name: 'Choisir Bruno pour le déplacer' }).click()
        await plan.getByRole('status').filter({ hasText: /Bruno choisi/ }).waitFor()
      })
      // The printable plan: itinerary cards and the table plan.
      await host.goto(keyUrl(`/print/${cafe.id}`, '&kind=cards'))
      await check(host, 'print-cards', () => host.getByRole('article', { name: 'Amélie', exact: true }).waitFor())
      await host.goto('about:blank')
      await host.goto(keyUrl(`/print/${cafe.id}`, '&kind=tables'))
      await check(host, 'print-tables', () => host.getByRole('heading', { name: /^Tour 1/ }).first().waitFor())
      // The home page (it lists the café facilitated on this device) and the wizard.
      await host.goto(app.t.url)
      await check(host, 'home', () => host.getByRole('link', { name: /World Café des partenaires/ }).waitFor())
      await host.goto(`${app.t.url}/new`)
      await check(host, 'wizard', () => host.getByRole('heading', { name: 'Créer un café', level: 1 }).waitFor())

      // Round 1: everyone writes; Amélie's tablemates too, so her tablecloth is not empty.
      await ok('round:start')
      const writers = []
      const docOf = (participantId: string) => {
        const r = runtime()
        const table = r.record.seating[participantId]!
        return { table, name: `${cafe.id}.${table}.${questionAt(r.definition, seatingRound(r.lifecycle), table)}` }
      }
      for (const [i, p] of joined.entries()) {
        const tc = await openTablecloth(app.t.wsUrl, docOf(p.participantId).name, { participantToken: p.participantToken })
        const who = { author: p.participantId, authorName: p.name, round: 1, now: Date.now() }
        const id = addNote(tc.doc, who, { text: p.note, x: 60 + (i % 3) * 260, y: 60 + Math.floor(i / 3) * 240 })
        if (i % 3 === 0) addStroke(tc.doc, who, { points: [0, 0, 0.5, 40, 30, 0.5, 90, 10, 0.5, 140, 60, 0.5, 200, 20, 0.5], x: 120, y: 520 })
        if (i % 4 === 1) addText(tc.doc, who, { text: 'Confiance !', x: 700, y: 480, size: 28 })
        toggleStar(tc.doc, id, p.participantId)
        writers.push(tc)
      }
      const mate = joined.find((p) => docOf(p.participantId).table === docOf(amelieId).table)
      expect(mate, 'someone writes at Amélie’s table').toBeDefined()
      await check(amelie, 'table', async () => {
        await amelie.getByRole('timer').waitFor()
        await amelie.getByText(mate!.note).first().waitFor()
      })
      // The list view, opened at laptop size (its button is named by visible text there).
      await check(amelie, 'list', async () => {
        await amelie.getByRole('button', { name: 'Liste' }).click()
        await amelie.getByRole('heading', { name: /Tour 1/ }).first().waitFor()
      })
      await amelie.getByRole('button', { name: 'Liste' }).click()

      await host.goto(keyUrl(`/facilitate/${cafe.id}`))
      await check(host, 'console-round', () => expect.poll(() => host.locator('[data-item-id]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(joined.length))
      await host.goto(keyUrl(`/projector/${cafe.id}`))
      await check(host, 'projector', () => expect.poll(() => host.locator('[data-item-id]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(joined.length))
      for (const tc of writers) tc.destroy()

      // The change of tables (manual advance: it lasts until the facilitator starts round 2).
      await ok('round:skip')
      await check(amelie, 'transition', () => amelie.getByText(/Changement de table/i).first().waitFor())
      await check(host, 'projector-transition', () => host.getByRole('heading', { level: 1, name: /table/i }).waitFor())

      // Round 2, then the end of the café: the participant's thanks, the harvest.
      await ok('round:start')
      await ok('cafe:end')
      await check(amelie, 'ended', () => amelie.getByRole('heading', { name: 'Merci !' }).waitFor())
      await host.goto(keyUrl(`/facilitate/${cafe.id}`))
      await check(host, 'console-harvest', () => host.getByRole('link', { name: /récolte/i }).first().waitFor())

      await host.goto(keyUrl(`/harvest/${cafe.id}`))
      await host.getByText('Le temps', { exact: true }).waitFor()
      await host.getByLabel('Nouveau thème').fill('Les facilitants')
      await host.getByRole('button', { name: 'Ajouter le thème' }).click()
      const card = (text: string): Locator => host.locator('article', { hasText: text })
      await card('Le temps').getByLabel('Ranger dans un thème').selectOption({ label: 'Les facilitants' })
      const column = host.locator('section', { has: host.getByRole('textbox', { name: 'Nom du thème' }) })
      await column.getByText('Le temps', { exact: true }).waitFor()
      await column.getByRole('button', { name: 'Point clé' }).click()
      await check(host, 'harvest-board', () => column.getByRole('button', { name: /Point clé/, pressed: true }).waitFor())
      // The studio's tabs follow the tabs pattern: one Tab stop, the arrows move and select.
      await host.getByRole('tab', { name: /Question 1/ }).focus()
      await host.keyboard.press('ArrowRight')
      await expect.poll(() => host.evaluate(() => document.activeElement?.textContent)).toMatch(/^Question 2/)
      expect(await host.getByRole('tab', { selected: true }).textContent()).toMatch(/^Question 2/)
      expect(await host.getByRole('tab').evaluateAll((tabs) => tabs.filter((x) => (x as HTMLElement).tabIndex === 0).length)).toBe(1)
      await host.keyboard.press('End')
      await expect.poll(() => host.getByRole('tab', { selected: true }).textContent()).toBe('Exporter')
      await host.getByRole('tab', { name: 'Synthèse' }).click()
      await host.getByRole('button', { name: 'Générer le premier jet' }).click()
      await check(host, 'synthesis', () => host.getByLabel('Introduction').waitFor())
      await host.getByRole('button', { name: 'Aperçu' }).click()
      await check(host, 'synthesis-preview', () => host.locator('.synthesis-preview strong', { hasText: 'Le temps' }).waitFor())
      await host.getByRole('tab', { name: 'Exporter' }).click()
      await check(host, 'harvest-export', () => host.getByRole('button', { name: 'Markdown' }).waitFor())
    } finally {
      fac.close()
      writeFileSync(`${SCREENS}axe.json`, JSON.stringify({ visited, timings, findings, overflows, seconds: (Date.now() - started) / 1000 }, null, 2))
    }

    const blocking = summarize(findings.filter(isBlocking))
    expect(new Set(visited.map((v) => v.replace(/-\d+x\d+$/, '')))).toEqual(new Set(STATES))
    expect.soft(overflows, 'screens wider than the device').toEqual([])
    expect.soft(app.errors, 'errors in the pages').toEqual([])
    expect(blocking, 'critical and serious axe violations').toEqual([])
  }, 240_000)
})

/** Waits until what a screenshot would show is there: images loaded, fonts ready, layout done. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await Promise.all([...document.images].map((img) => (img.complete ? null : new Promise((r) => { img.addEventListener('load', r, { once: true }); img.addEventListener('error', r, { once: true }) }))))
    await document.fonts.ready
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  })
}
