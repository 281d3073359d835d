/**
 * "Rewrite with the model" in real headless Chromium, against a tiny local server that speaks the
 * OpenAI chat API: the harvester asks for a theme's rewrite from the synthesis, sees it beside the draft
 * with the idea it dropped named, nothing reaches the document until they accept (a discard and a
 * declined confirmation change nothing), an edited suggestion that carries every idea goes in place of
 * the theme's paragraph as a hand edit that an update from the harvest keeps, and a paragraph whose
 * heading was changed is offered to copy instead. Without a model configured there is no button.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { readSynthesisParts, setKeyPoint, synthesisText } from '../../shared/harvest'
import { replaceText } from '../../shared/tablecloth'
import { audit, formatFinding, horizontalOverflow, isBlocking } from '../helpers/axe'
import { CLIENT_DIST, launchBrowser, shot, watchErrors } from '../helpers/browser'
import type { FakeModel } from '../helpers/fakeModel'
import { startFakeModel } from '../helpers/fakeModel'
import { PEOPLE, rewriteCafe, serverHas } from '../helpers/rewriteCafe'
import type { TestServer } from '../helpers/server'
import { startServer } from '../helpers/server'

const DROPS_ONE = '**Une meilleure connaissance des partenaires** aiderait beaucoup, mais le temps manque pour se rencontrer.'

let browser: Browser
let model: FakeModel
const errors: string[] = []
const servers: TestServer[] = []

beforeAll(async () => {
  model = await startFakeModel()
  browser = await launchBrowser()
}, 30_000)
afterAll(async () => {
  await browser?.close()
  for (const s of servers) await s.close()
  await model?.close()
})

async function studio(t: TestServer, viewport = { width: 1366, height: 900 }) {
  const s = await rewriteCafe(t)
  const context = await browser.newContext({ locale: 'fr-BE', viewport, permissions: ['clipboard-read', 'clipboard-write'] })
  const page = await context.newPage()
  watchErrors(page, 'harvester', errors)
  await page.goto(`${t.url}/harvest/${s.cafe.id}#key=${s.cafe.facilitatorKey}`)
  await page.getByRole('tab', { name: 'Synthèse' }).click()
  await page.getByRole('button', { name: 'Générer le premier jet' }).click()
  await page.getByLabel('Question 1').waitFor()
  // The page shows the draft at once; the server has it a moment later.
  await serverHas(t, s.cafe.id, (doc) => readSynthesisParts(doc).some((p) => p.key === `q:${s.questionId}`))
  return { s, page }
}

/** The part of question 1 as the server has it. */
const serverPart = (t: TestServer, cafeId: string, questionId: string) =>
  t.server.tablecloths.readDoc(`${cafeId}.harvest`, (doc) => readSynthesisParts(doc).find((p) => p.key === `q:${questionId}`)!)

