/** Headless Chromium (Debian's, installed by .ci/run) driven by playwright-core. */
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core'
import { startServer } from './server'
import type { TestServer } from './server'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
/** The built web app; NAPPE_CLIENT_DIST points at another build (e.g. `vite build --outDir /tmp/x`). */
export const CLIENT_DIST = process.env.NAPPE_CLIENT_DIST ?? fileURLToPath(new URL('../../client/dist', import.meta.url))

/** `args`: extra Chromium flags (e.g. fake media devices for the table calls). */
export async function launchBrowser(args: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (.ci/run does it)`)
  if (!existsSync(`${CLIENT_DIST}/index.html`)) throw new Error('client/dist is missing: run `npm run build` first (npm test does it)')
  mkdirSync(ARTIFACTS, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', ...args],
  })
}

/** Collects page errors: a test fails on any uncaught exception in the app. */
export function watchErrors(page: Page, label: string, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(`${label}: ${e.message}`))
  page.on('console', (m) => { if (m.type() === 'error' && !/WebSocket|Failed to load resource/.test(m.text())) errors.push(`${label} console: ${m.text()}`) })
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true })
}

export interface AppInBrowser {
  /** The server, serving the built web app (available once the file's tests run). */
  readonly t: TestServer
  /** Uncaught errors and console errors of every page opened with `newPage`. */
  readonly errors: string[]
  newPage(label: string, options?: BrowserContextOptions): Promise<Page>
}

/** For a test file: a server serving the web app and a browser, started before its tests, closed after. */
export function appInBrowser(opts: { args?: string[] } = {}): AppInBrowser {
  let t: TestServer | undefined
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []
  const errors: string[] = []
  beforeAll(async () => {
    t = await startServer({ config: { clientDir: CLIENT_DIST, docIdleMs: 1000 } })
    browser = await launchBrowser(opts.args)
  })
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {})
    await browser?.close()
    await t?.close()
  })
  return {
    get t() { return t! },
    errors,
    async newPage(label, options) {
      const context = await browser!.newContext(options)
      contexts.push(context)
      const page = await context.newPage()
      watchErrors(page, label, errors)
      return page
    },
  }
}

/** Adds a sticky note by tapping the sheet (of a page, or of one board on it) and typing. */
export async function addNoteOnSheet(page: Page | Locator, text: string, at: { x: number; y: number }): Promise<void> {
  await page.locator('svg.sheet').click({ position: at })
  const editor = page.locator('textarea.note-editor')
  await editor.waitFor()
  await editor.pressSequentially(text)
  await editor.press('Escape')
  await page.locator('.note-text', { hasText: text }).waitFor()
}
