/**
 * The web app through HAProxy to three nodes, in real headless Chromium: two participants join by the
 * join page, write, and the café's node is killed (-9) mid-round; a note written at that moment
 * reaches the tablemate through the node that takes the café, and a reload shows everything.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CafeInput } from '../../shared/cafe'
import { launchBrowser, shot, watchErrors } from '../helpers/browser'
import type { TestCluster } from '../helpers/cluster'
import { connectCafe, startCluster } from '../helpers/cluster'
import { createCafe, request } from '../helpers/server'

const oneTable: CafeInput = {
  title: 'Café réseau', language: 'fr', shape: 'classic', roundMinutes: 10,
  tables: [{ name: 'Table des Lilas', capacity: 6 }], questions: [{ text: 'Avec qui travailler ?' }],
}

let c: TestCluster
let browser: Browser
const errors: string[] = []
const closers: Array<() => unknown> = []
beforeAll(async () => {
  c = await startCluster({ nodes: 3, leaseSeconds: 2 })
  browser = await launchBrowser()
}, 180_000)
afterAll(async () => { for (const f of closers.reverse()) await f(); await browser?.close(); await c?.stop() }, 60_000)

async function participant(label: string, code: string, name: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1100, height: 800 } })
  closers.push(() => context.close())
  const page = await context.newPage()
  watchErrors(page, label, errors)
  await page.goto(`${c.proxy.url}/join/${code}`)
  await page.getByLabel(/Votre prénom/).fill(name)
  await page.getByRole('button', { name: 'Prendre place' }).click()
  await page.waitForURL(/\/cafe\//)
  return page
}

async function writeNote(page: Page, text: string, at: { x: number; y: number }): Promise<void> {
  await page.locator('svg.sheet').click({ position: at })
  await page.locator('textarea.note-editor').pressSequentially(text)
  await page.locator('textarea.note-editor').press('Escape')
}

describe('the web app on three nodes', () => {
  it('joins through the proxy, and goes on writing when the café\'s node is killed mid-round', async () => {
    const cafe = await createCafe(c.proxy.url, oneTable)
    const fac = await connectCafe(c.proxy.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    closers.push(() => fac.socket.close())
    expect((await request(fac.socket, 'cafe:open')).ok).toBe(true)
    const amelie = await participant('amelie', cafe.joinCode, 'Amélie')
    const chloe = await participant('chloe', cafe.joinCode, 'Chloé')
    await chloe.getByText('Bonjour Chloé !').waitFor()
    expect((await request(fac.socket, 'round:start')).ok).toBe(true)
    for (const p of [amelie, chloe]) await p.getByRole('button', { name: 'Post-it' }).waitFor()

    await writeNote(amelie, 'Avant la panne', { x: 200, y: 200 })
    await chloe.locator('.note-text', { hasText: 'Avant la panne' }).waitFor({ timeout: 10_000 })

    const owner = (await c.ownerOf(cafe.id))!
    c.node(owner).child.proc.kill('SIGKILL')
    const killedAt = performance.now()
    await writeNote(amelie, 'Pendant la bascule', { x: 420, y: 260 })
    await chloe.locator('.note-text', { hasText: 'Pendant la bascule' }).waitFor({ timeout: 20_000 })
    const throughMs = performance.now() - killedAt
    expect(await c.ownerOf(cafe.id)).not.toBe(owner)
    for (const p of [amelie, chloe]) await p.getByText('En ligne').first().waitFor({ timeout: 15_000 })
    await shot(chloe, 'cluster-01-after-failover-fr')

    // What the new node serves, from PostgreSQL alone.
    await chloe.reload()
    for (const text of ['Avant la panne', 'Pendant la bascule']) await chloe.locator('.note-text', { hasText: text }).waitFor({ timeout: 15_000 })
    console.log(`browser through the proxy: a note written at the kill reached the tablemate ${Math.round(throughMs)} ms later`)
    expect(errors).toEqual([])
    await c.restart(owner)
  }, 150_000)
})
