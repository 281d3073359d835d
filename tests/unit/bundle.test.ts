import { existsSync, readFileSync } from 'node:fs'
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
