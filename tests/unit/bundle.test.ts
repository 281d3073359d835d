import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { CLIENT_DIST } from '../helpers/browser'

/** The participant's first load: the entry script and every chunk index.html preloads. */
const BUDGET_GZIP_BYTES = 250 * 1024

describe('bundle budget', () => {
  it('a participant\'s first load is at most 250 KB of gzipped JavaScript', () => {
    expect(existsSync(`${CLIENT_DIST}/index.html`), 'run `npm run build` first (npm test does)').toBe(true)
    const html = readFileSync(`${CLIENT_DIST}/index.html`, 'utf8')
    const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!)
    expect(files.length).toBeGreaterThan(0)
    const total = files.reduce((sum, f) => sum + gzipSync(readFileSync(`${CLIENT_DIST}/${f}`)).length, 0)
    console.log(`participant first load: ${(total / 1024).toFixed(1)} KB gzipped JavaScript in ${files.length} files`)
    expect(total).toBeLessThanOrEqual(BUDGET_GZIP_BYTES)
  })
})

describe('the built app carries every text', () => {
  /** Every string of a locale, with its key path. */
  const leaves = (o: unknown, path: string[] = []): Array<[string, string]> =>
    typeof o === 'string' ? [[path.join('.'), o]] : Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leaves(v, [...path, k]))

  it('each French and English string is in the built JavaScript (a stale or partial build shows people raw keys)', async () => {
    const { fr } = await import('../../client/src/locales/fr')
    const { en } = await import('../../client/src/locales/en')
    const assets = `${CLIENT_DIST}/assets`
    const js = readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => readFileSync(`${assets}/${f}`, 'utf8')).join('\n')
    // Strings a bundler escapes (backslashes, backticks, `${`, line breaks) are compared by their plain parts.
    const missing = [...leaves(fr, ['fr']), ...leaves(en, ['en'])]
      .filter(([, s]) => !s.split(/\\|`|\$\{|\n/).every((part) => js.includes(part)))
      .map(([k]) => k)
    expect(missing).toEqual([])
  })
})
