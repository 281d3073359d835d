/**
 * End to end in real headless Chromium: after a café of two rounds, the facilitator and a co-harvester
 * harvest together (two themes, drag and drop, a key point, a theme written as a list, a card moved on
 * purpose to the other question, a drop across questions refused, a free section with prose), generate
 * the prose synthesis, edit it by hand, and download the Markdown and the DOCX from the console.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import type { Page } from 'playwright-core'
import { addNote } from '../../shared/tablecloth'
import { audit, formatFinding, isBlocking } from '../helpers/axe'
import { appInBrowser, shot } from '../helpers/browser'
import { docxParagraphs } from '../helpers/readBack'
import { connect, createCafe, joinCafe, openTablecloth, request } from '../helpers/server'

const app = appInBrowser()

function newPage(label: string, locale: string): Promise<Page> {
  return app.newPage(label, { locale, viewport: { width: 1366, height: 900 }, acceptDownloads: true })
}

describe('the harvest in the browser', () => {
  it('two rounds, themes by drag and drop, safe filing, a free section, a prose synthesis edited by hand, Markdown, DOCX and XLSX downloads', async () => {
    const cafe = await createCafe(app.t.url, {
      title: 'World Café Assuétudes', date: '2011-12-09', place: 'Wavre', language: 'fr', shape: 'classic',
      tables: [{ name: 'Table 1', capacity: 4 }, { name: 'Table 2', capacity: 4 }],
      questions: [{ text: 'Le travail en réseau. Pour quoi faire ?' }, { text: 'Le travail en réseau. Avec qui ?' }],
      roundMinutes: 5, advance: 'manual',
    })
    const amelie = await joinCafe(app.t.url, cafe.joinCode, 'Amélie', { organisation: 'AMO Rixensart', sector: 'Aide à la jeunesse' })
    const bruno = await joinCafe(app.t.url, cafe.joinCode, 'Bruno', { organisation: 'Athénée de Wavre', sector: 'École' })
    const { socket: fac } = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    const write = async (who: typeof amelie, name: string, round: number, text: string) => {
      const runtime = app.t.server.registry.get(cafe.id)!
      const table = runtime.record.seating[who.participantId]!
      const q = runtime.definition.rounds[round - 1]!.questionByTable[table]!
      const tc = await openTablecloth(app.t.wsUrl, `${cafe.id}.${table}.${q}`, { participantToken: who.participantToken })
      addNote(tc.doc, { author: who.participantId, authorName: name, round, now: Date.now() }, { text, x: 20, y: 20 })
      await new Promise((r) => setTimeout(r, 100))
      tc.destroy()
    }
    expect((await request(fac, 'cafe:open')).ok).toBe(true)
    expect((await request(fac, 'round:start')).ok).toBe(true)
    await write(amelie, 'Amélie', 1, 'Le temps')
    await write(bruno, 'Bruno', 1, 'Une meilleure connaissance des partenaires')
    await write(bruno, 'Bruno', 1, 'Les éducateurs de rue')
    expect((await request(fac, 'round:skip')).ok).toBe(true)
    expect((await request(fac, 'round:start')).ok).toBe(true)
    await write(amelie, 'Amélie', 2, 'Les parents, la famille')
    expect((await request(fac, 'cafe:end')).ok).toBe(true)
    fac.close()

    // The facilitator (French browser) goes from the console to the harvest studio.
    const page = await newPage('facilitator', 'fr-BE')
    await page.goto(cafe.facilitatorUrl.replace(/^https?:\/\/[^/]+/, app.t.url))
    await page.getByRole('link', { name: 'Ouvrir l’atelier de récolte' }).click()
    await page.waitForURL(/\/harvest\//)
    await page.getByText('Le temps', { exact: true }).waitFor()
    // A co-harvester on the same link sees the work live.
    const helper = await newPage('co-harvester', 'fr-BE')
    await helper.goto(`${app.t.url}/harvest/${cafe.id}#key=${cafe.facilitatorKey}`)
    await helper.getByText('Le temps', { exact: true }).waitFor()

    for (const name of ['Les freins', 'Les facilitants']) {
      await page.getByLabel('Nouveau thème').fill(name)
      await page.getByRole('button', { name: 'Ajouter le thème' }).click()
      await page.locator(`.theme-head input[value="${name}"]`).waitFor()
    }
    const column = (p: Page, name: string) => p.locator('.harvest-column', { has: p.locator(`.theme-head input[value="${name}"]`) })
    await page.locator('.harvest-card', { hasText: 'Le temps' }).dragTo(column(page, 'Les freins'))
    await column(page, 'Les freins').locator('.harvest-card', { hasText: 'Le temps' }).waitFor()
    await page.locator('.harvest-card', { hasText: 'Une meilleure connaissance' }).dragTo(column(page, 'Les facilitants'))
    await column(page, 'Les facilitants').locator('.harvest-card', { hasText: 'Une meilleure connaissance' }).waitFor()
    await column(page, 'Les freins').getByRole('button', { name: 'Point clé' }).click()
    // Provenance on every card: table, round, author, organisation.
    await expect(column(page, 'Les freins').locator('.meta').innerText()).resolves.toMatch(/Table \d · tour 1 · Amélie \(AMO Rixensart\)/)
    await column(helper, 'Les freins').locator('.harvest-card.key-point', { hasText: 'Le temps' }).waitFor()
    await shot(page, 'harvest-01-board')
    const blocking = (await audit(page, 'harvest-board')).filter(isBlocking)
    expect(blocking.map(formatFinding)).toEqual([])

    // Question 2 gets a theme written as a list; its card is filed there with the card's menu (keyboard, touch).
    const card = (p: Page, text: string) => p.locator('.harvest-card', { hasText: text })
    const tempsKey = (await card(page, 'Le temps').getAttribute('data-key'))!
    await page.getByRole('tab', { name: /Question 2/ }).click()
    await page.getByLabel('Nouveau thème').fill('Les acteurs')
    await page.getByRole('button', { name: 'Ajouter le thème' }).click()
    await column(page, 'Les acteurs').getByLabel('Dans la synthèse :').selectOption('list')
    await card(page, 'Les parents, la famille').getByLabel('Ranger dans un thème').selectOption({ label: 'Les acteurs' })
    await column(page, 'Les acteurs').locator('.harvest-card', { hasText: 'Les parents, la famille' }).waitFor()
    // A drop from another window (the co-harvester's board of question 1) cannot file a card under another question.
    await column(page, 'Les acteurs').evaluate((el, key) => {
      const dt = new DataTransfer()
      dt.setData('application/x-nappe-contribution', key)
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
    }, tempsKey)
    await expect(page.getByRole('status').filter({ hasText: 'La déposer ne peut pas la faire changer de question' }).innerText()).resolves.toContain('Question 1')
    await expect(column(page, 'Les acteurs').locator('.harvest-card', { hasText: 'Le temps' }).count()).resolves.toBe(0)

    // On question 1, a card's menu offers only question 1's themes; the move to question 2 is its own, confirmed action.
    await page.getByRole('tab', { name: /Question 1/ }).click()
    const menu = card(page, 'Les éducateurs de rue').getByLabel('Ranger dans un thème')
    await expect(menu.locator('option').allTextContents()).resolves.toEqual(['À trier', 'Les freins', 'Les facilitants'])
    await card(page, 'Les éducateurs de rue').getByRole('button', { name: 'Autre question…' }).click()
    await card(page, 'Les éducateurs de rue').getByLabel('Déplacer vers un thème d’une autre question').selectOption({ label: 'Les acteurs' })
    const asked = new Promise<string>((resolve) => page.once('dialog', (d) => { resolve(d.message()); void d.accept() }))
    await card(page, 'Les éducateurs de rue').getByRole('button', { name: 'Déplacer', exact: true }).click()
    expect(await asked).toContain('« Les éducateurs de rue » vers Question 2 › Les acteurs ?')
    await expect.poll(() => card(page, 'Les éducateurs de rue').count()).toBe(0)
    await page.getByRole('tab', { name: /Question 2/ }).click()
    await column(page, 'Les acteurs').locator('.harvest-card', { hasText: 'Les éducateurs de rue' }).getByText('Déplacée ici depuis : Question 1').waitFor()

    // A free section holds prose written by hand (themes there are optional).
    await page.getByLabel('Nouvelle partie libre').fill('Comment ?')
    await page.getByRole('button', { name: 'Ajouter la partie' }).click()
    const prose = page.getByLabel('Texte de la partie')
    await prose.click()
    await prose.pressSequentially('Les participants proposent des pistes.\n\n**La première étape** est de se rencontrer.')
    await expect.poll(() => helper.getByRole('tab', { name: 'Comment ?' }).count()).toBe(1)
    await shot(page, 'harvest-01b-free-section')
    expect((await audit(page, 'harvest-free-section')).filter(isBlocking).map(formatFinding)).toEqual([])

    await page.getByRole('tab', { name: 'Synthèse' }).click()
    await page.getByRole('button', { name: 'Générer le premier jet' }).click()
    const intro = page.getByLabel('Introduction')
    await intro.waitFor()
    await expect(intro.inputValue()).resolves.toContain('# World Café Assuétudes')
    await intro.click()
    await intro.press('Control+End')
    await intro.pressSequentially('\n\nUne journée riche en échanges.')
    await helper.getByRole('tab', { name: 'Synthèse' }).click()
    await expect.poll(() => helper.getByLabel('Introduction').inputValue(), { timeout: 5000 }).toContain('Une journée riche en échanges.')
    await page.getByRole('button', { name: 'Aperçu' }).click()
    await page.locator('.synthesis-preview strong', { hasText: 'le temps' }).waitFor()
    await shot(page, 'harvest-02-synthesis')

    // Downloads from the console.
    await page.getByRole('button', { name: 'Retour à la console' }).click()
    await page.waitForURL(/\/facilitate\//)
    const download = async (label: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: label, exact: true }).click()])
      return { name: d.suggestedFilename(), body: readFileSync((await d.path())!) }
    }
    const md = await download('Markdown')
    expect(md.name).toBe('world-cafe-assuetudes-2011-12-09-synthese.md')
    const text = md.body.toString('utf8')
    // Prose, key points bold inside the sentence; the list theme as a list; no counts or frequent words.
    expect(text).toContain('#### Les freins\n\nUne idée est évoquée : **le temps**.')
    expect(text).toContain('#### Les facilitants\n\nUne idée est évoquée : une meilleure connaissance des partenaires.')
    expect(text).toContain('#### Les acteurs\n\n- Les éducateurs de rue ;\n- Les parents, la famille.')
    expect(text.split('### Question 2')[0]).not.toContain('éducateurs')
    expect(text).toContain('### Comment ?\n\nLes participants proposent des pistes.\n\n**La première étape** est de se rencontrer.')
    expect(text).not.toMatch(/Mots les plus cités|contributions, de/)
    expect(text).toContain('Une journée riche en échanges.')
    const docx = await download('Word (DOCX)')
    expect(docx.name).toBe('world-cafe-assuetudes-2011-12-09-synthese.docx')
    const paras = docxParagraphs(docx.body)
    expect(paras.find((p) => p.text === 'Les freins')?.style).toBe('Heading4')
    expect(paras.find((p) => p.text === 'Une idée est évoquée : le temps.')).toMatchObject({ list: false, bold: [false, true, false] })
    expect(paras.some((p) => p.text === 'Une journée riche en échanges.')).toBe(true)
    // The spreadsheet: every contribution, with its theme and key point, real types.
    const xlsx = await download('Tableur (XLSX)')
    expect(xlsx.name).toBe('world-cafe-assuetudes-2011-12-09-contributions.xlsx')
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer)
    const sheet = book.worksheets[0]!
    const header = (sheet.getRow(1).values as unknown[]).slice(1)
    const rows = sheet.getSheetValues().slice(2).map((r) => Object.fromEntries(header.map((h, i) => [String(h), (r as unknown[])[i + 1]])))
    const temps = rows.find((r) => r['texte'] === 'Le temps')!
    expect(temps).toMatchObject({ 'thème': 'Les freins', 'point clé': true, tour: 1 })
    expect(temps['créé le']).toBeInstanceOf(Date)
    expect(rows.map((r) => r['texte'])).toContain('Les éducateurs de rue')
    await shot(page, 'harvest-03-console-exports')

    // The archive, imported again from the home page, is a new café with the same harvest.
    const archive = await download('Archive (JSON)')
    const file = join(tmpdir(), archive.name)
    writeFileSync(file, archive.body)
    await page.goto(`${app.t.url}/`)
    await page.getByLabel('Importer une archive de café (JSON)').setInputFiles(file)
    await page.waitForURL((u) => u.pathname.startsWith('/facilitate/') && !u.pathname.includes(cafe.id))
    const again = await download('Markdown')
    expect(again.body.toString('utf8')).toBe(text)
    expect(app.errors).toEqual([])
  })
})
