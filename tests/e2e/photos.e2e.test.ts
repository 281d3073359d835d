/**
 * End to end in real headless Chromium: a table's host photographs the paper tablecloth from a phone
 * (a big picture, made smaller on the phone before it is sent); in the harvest studio the facilitator
 * sees the photo beside that question's contributions, with a drawing's thumbnail, types a contribution
 * from the photo, and finds it on the board with the photo's table and round, and in the DOCX.
 */
import { unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { svgToPng } from '../../server/export/tableclothImage'
import { addStroke } from '../../shared/tablecloth'
import { audit, formatFinding, isBlocking } from '../helpers/axe'
import { appInBrowser, shot } from '../helpers/browser'
import { eventually } from '../helpers/eventually'
import { docxParagraphs } from '../helpers/readBack'
import { connect, createCafe, joinCafe, openTablecloth, request } from '../helpers/server'

const app = appInBrowser()

/** A "photo" of a paper tablecloth as a phone camera makes it: 3,000 × 2,000 pixels. */
const paperPhoto = () => svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="3000" height="2000"><rect width="3000" height="2000" fill="#f4efe2"/>'
  + '<text x="200" y="600" font-size="220" fill="#1d4ed8">Partager les locaux</text><circle cx="2400" cy="1400" r="300" fill="#b91c1c"/></svg>')

/** Every screen of this feature is axe-clean (no critical or serious finding), the host's badge included. */
async function noBlockingFindings(page: Page, where: string): Promise<void> {
  const blocking = (await audit(page, where)).filter(isBlocking)
  expect(blocking.map(formatFinding)).toEqual([])
}