describe('rewrite with the model, in the browser', () => {
  it('beside the draft, a dropped idea named, nothing written before acceptance, then in place as a hand edit', async () => {
    const t = await startServer({ config: { clientDir: CLIENT_DIST, docIdleMs: 1000, llm: { baseUrl: model.baseUrl, model: 'test', apiKey: null, timeoutMs: 10_000 } } })
    servers.push(t)
    const { s, page } = await studio(t)
    const generated = serverPart(t, s.cafe.id, s.questionId)
    expect(generated.text).toContain('#### Les freins')
    const panel = page.locator('.rewrite-panel')
    const suggestion = page.getByLabel('La proposition du modèle (modifiable)')

    // Asked from the synthesis: the suggestion beside the draft, the dropped idea named by its words.
    model.reply({ delayMs: 300, content: DROPS_ONE })
    await page.getByRole('button', { name: 'Réécrire « Les freins »' }).click()
    await page.getByText('Le modèle écrit… (10 s au plus)').waitFor()
    await suggestion.waitFor()
    await expect(suggestion.inputValue()).resolves.toBe(DROPS_ONE)
    await expect(panel.locator('.rewrite-draft').innerText()).resolves.toMatch(/temps/)
    await expect(panel.locator('.rewrite-coverage').innerText()).resolves.toMatch(/^1 idée du thème manque dans la proposition :\s+Mutualiser les ressources$/)
    await panel.getByText('Envoyé au modèle : les mots des 3 idées du thème, et rien d’autre (ni nom, ni organisation, ni secteur, ni table).').waitFor()
    for (const p of PEOPLE) expect(model.requests.at(-1)!.raw).not.toContain(p.organisation)
    await shot(page, 'rewrite-01-suggestion')
    expect((await audit(page, 'rewrite-panel')).filter(isBlocking).map(formatFinding)).toEqual([])
    expect(serverPart(t, s.cafe.id, s.questionId)).toEqual(generated)

    // Discarded: nothing changes.
    await panel.getByRole('button', { name: 'Écarter' }).click()
    await expect.poll(() => panel.count()).toBe(0)
    await expect(page.getByLabel('Question 1').inputValue()).resolves.toBe(generated.text)

    // Asked again; accepting with an idea missing asks first, naming it: declined, nothing changes.
    await page.getByRole('button', { name: 'Réécrire « Les freins »' }).click()
    await suggestion.waitFor()
    const asked = new Promise<string>((resolve) => page.once('dialog', (d) => { resolve(d.message()); void d.dismiss() }))
    await panel.getByRole('button', { name: 'Accepter' }).click()
    expect(await asked).toBe('La proposition laisse de côté cette idée du thème :\n\n• Mutualiser les ressources\n\nLa mettre quand même dans la synthèse ?')
    expect(serverPart(t, s.cafe.id, s.questionId)).toEqual(generated)

    // Edited until it carries every idea (checked live), then accepted: in place of the theme's paragraph only.
    await suggestion.click()
    await suggestion.press('Control+End')
    await suggestion.pressSequentially(' Il faudrait aussi mutualiser les ressources.')
    await panel.getByText('Les 3 idées du thème sont toutes dans la proposition.').waitFor()
    await panel.getByRole('button', { name: 'Accepter' }).click()
    await page.getByText('La réécriture de « Les freins » est dans la synthèse.', { exact: false }).waitFor()
    const accepted = `${DROPS_ONE} Il faudrait aussi mutualiser les ressources.`
    await serverHas(t, s.cafe.id, (doc) => readSynthesisParts(doc).some((p) => p.text.includes(`#### Les freins\n\n${accepted}\n\n#### Les acteurs`)))
    const after = serverPart(t, s.cafe.id, s.questionId)
    expect(after.generated).toBe(generated.generated)
    expect(after.text).toBe(generated.text.replace(/(#### Les freins\n\n)[^\n]+/, (_m, head: string) => `${head}${accepted}`))
    await page.getByText('retouché à la main').waitFor()

    // The harvest changes: updating asks about this part (a hand edit), and keeping it keeps the rewrite.
    setKeyPoint(s.harvest.doc, s.keyOf[PEOPLE[1].note]!, true)
    await page.getByRole('button', { name: 'Mettre à jour depuis la récolte' }).click()
    await page.getByRole('button', { name: 'Garder ma version' }).click()
    await expect(page.getByLabel('Question 1').inputValue()).resolves.toContain(accepted)

    // A theme whose heading was changed by hand: its rewrite is offered to copy, never put elsewhere.
    const part = synthesisText(s.harvest.doc, `q:${s.questionId}`)
    replaceText(part, part.toString().replace('#### Les acteurs', '#### Qui agit ?'))
    await expect.poll(() => page.getByLabel('Question 1').inputValue()).toContain('#### Qui agit ?')
    model.reply({ content: 'Les éducateurs de rue sont au cœur du réseau.' })
    await page.getByRole('button', { name: 'Réécrire « Les acteurs »' }).click()
    await panel.getByText('Le paragraphe de « Les acteurs » est introuvable dans cette partie', { exact: false }).waitFor()
    await expect(panel.getByRole('button', { name: 'Accepter' }).isDisabled()).resolves.toBe(true)
    await panel.getByRole('button', { name: 'Copier le texte' }).click()
    await panel.getByText('Copié.').waitFor()
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('Les éducateurs de rue sont au cœur du réseau.')
    await shot(page, 'rewrite-02-not-found')
    await panel.getByRole('button', { name: 'Écarter' }).click()

    // An empty theme and a model that is down are said in French.
    await page.getByRole('button', { name: 'Réécrire « Thème vide »' }).click()
    await panel.getByRole('alert').filter({ hasText: 'Ce thème ne contient encore aucune contribution écrite' }).waitFor()
    model.reply({ status: 503, body: 'busy' })
    await page.getByRole('button', { name: 'Réécrire « Les freins »' }).click()
    await panel.getByRole('alert').filter({ hasText: 'Le serveur du modèle a refusé la demande' }).waitFor()
    expect(errors).toEqual([])
  }, 90_000)

  it('on a phone the draft and the suggestion stack, nothing wider than the screen', async () => {
    const t = servers[0]!
    const { page } = await studio(t, { width: 390, height: 844 })
    model.reply({ content: DROPS_ONE })
    await page.getByRole('button', { name: 'Réécrire « Les freins »' }).click()
    await page.getByLabel('La proposition du modèle (modifiable)').waitFor()
    await page.locator('.rewrite-panel').scrollIntoViewIfNeeded()
    expect(await horizontalOverflow(page, 'rewrite-390x844')).toBeNull()
    await shot(page, 'rewrite-03-phone')
    expect((await audit(page, 'rewrite-phone')).filter(isBlocking).map(formatFinding)).toEqual([])
  }, 60_000)

  it('without a model configured, the synthesis has no rewrite button', async () => {
    const t = await startServer({ config: { clientDir: CLIENT_DIST, docIdleMs: 1000 } })
    servers.push(t)
    const { page } = await studio(t)
    await page.getByLabel('Question 1').waitFor()
    // The studio has asked the server by now (the question is answered before the draft is generated).
    await expect.poll(() => page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('/rewrite')))).toBe(true)
    await expect(page.getByText('Réécrire avec le modèle :').count()).resolves.toBe(0)
    await expect(page.getByRole('button', { name: /Réécrire/ }).count()).resolves.toBe(0)
  }, 60_000)
})
