/**
 * The server guards the tablecloths: security headers on every answer (and a projector that only the
 * configured origins may frame), join codes throttled without ever refusing a right one, and imports
 * and exports done off the event loop, with their own queue and time limits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loopMonitor } from '../helpers/loopMonitor'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../server/clock'
import { parseConfig } from '../../server/config'
import { buildArchive } from '../../server/export/archive'
import { createJobPools } from '../../server/export/jobPools'
import { silentLogger } from '../../server/log'
import { frenchCafeData } from '../fixtures/frenchCafe'
import { bigArchive } from '../helpers/bigArchive'
import { eventually } from '../helpers/eventually'
import type { TestServer } from '../helpers/server'
import { connect, createCafe, joinCafe, request, startServer } from '../helpers/server'

let t: TestServer | null = null
const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await t?.close()
  t = null
})

/** A stand-in for client/dist: the headers do not depend on what the page holds. */
function clientDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nappe-client-'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Nappe</title><script type="module" src="/assets/app.js"></script>')
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The CSP as a map of directive to its sources. */
function csp(res: Response): Map<string, string[]> {
  const header = res.headers.get('content-security-policy')
  expect(header, 'Content-Security-Policy').toBeTruthy()
  return new Map(header!.split(';').map((d) => d.trim()).filter(Boolean).map((d) => { const [name, ...values] = d.split(/\s+/); return [name!, values] }))
}

