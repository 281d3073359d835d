/**
 * The server as `npm start` runs it: the bundle in dist/server/ (scripts/buildServer.mjs), with its worker
 * threads beside it. It starts without the export renderers (they load in the job thread when first
 * asked for), and every heavy path still works from the bundle: an import, a PDF, a zip with images.
 */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { buildArchive } from '../../server/export/archive'
import { frenchCafeData } from '../fixtures/frenchCafe'
import type { ChildServer } from '../helpers/child'
import { startBuiltServer } from '../helpers/child'

const cleanups: Array<() => void> = []
afterEach(() => { for (const c of cleanups.splice(0).reverse()) c() })

const GOLDEN = readFileSync(new URL('../golden/synthese-fixture.md', import.meta.url), 'utf8')
/** The native libraries mapped into the server's process (its threads included). */
const nativeLibraries = (child: ChildServer) => readFileSync(`/proc/${child.proc.pid}/maps`, 'utf8')
  .split('\n').map((l) => l.split(/\s+/)[5] ?? '').filter((f) => f.endsWith('.node'))

describe('the built server', () => {
  it('starts without the export renderers, then imports and exports from its job thread', async () => {
    const { child, url } = await startBuiltServer(cleanups, { LOG_LEVEL: 'warn' })

    // The image renderer is a native library: not in the process until an export needs it.
    expect(nativeLibraries(child).some((f) => f.includes('better_sqlite3'))).toBe(true)
    expect(nativeLibraries(child).filter((f) => f.includes('resvg'))).toEqual([])
    const res = await fetch(`${url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(buildArchive(frenchCafeData())) })
    expect(res.status).toBe(201)
    const created = (await res.json()) as { id: string; facilitatorKey: string }
    // Nor is it for an import (the job thread loads the renderers with its first export).
    expect(nativeLibraries(child).filter((f) => f.includes('resvg'))).toEqual([])

    const get = (format: string) => fetch(`${url}/api/cafes/${created.id}/export?format=${format}`, { headers: { authorization: `Bearer ${created.facilitatorKey}` } })
    expect(await (await get('md')).text()).toBe(GOLDEN)
    const pdf = Buffer.from(await (await get('pdf')).arrayBuffer())
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    const zip = await get('zip')
    expect(zip.status).toBe(200)
    const body = Buffer.from(await zip.arrayBuffer())
    expect(body.subarray(0, 2).toString()).toBe('PK')
    // The tablecloth images of the zip were drawn: the renderer is loaded now.
    expect(nativeLibraries(child).some((f) => f.includes('resvg'))).toBe(true)
    expect(body.includes(Buffer.from('.png'))).toBe(true)
  })
})
