/**
 * Accessibility audit of a page with axe-core, and the layout check a person notices first: a screen
 * wider than the device. Any e2e test can call them.
 *
 * axe-core is evaluated in the page through the DevTools protocol (page.evaluate), which the app's strict
 * Content-Security-Policy does not block: no script tag is added and the policy is not bypassed. It is
 * injected once per document and then run as often as needed (@axe-core/playwright injects it again and
 * opens a blank page for every audit, for the sake of frames, which the app does not have).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AxeResults, RunOptions } from 'axe-core'
import type { Page } from 'playwright-core'

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** The rules that decide: WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const
/**
 * Also run, though axe marks them experimental: a visible label that is not part of the accessible name
 * (WCAG 2.5.3, "label in name": a voice-control user says what they see).
 */
export const EXTRA_RULES = ['label-content-name-mismatch'] as const
/** What fails a test. */
export const BLOCKING = ['critical', 'serious'] as const

export interface Finding {
  /** The page and state, e.g. `table-390x844`. */
  where: string
  rule: string
  impact: string
  help: string
  /** One CSS selector per element. */
  targets: string[]
  /** The first element's HTML, shortened. */
  html: string
  /** What axe says would fix it, for the first element. */
  fix: string
}

/** Runs axe on the page as it is now; returns every violation (all impacts), one finding per rule. */
export async function audit(page: Page, where: string): Promise<Finding[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE)
  const options: RunOptions = {
    runOnly: { type: 'tag', values: [...WCAG_TAGS] },
    rules: Object.fromEntries(EXTRA_RULES.map((r) => [r, { enabled: true }])),
    resultTypes: ['violations'],
  }
  const results = await page.evaluate((o) => (window as unknown as { axe: { run(c: Document, o: unknown): Promise<AxeResults> } }).axe.run(document, o), options)
  return results.violations.map((v) => ({
    where,
    rule: v.id,
    impact: v.impact ?? 'unknown',
    help: v.help,
    targets: v.nodes.map((n) => n.target.map(String).join(' >> ')),
    html: (v.nodes[0]?.html ?? '').replace(/\s+/g, ' ').slice(0, 160),
    fix: (v.nodes[0]?.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240),
  }))
}

export const isBlocking = (f: Finding): boolean => (BLOCKING as readonly string[]).includes(f.impact)

/** One line per finding, for a test failure a person can act on. */
export function formatFinding(f: Finding): string {
  const more = f.targets.length > 3 ? ` (+${f.targets.length - 3} more)` : ''
  return `[${f.impact}] ${f.rule} on ${f.where}: ${f.targets.slice(0, 3).join(', ')}${more} — ${f.help}. ${f.html}`
}

/**
 * The same findings, one line per rule and state: the sizes where it shows are listed together
 * (`where` of the form `<state>-<w>x<h>`).
 */
export function summarize(findings: Finding[]): string[] {
  const groups = new Map<string, { f: Finding; sizes: string[] }>()
  for (const f of findings) {
    const [, state = f.where, size = ''] = /^(.*)-(\d+x\d+)$/.exec(f.where) ?? []
    const key = `${f.rule}|${state}`
    const g = groups.get(key)
    if (g) g.sizes.push(size)
    else groups.set(key, { f: { ...f, where: state }, sizes: [size] })
  }
  return [...groups.values()].map(({ f, sizes }) => formatFinding({ ...f, where: `${f.where} (${sizes.filter(Boolean).join(', ')})` }))
}

/**
 * How much wider than the viewport the page is, and the outermost elements that stick out on the right
 * (a screen that scrolls sideways on a phone). Null when it fits.
 */
export async function horizontalOverflow(page: Page, where: string): Promise<string | null> {
  const found = await page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const scroll = document.documentElement.scrollWidth
    if (scroll <= width + 1) return null
    const describe = (el: Element) => {
      const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : ''
      return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls}`
    }
    // Elements that stick out, whose parent does not (the cause, not every descendant of it), and that
    // no scrolling or clipping box holds in.
    const sticking = (el: Element) => el.getBoundingClientRect().right > width + 1
    const clipped = (el: Element) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return true
      return false
    }
    const causes: string[] = []
    for (const el of document.body.querySelectorAll('*')) {
      if (!sticking(el) || (el.parentElement && el.parentElement !== document.body && sticking(el.parentElement)) || clipped(el)) continue
      causes.push(`${describe(el)} (${Math.round(el.getBoundingClientRect().right)} px)`)
      if (causes.length >= 3) break
    }
    return { width, scroll, causes }
  })
  return found && `${where}: ${found.scroll - found.width} px wider than the screen (${found.width} px); sticking out: ${found.causes.join(', ') || '?'}`
}