async function importFixture(url: string) {
  const res = await fetch(`${url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(buildArchive(frenchCafeData())) })
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string; facilitatorKey: string }
}

describe('security headers', () => {
  it('a strict CSP, nosniff, no referrer and no framing on pages, API answers and exports', async () => {
    t = await startServer({ config: { clientDir: clientDir() } })
    const created = await importFixture(t.url)
    const answers = {
      page: await fetch(`${t.url}/`),
      deepLink: await fetch(`${t.url}/facilitate/abc`),
      api: await fetch(`${t.url}/api/cafes/nope`),
      health: await fetch(`${t.url}/healthz`),
      export: await fetch(`${t.url}/api/cafes/${created.id}/export?format=md`, { headers: { authorization: `Bearer ${created.facilitatorKey}` } }),
    }
    expect(answers.page.status).toBe(200)
    expect(answers.api.status).toBe(404)
    expect(answers.export.status).toBe(200)
    for (const [what, res] of Object.entries(answers)) {
      const policy = csp(res)
      expect(policy.get('default-src'), what).toEqual(["'self'"])
      expect(policy.get('script-src'), what).toEqual(["'self'"])
      expect(policy.get('script-src-attr'), what).toEqual(["'none'"])
      expect(policy.get('style-src'), what).toEqual(["'self'"])
      expect(policy.get('img-src'), what).toEqual(["'self'"])
      expect(policy.get('connect-src'), what).toEqual(["'self'"])
      expect(policy.get('object-src'), what).toEqual(["'none'"])
      expect(policy.get('frame-ancestors'), what).toEqual(["'none'"])
      // Plain HTTP (a laptop on the room's wifi): nothing may be sent to https:// instead.
      expect(policy.has('upgrade-insecure-requests'), what).toBe(false)
      expect(res.headers.get('content-security-policy'), what).not.toMatch(/unsafe-inline|unsafe-eval|data:|\*/)
      // Once, from helmet: not a second hand-set copy ("nosniff, nosniff").
      expect(res.headers.get('x-content-type-options'), what).toBe('nosniff')
      expect(res.headers.get('referrer-policy'), what).toBe('no-referrer')
      expect(res.headers.get('x-frame-options'), what).toBe('DENY')
      expect(res.headers.get('strict-transport-security'), what).toBeNull()
      expect(res.headers.get('x-powered-by'), what).toBeNull()
    }
  })

  it('the projector view may be framed only by the origins in FRAME_ANCESTORS, and no other page', async () => {
    t = await startServer({ config: { clientDir: clientDir() } })
    const before = await fetch(`${t.url}/projector/abcDEF_12`)
    expect(before.status).toBe(200)
    expect(csp(before).get('frame-ancestors')).toEqual(["'none'"])
    expect(before.headers.get('x-frame-options')).toBe('DENY')
    await t.close()

    const config = parseConfig({ FRAME_ANCESTORS: 'https://intranet.example.org https://*.example.be' })
    t = await startServer({ config: { clientDir: clientDir(), frameAncestors: config.frameAncestors } })
    const projector = await fetch(`${t.url}/projector/abcDEF_12`)
    expect(csp(projector).get('frame-ancestors')).toEqual(['https://intranet.example.org', 'https://*.example.be'])
    // X-Frame-Options cannot name an origin; browsers follow frame-ancestors.
    expect(projector.headers.get('x-frame-options')).toBeNull()
    expect(csp(projector).get('script-src')).toEqual(["'self'"])
    for (const path of ['/', '/facilitate/abcDEF_12', '/projector/abcDEF_12/more', '/api/cafes/abcDEF_12', '/harvest/abcDEF_12']) {
      const res = await fetch(`${t.url}${path}`)
      expect(csp(res).get('frame-ancestors'), path).toEqual(["'none'"])
      expect(res.headers.get('x-frame-options'), path).toBe('DENY')
    }
  })

  it('behind HTTPS (PUBLIC_URL): upgrade-insecure-requests and HSTS', async () => {
    t = await startServer({ config: { publicUrl: 'https://nappe.example.org' } })
    const res = await fetch(`${t.url}/healthz`)
    expect(csp(res).has('upgrade-insecure-requests')).toBe(true)
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+$/)
  })

  it('FRAME_ANCESTORS takes origins only: nothing can slip into the header', () => {
    expect(parseConfig({}).frameAncestors).toEqual([])
    expect(parseConfig({ FRAME_ANCESTORS: "https://a.example.org, http://localhost:8080 'self'" }).frameAncestors).toEqual(['https://a.example.org', 'http://localhost:8080', "'self'"])
    for (const bad of ['https://a.example.org; script-src *', '*', 'javascript:alert(1)', 'https://a.example.org/path', "'unsafe-inline'"]) {
      expect(() => parseConfig({ FRAME_ANCESTORS: bad }), bad).toThrow(/FRAME_ANCESTORS/)
    }
  })
})

describe('joining under a prank', () => {
  const lookUp = (code: string) => fetch(`${t!.url}/api/join/${code}`)
  const join = (code: string, displayName: string) => fetch(`${t!.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, displayName }) })

  it('a right code is never refused because of wrong codes from the same address; wrong ones get 429 until the minute has passed', async () => {
    const clock = new ManualClock(Date.now())
    t = await startServer({ clock, config: { joinAttemptsPerMinute: 5 } })
    const cafe = await createCafe(t.url)
    // Someone at the same address (one conference wifi) types codes at random.
    const wrong = []
    for (let i = 0; i < 8; i++) wrong.push((await lookUp(`ZZZZZZ${i}${i}`)).status)
    expect(wrong).toEqual([404, 404, 404, 404, 404, 429, 429, 429])
    const limited = await lookUp('ABCDEFGH')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await limited.json()).error).toMatchObject({ code: 'rate_limited' })
    expect((await join('ABCDEFGH', 'Prankster')).status).toBe(429)

    // Meanwhile the participants, with the right code (typed any way), get in.
    const summary = await lookUp(cafe.joinCode.toLowerCase())
    expect(summary.status).toBe(200)
    expect((await summary.json()).id).toBe(cafe.id)
    for (const name of ['Amélie', 'Bruno', 'Chloé']) expect((await join(cafe.joinCode, name)).status).toBe(201)
    expect(t.server.registry.get(cafe.id)!.activeParticipants()).toHaveLength(3)
    // ...and a right code does not count, nor lift the limit for wrong ones.
    expect((await lookUp('ZZZZZZ99')).status).toBe(429)

    // An expired code is a wrong code like any other: the same answer as an unknown one.
    const { socket } = await connect(t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    cleanups.push(() => { socket.close() })
    expect((await request(socket, 'cafe:open')).ok).toBe(true)
    expect((await request(socket, 'cafe:end')).ok).toBe(true)
    const expired = await lookUp(cafe.joinCode)
    const unknown = await lookUp('ZZZZZZ98')
    expect([expired.status, unknown.status]).toEqual([429, 429])
    expect(await expired.json()).toEqual(await unknown.json())

    // The minute passes: wrong codes get 404 again.
    clock.advance(60_000)
    expect((await lookUp('ZZZZZZ97')).status).toBe(404)
  })

  it('right codes are not counted: a whole conference behind one address joins, and typos still get 404', async () => {
    t = await startServer({ config: { joinAttemptsPerMinute: 3 } })
    const cafe = await createCafe(t.url)
    for (let i = 0; i < 20; i++) await joinCafe(t.url, cafe.joinCode, `Personne ${i}`)
    expect((await lookUp('ZZZZZZ11')).status).toBe(404)
  })
})

