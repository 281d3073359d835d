/**
 * Online café, in Chromium with fake microphones: three people at two online tables. The tablemates hear
 * each other (inbound RTP bytes grow in getStats), the third hears neither; the next table's call is
 * connected ahead at the announcement, silently; after the move each is connected to their new table's
 * peers only, within seconds (the time is printed). Screenshots of the call bar on a phone and a laptop.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { BrowserContextOptions, Page } from 'playwright-core'
import { ARTIFACTS, appInBrowser, shot } from '../helpers/browser'
import { audit, formatFinding, horizontalOverflow, isBlocking } from '../helpers/axe'
import { eventually } from '../helpers/eventually'
import { connect, createCafe, joinCafe, request } from '../helpers/server'
import type { TestSocket } from '../helpers/server'

const app = appInBrowser({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] })

const PHONE: BrowserContextOptions = { locale: 'fr-FR', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const LAPTOP: BrowserContextOptions = { locale: 'en-GB', viewport: { width: 1280, height: 800 } }

let fac: TestSocket | null = null
afterAll(() => { fac?.close() })

interface LinkStats { call: string; live: boolean; peer: string; state: string; bytes: number }

/** Every peer connection of the page's calls, with the audio bytes received so far. */
function links(page: Page): Promise<LinkStats[]> {
  return page.evaluate(async () => {
    const m = (window as unknown as { __nappeCalls?: { connections(): { all: Array<{ call: string; live: boolean; peer: string; pc: RTCPeerConnection }> } } }).__nappeCalls
    if (!m) return []
    return Promise.all(m.connections().all.map(async (x) => {
      let bytes = 0
      ;(await x.pc.getStats()).forEach((r: { type: string; kind?: string; bytesReceived?: number }) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes += r.bytesReceived ?? 0 })
      return { call: x.call, live: x.live, peer: x.peer, state: x.pc.connectionState, bytes }
    }))
  })
}

/** Resolves once the page's live call holds exactly `peers`, each sending it more and more sound. */
async function hears(page: Page, peers: string[], timeoutMs = 15_000): Promise<void> {
  const first = await eventually(async () => {
    const live = (await links(page)).filter((l) => l.live && l.state === 'connected')
    expect(live.map((l) => l.peer).sort()).toEqual([...peers].sort())
    return live
  }, { timeoutMs, intervalMs: 100 })
  await eventually(async () => {
    const now = (await links(page)).filter((l) => l.live)
    for (const l of first) expect(now.find((n) => n.peer === l.peer)?.bytes ?? 0, `audio from ${l.peer}`).toBeGreaterThan(l.bytes)
  }, { timeoutMs, intervalMs: 100 })
}

async function openAs(person: { participantId: string; participantToken: string }, name: string, cafeId: string, device: BrowserContextOptions): Promise<Page> {
  const page = await app.newPage(name, device)
  await page.context().addInitScript(([key, value]) => localStorage.setItem(key!, value!), [`nappe.participant.${cafeId}`, JSON.stringify({ cafeId, participantId: person.participantId, token: person.participantToken, displayName: name, title: 'x' })])
  await page.goto(`${app.t.url}/cafe/${cafeId}`)
  return page
}

