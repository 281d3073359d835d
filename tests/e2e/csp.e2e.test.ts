/**
 * End to end in real headless Chromium: the web app works under the server's strict
 * Content-Security-Policy (no inline script or style, same-origin only) and the browser reports no
 * violation while a café is created, opened, joined, written on and projected.
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { appInBrowser } from '../helpers/browser'

const app = appInBrowser()

/** Every CSP violation the page reports: the console's "Refused to … Content Security Policy" lines and `securitypolicyviolation` events. */
async function watchCsp(page: Page, label: string, violations: string[]): Promise<void> {
  page.on('console', (m) => { if (/Content Security Policy|CSP violation/i.test(m.text())) violations.push(`${label}: ${m.text()}`) })
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.effectiveDirective} ${e.blockedURI}`))
  })
}

describe('the app under its Content-Security-Policy', () => {
  it('creates, opens, joins, writes and projects a café with no CSP violation', async () => {
    const violations: string[] = []
    const fac = await app.newPage('facilitator', { locale: 'en-GB', viewport: { width: 1280, height: 900 } })
    await watchCsp(fac, 'facilitator', violations)
    const home = await fac.goto(app.t.url)
    expect(home!.headers()['content-security-policy']).toContain("script-src 'self'")
    await fac.getByRole('button', { name: 'Create a café' }).click()
    await fac.getByRole('button', { name: 'Each table its own question' }).click()
    await fac.getByLabel('Title').fill('Café sous CSP')
    await fac.getByPlaceholder('Question 1').fill('Pour quoi faire ?')
    await fac.getByPlaceholder('Question 2').fill('Avec qui ?')
    await fac.getByRole('button', { name: 'Create the café' }).click()
    await fac.waitForURL(/\/facilitate\/[^#]+#key=/)
    await fac.getByRole('button', { name: 'Open the doors' }).click()
    await fac.getByRole('button', { name: 'Start round 1' }).waitFor()
    // The QR code is an image from this origin.
    await expect.poll(() => fac.locator('img.qr').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)

    const cafe = app.t.server.registry.all().find((c) => c.definition.title === 'Café sous CSP')!
    const amelie = await app.newPage('amelie', { locale: 'en-GB', viewport: { width: 1280, height: 900 } })
    await watchCsp(amelie, 'amelie', violations)
    await amelie.goto(`${app.t.url}/join/${cafe.record.joinCode}`)
    await amelie.getByLabel(/Your first name/).fill('Amélie')
    await amelie.getByRole('button', { name: 'Take a seat' }).click()
    await amelie.waitForURL(/\/cafe\//)
    await amelie.getByText('Hello Amélie!').waitFor()
    await fac.getByRole('button', { name: 'Start round 1' }).click()

    // Socket.IO and the Yjs WebSocket (connect-src 'self') carry a note; its ink colour is a React style prop.
    await amelie.getByRole('button', { name: 'Note', exact: true }).click()
    await amelie.locator('svg.sheet').click({ position: { x: 160, y: 140 } })
    const editor = amelie.locator('textarea.note-editor')
    await editor.waitFor()
    await editor.pressSequentially('Sous CSP')
    await editor.press('Escape')
    await amelie.locator('.note-text', { hasText: 'Sous CSP' }).waitFor()
    expect(await amelie.locator('.note-text', { hasText: 'Sous CSP' }).evaluate((el: HTMLElement) => el.style.color)).not.toBe('')

    const projector = await app.newPage('projector', { locale: 'en-GB', viewport: { width: 1920, height: 1080 } })
    await watchCsp(projector, 'projector', violations)
    const shown = await projector.goto(`${app.t.url}/projector/${cafe.id}#key=${fac.url().split('#key=')[1]}`)
    expect(shown!.headers()['content-security-policy']).toContain("frame-ancestors 'none'")
    await projector.locator('.projector-gallery [data-item-id]').first().waitFor()
    await fac.locator('.table-card [data-item-id]').first().waitFor()

    expect(violations).toEqual([])
    expect(app.errors).toEqual([])
    violations.length = 0

    // The watch itself works: an inline script is refused, and reported.
    await amelie.evaluate(() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.append(s) })
    await expect.poll(() => violations.length).toBeGreaterThan(0)
    expect(await amelie.evaluate(() => (window as unknown as { __inline?: number }).__inline)).toBeUndefined()
    expect(violations.join('\n')).toContain('script-src')
    app.errors.length = 0 // the refusal is also a console error, on purpose here
  }, 90_000)
})