describe('imports and exports off the event loop', () => {
  it('a big archive is imported while the event loop is never held long, and comes out the same', async () => {
    t = await startServer()
    const archive = bigArchive()
    const body = Buffer.from(JSON.stringify(archive)) // made before measuring: this is the client's work
    expect(body.byteLength).toBeGreaterThan(20 * 1024 * 1024)
    const loop = loopMonitor()
    const res = await fetch(`${t.url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const { heldMs, lateMs } = loop.stop()
    expect(res.status).toBe(201)
    console.info(`import of ${(body.byteLength / 1048576).toFixed(1)} MB: event loop held at most ${Math.round(heldMs)} ms (timer late by ${Math.round(lateMs)} ms at most)`)
    // Alone on this machine: 40-50 ms. Beside the browser tests of the full suite, on 2 shared cores, up
    // to ~290 ms (the loop's own short tasks stretched while descheduled). On the main thread the same
    // import held it for seconds: the bound tells those apart.
    expect(heldMs).toBeLessThan(600)

    const created = await res.json() as { id: string; facilitatorKey: string }
    const exported = await fetch(`${t.url}/api/cafes/${created.id}/export?format=json`, { headers: { authorization: `Bearer ${created.facilitatorKey}` } })
    expect(exported.status).toBe(200)
    const text = await exported.text()
    // One line per item: the archive of a café that draws a lot can be imported again.
    expect(text.length).toBeLessThan(body.byteLength * 1.3)
    const again = JSON.parse(text)
    for (const part of ['participants', 'history', 'tablecloths', 'snapshots'] as const) expect(again[part], part).toEqual(archive[part])
  }, 120_000)

  it('one import at a time: a full queue answers 429 with Retry-After at once, before reading the body', async () => {
    const jobs = createJobPools(silentLogger, { imports: { maxQueue: 0 } })
    t = await startServer({ jobs })
    const body = Buffer.from(JSON.stringify(bigArchive({ tables: 20 })))
    const first = fetch(`${t.url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    await eventually(() => expect(jobs.imports.busy).toBe(true), { timeoutMs: 20_000 })
    const second = await fetch(`${t.url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(second.status).toBe(429)
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    // The connection closes: the server does not read the rest of the archive only to throw it away.
    expect(second.headers.get('connection')).toBe('close')
    expect((await second.json()).error.message).toContain('busy with other imports')
    expect((await first).status).toBe(201)
    expect(t.server.registry.all()).toHaveLength(1)
  }, 120_000)

  it('an import past its time limit is stopped with a clear error, and creates nothing', async () => {
    t = await startServer({ jobs: createJobPools(silentLogger, { imports: { jobTimeoutMs: 300 } }) })
    const res = await fetch(`${t.url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bigArchive({ tables: 20 })) })
    expect(res.status).toBe(400)
    expect((await res.json()).error.message).toMatch(/^Reading the archive took too long: .*nothing was imported/)
    expect(t.server.registry.all()).toHaveLength(0)
  }, 60_000)

  it('an export past its time limit is stopped with a clear error; the next one works', async () => {
    const jobs = createJobPools(silentLogger, { exports: { jobTimeoutMs: 3000 } })
    t = await startServer({ jobs })
    const res = await fetch(`${t.url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bigArchive({ tables: 8 })) })
    expect(res.status).toBe(201)
    const created = await res.json() as { id: string; facilitatorKey: string }
    const get = (format: string) => fetch(`${t!.url}/api/cafes/${created.id}/export?format=${format}`, { headers: { authorization: `Bearer ${created.facilitatorKey}` } })
    // The zip draws 64 tablecloth images, ten seconds of work or more; the CSV is a fraction of a second.
    const zip = await get('zip')
    expect(zip.status).toBe(500)
    expect((await zip.json()).error).toMatchObject({ code: 'internal', message: expect.stringContaining('zip export took too long and was stopped') })
    // A fresh thread for the next one (its time counts from when the thread is ready).
    expect((await get('csv')).status).toBe(200)
  }, 60_000)
})