describe('an online café: the table calls', () => {
  it('the wizard makes a hybrid café with the tables ticked online', async () => {
    const page = await app.newPage('wizard', PHONE)
    await page.goto(`${app.t.url}/new`)
    await page.getByLabel('Titre').fill('Café hybride')
    for (const [i, q] of ['Pour quoi ?', 'Avec qui ?', 'Comment ?'].entries()) await page.locator(`#q${i}`).fill(q)
    await page.getByRole('radio', { name: 'Hybride : certaines tables en ligne' }).check()
    await page.getByRole('checkbox', { name: 'Table 2' }).check()
    expect((await audit(page, 'wizard-hybrid-390x844')).filter(isBlocking).map(formatFinding)).toEqual([])
    await shot(page, 'calls-wizard-hybrid-390x844')
    await page.locator('fieldset', { hasText: 'Où se réunissent les tables' }).screenshot({ path: `${ARTIFACTS}calls-wizard-venue-390x844.png` })
    await page.getByRole('button', { name: 'Créer le café' }).click()
    await page.waitForURL(/\/facilitate\//)
    const id = /\/facilitate\/([^/#]+)/.exec(page.url())![1]!
    const def = app.t.server.registry.get(id)!.definition
    expect([def.venue, def.tables.map((x) => x.online === true)]).toEqual(['hybrid', [false, true, false, false, false]])
    // The console offers to listen at the online table only.
    await page.getByRole('button', { name: 'Écouter à Table 2' }).waitFor()
    expect(await page.getByRole('button', { name: 'Écouter à Table 1' }).count()).toBe(0)
  })

  it('tablemates hear each other, the third hears neither, and the call follows the move', async () => {
    const cafe = await createCafe(app.t.url, {
      title: 'Café en ligne', language: 'fr', shape: 'classic', venue: 'online', advance: 'manual',
      tables: [{ name: 'Table 1', capacity: 6 }, { name: 'Table 2', capacity: 6 }],
      // A round shorter than the 30-second notice: the next seats are announced at once.
      questions: [{ text: 'Pour quoi faire ?' }, { text: 'Avec qui ?' }], roundMinutes: 0.5,
    })
    const f = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    fac = f.socket
    expect((await request(fac, 'cafe:open')).ok).toBe(true)
    const amelie = await joinCafe(app.t.url, cafe.joinCode, 'Amélie')
    const bruno = await joinCafe(app.t.url, cafe.joinCode, 'Bruno')
    const chloe = await joinCafe(app.t.url, cafe.joinCode, 'Chloé')
    // Round 1: Amélie (host of table 1) with Bruno, Chloé alone at table 2. Round 2: Chloé joins Amélie, Bruno moves.
    const ok = async (e: Parameters<typeof request>[1], p: unknown) => expect(await request(fac!, e, p), e).toMatchObject({ ok: true })
    await ok('participant:setHost', { participantId: amelie.participantId, tableId: 't1' })
    await ok('participant:move', { participantId: bruno.participantId, tableId: 't1' })
    await ok('participant:move', { participantId: chloe.participantId, tableId: 't2' })
    await eventually(() => expect(app.t.server.registry.get(cafe.id)!.view().plan?.planning).toBe(false), { timeoutMs: 10_000 })
    await ok('plan:move', { round: 2, participantId: chloe.participantId, tableId: 't1' })
    await ok('plan:move', { round: 2, participantId: bruno.participantId, tableId: 't2' })

    const pa = await openAs(amelie, 'Amélie', cafe.id, LAPTOP)
    const pb = await openAs(bruno, 'Bruno', cafe.id, LAPTOP)
    const pc = await openAs(chloe, 'Chloé', cafe.id, PHONE)
    // A word before the browser asks for the microphone, then one click to join.
    await pa.getByRole('button', { name: 'Join with my microphone' }).click()
    await pb.getByRole('button', { name: 'Join with my microphone' }).click()
    await pc.getByRole('button', { name: 'Rejoindre avec mon micro' }).click()
    await ok('round:start', {})

    await hears(pa, ['Bruno'])
    await hears(pb, ['Amélie'])
    // Chloé is alone at her table: no live connection, so she hears neither.
    await eventually(async () => expect(await pc.getByText('Dans l’appel : vous seul·e pour l’instant').isVisible()).toBe(true))
    expect((await links(pc)).filter((l) => l.live)).toEqual([])
    await expect.poll(() => pa.getByRole('listitem').filter({ hasText: 'Bruno' }).count()).toBe(1)
    // Who is speaking: the fake microphone beeps, and Bruno's name lights up on Amélie's screen.
    await pa.locator('.call-person.speaking', { hasText: 'Bruno' }).waitFor({ timeout: 10_000 })

    // The announcement connected Amélie's table of round 2 ahead, with Chloé: connected, silent.
    await eventually(async () => {
      const next = (await links(pa)).filter((l) => !l.live)
      expect(next.map((l) => [l.peer, l.state])).toEqual([['Chloé', 'connected']])
    }, { timeoutMs: 15_000, intervalMs: 100 })
    const ahead = (await links(pc)).filter((l) => !l.live)
    expect(ahead.map((l) => l.peer)).toEqual(['Amélie'])
    expect(ahead[0]!.bytes, 'no sound before the move').toBe(0)

    for (const [page, size] of [[pa, '1280x800'], [pc, '390x844']] as const) {
      const findings = (await audit(page, `call-${size}`)).filter(isBlocking)
      expect(findings.map(formatFinding)).toEqual([])
      expect(await horizontalOverflow(page, `call-${size}`)).toBeNull()
    }
    await shot(pa, 'calls-table-1280x800')
    await shot(pc, 'calls-table-390x844')

    // The move: each leaves the old call and is in the new one by themselves.
    const movedAt = Date.now()
    await ok('round:skip', {})
    await Promise.all([hears(pa, ['Chloé']), hears(pc, ['Amélie'])])
    const ms = Date.now() - movedAt
    console.log(`table calls: sound at the new table ${ms} ms after the move (Amélie, the host, and Chloé, who moved)`)
    expect(ms).toBeLessThan(5000)
    // Bruno is alone at table 2 now: nothing from anyone, and nobody still linked to him.
    await eventually(async () => expect((await links(pb)).filter((l) => l.live)).toEqual([]))
    expect((await links(pa)).map((l) => l.peer)).toEqual(['Chloé'])
    // A reload: Chloé is back in her table's call by herself (the tab remembers she joined).
    await pc.reload()
    await hears(pc, ['Amélie'])
    await hears(pa, ['Chloé'])

    // The camera: Amélie turns hers on, Chloé sees her.
    await pa.getByRole('button', { name: 'Camera on' }).click()
    await pc.getByLabel('Caméra de Amélie').waitFor({ timeout: 10_000 })
    await shot(pc, 'calls-moved-390x844')

    // The facilitator drops in at table 1: the table is told, and she hears both.
    const consolePage = await app.newPage('console', LAPTOP)
    await consolePage.goto(`${app.t.url}/facilitate/${cafe.id}#key=${cafe.facilitatorKey}`)
    await consolePage.getByRole('button', { name: 'Listen at Table 1' }).click()
    await pa.getByText('The facilitator is listening').waitFor({ timeout: 10_000 })
    await pc.getByText('La facilitatrice écoute').waitFor()
    await hears(consolePage, ['Amélie', 'Chloé'])
    // Listening, she sends nothing: the table hears only itself.
    await eventually(async () => expect((await links(pa)).filter((l) => l.live).map((l) => [l.peer, l.state]).sort()).toEqual([['Chloé', 'connected'], ['facilitator', 'connected']]))
    expect((await links(pa)).find((l) => l.peer === 'facilitator')!.bytes).toBe(0)
    // She speaks at this table: the table is told (in each one's language), and hears her on the same link.
    await consolePage.getByRole('button', { name: 'Speak at this table' }).click()
    await pa.getByText('The facilitator is speaking at this table').waitFor({ timeout: 10_000 })
    await pc.getByText('La facilitatrice parle à cette table').waitFor()
    await hears(pa, ['Chloé', 'facilitator'])
    await consolePage.getByRole('button', { name: 'Stop speaking at this table' }).click()
    await pa.getByText('The facilitator is listening').waitFor({ timeout: 10_000 })
    // Then she speaks to all tables: Bruno, alone at table 2, hears her; nobody sends her their sound.
    await consolePage.getByRole('button', { name: 'Speak to all tables' }).click()
    await pb.getByText('The facilitator is speaking to all tables').waitFor({ timeout: 10_000 })
    await hears(pb, ['facilitator'])
    await eventually(async () => expect((await links(consolePage)).map((l) => l.peer).sort()).toEqual(['Amélie', 'Bruno', 'Chloé']))
    for (const l of await links(consolePage)) expect(l.bytes, `nobody sends their sound to an announcement (${l.peer})`).toBe(0)
    await shot(consolePage, 'calls-console-1280x800')
    expect((await audit(consolePage, 'calls-console-1280x800')).filter(isBlocking).map(formatFinding)).toEqual([])

    // The café ends: no call bar any more, and nobody's microphone stays on.
    await ok('cafe:end', {})
    for (const page of [pa, pb, pc]) {
      await eventually(async () => expect(await page.evaluate(() => (window as unknown as { __nappeCalls: { getSnapshot(): { status: string } } }).__nappeCalls.getSnapshot().status)).toBe('off'))
      expect(await page.locator('.call-bar').count()).toBe(0)
    }
    expect(app.errors).toEqual([])
  }, 60_000)
})