describe('photos of paper tablecloths in the browser', () => {
  it('a host photographs the paper from a phone; the studio shows it and the team types a contribution from it', async () => {
    const cafe = await createCafe(app.t.url, {
      title: 'Café papier', language: 'fr', shape: 'classic',
      tables: [{ name: 'Table 1', capacity: 4 }, { name: 'Table 2', capacity: 4 }],
      questions: [{ text: 'Pour quoi faire ?' }, { text: 'Avec qui ?' }], roundMinutes: 5, advance: 'manual',
    })
    const { socket: fac } = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    expect((await request(fac, 'cafe:open')).ok).toBe(true)

    // Amélie joins from her phone and becomes the host of her table.
    const phone = await app.newPage('host', { locale: 'fr-BE', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
    await phone.goto(`${app.t.url}/join/${cafe.joinCode}`)
    await phone.getByLabel(/Votre prénom/).fill('Amélie')
    await phone.getByRole('button', { name: 'Prendre place' }).click()
    await phone.waitForURL(/\/cafe\//)
    const bruno = await joinCafe(app.t.url, cafe.joinCode, 'Bruno')
    const runtime = app.t.server.registry.get(cafe.id)!
    const amelie = runtime.allParticipants().find((p) => p.displayName === 'Amélie')!
    const table = await eventually(() => { const t = runtime.record.seating[amelie.id]; expect(t).toBeTruthy(); return t! })
    expect((await request(fac, 'participant:setHost', { participantId: amelie.id, tableId: table })).ok).toBe(true)
    expect((await request(fac, 'round:start')).ok).toBe(true)
    const tableName = runtime.definition.tables.find((t) => t.id === table)!.name

    // Bruno draws on his tablecloth: his drawing gets a thumbnail in the studio.
    const brunoTable = runtime.record.seating[bruno.participantId]!
    const tc = await openTablecloth(app.t.wsUrl, `${cafe.id}.${brunoTable}.${runtime.definition.rounds[0]!.questionByTable[brunoTable]!}`, { participantToken: bruno.participantToken })
    addStroke(tc.doc, { author: bruno.participantId, authorName: 'Bruno', round: 1, now: Date.now() }, { points: [0, 0, 0.5, 60, 30, 0.5, 120, 0, 0.5], x: 40, y: 40 })
    addStroke(tc.doc, { author: bruno.participantId, authorName: 'Bruno', round: 1, now: Date.now() }, { points: [0, 0, 0.5, 0, 80, 0.5], x: 60, y: 60 })
    await new Promise((r) => setTimeout(r, 150))
    tc.destroy()

    // The host's phone offers the camera for their table and this round; the photo is resized before it goes.
    const capture = phone.getByLabel(`Photographier la nappe papier (${tableName}, tour 1)`)
    await capture.waitFor({ state: 'attached' })
    await expect(capture.getAttribute('capture')).resolves.toBe('environment')
    await capture.setInputFiles({ name: 'nappe.png', mimeType: 'image/png', buffer: paperPhoto() })
    await phone.getByRole('status').filter({ hasText: `Photo de ${tableName}, tour 1 envoyée.` }).waitFor()
    const [stored] = app.t.store.listPhotos(cafe.id)
    expect(stored).toMatchObject({ tableId: table, round: 1, type: 'image/jpeg', width: 2000, height: 1333, by: { kind: 'host', name: 'Amélie' } })
    expect(stored!.bytes).toBeLessThan(1_000_000)
    await shot(phone, 'photos-01-host-phone')
    await noBlockingFindings(phone, 'host-photo-390x844')

    // The facilitator's console offers the same on each table card.
    const consolePage = await app.newPage('console', { locale: 'fr-BE', viewport: { width: 1366, height: 900 } })
    await consolePage.goto(cafe.facilitatorUrl.replace(/^https?:\/\/[^/]+/, app.t.url))
    await consolePage.getByLabel(`Photographier la nappe papier (${tableName}, tour 1)`).waitFor({ state: 'attached' })

    // In the studio: the photo beside the question's contributions, and the drawing's thumbnail.
    const studio = await app.newPage('studio', { locale: 'fr-BE', viewport: { width: 1366, height: 900 } })
    await studio.goto(`${app.t.url}/harvest/${cafe.id}#key=${cafe.facilitatorKey}`)
    const questionOf = (t: string) => runtime.definition.questions.findIndex((q) => q.id === runtime.definition.rounds[0]!.questionByTable[t]) + 1
    await studio.getByRole('tab', { name: new RegExp(`Question ${questionOf(brunoTable)}`) }).click()
    await studio.getByRole('img', { name: `Dessin de 2 traits, ${runtime.definition.tables.find((t) => t.id === brunoTable)!.name}, tour 1` }).waitFor()
    await studio.getByRole('tab', { name: new RegExp(`Question ${questionOf(table)}`) }).click()
    const photoName = `Photo de la nappe papier, ${tableName}, tour 1`
    await studio.locator('canvas[role="img"]').and(studio.getByRole('img', { name: photoName })).waitFor()
    await studio.getByText('par Amélie (hôte)', { exact: false }).waitFor()

    const field = studio.getByLabel(`Taper une contribution lue sur la photo — ${photoName}`)
    await field.fill('Partager les locaux entre associations')
    await studio.getByRole('button', { name: 'Ajouter la contribution' }).click()
    await expect(field.inputValue()).resolves.toBe('')
    // On the board, a contribution like any other, with the photo's table and round as provenance.
    const card = studio.locator('.harvest-card', { hasText: 'Partager les locaux entre associations' })
    await card.waitFor({ timeout: 10_000 })
    await expect(card.locator('.meta').innerText()).resolves.toContain(`${tableName} · tour 1 · Photo de la nappe`)
    await studio.getByRole('list', { name: `Tapé depuis : ${photoName}` }).getByText('Partager les locaux entre associations').waitFor()
    // A typo is corrected beside the photo; the card follows.
    await studio.getByRole('button', { name: 'Modifier « Partager les locaux entre associations »' }).click()
    await studio.getByLabel('Modifier « Partager les locaux entre associations »').fill('Partager les locaux entre les associations')
    await studio.getByRole('button', { name: 'Enregistrer' }).click()
    await studio.locator('.harvest-card', { hasText: 'Partager les locaux entre les associations' }).waitFor({ timeout: 10_000 })
    await shot(studio, 'photos-02-studio')
    await noBlockingFindings(studio, 'studio-photos-1366x900')

    // The question's section shows the pictures of round 1: in the preview, the photo itself.
    await studio.getByLabel('Images des nappes dans la synthèse').selectOption({ label: 'Fin du tour 1' })
    await studio.getByRole('tab', { name: 'Synthèse' }).click()
    await studio.getByRole('button', { name: 'Générer le premier jet' }).click()
    await studio.getByRole('button', { name: 'Aperçu' }).click()
    await studio.locator('.synthesis-preview canvas[role="img"]').and(studio.getByRole('img', { name: `${tableName} — Photo de la nappe papier, tour 1` })).waitFor()
    await shot(studio, 'photos-03-preview')
    await noBlockingFindings(studio, 'studio-preview-1366x900')

    // The DOCX has the photo (the JPEG the phone made) and the typed contribution is among the contributions.
    const docx = new Uint8Array(await (await fetch(`${app.t.url}/api/cafes/${cafe.id}/export?format=docx`, { headers: { authorization: `Bearer ${cafe.facilitatorKey}` } })).arrayBuffer())
    const media = unzipSync(docx, { filter: (f) => f.name.startsWith('word/media/') })
    const photoBytes = app.t.store.getPhoto(cafe.id, stored!.id)!.data
    expect(Object.values(media).some((m) => Buffer.from(m).equals(Buffer.from(photoBytes)))).toBe(true)
    expect(docxParagraphs(docx).map((p) => p.text)).toContain('Les nappes')
    const csv = await (await fetch(`${app.t.url}/api/cafes/${cafe.id}/export?format=csv`, { headers: { authorization: `Bearer ${cafe.facilitatorKey}` } })).text()
    expect(csv).toContain('Partager les locaux entre les associations')
    fac.close()
    expect(app.errors).toEqual([])
  }, 90_000)
})
