/**
 * A participant who uses only the keyboard (no mouse, no touch on their page): joins with the code, writes
 * a note on the paper itself, stars it, moves it, follows the facilitator (a Socket.IO client here) to the
 * next round at another table and keeps writing there; in the list view, "Add" then typing goes on in
 * the new note.
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { readItems, tableclothDocName } from '../../shared/tablecloth'
import { questionAt } from '../../shared/cafe'
import { seatingRound } from '../../shared/lifecycle'
import { appInBrowser, shot } from '../helpers/browser'
import { connect, createCafe, joinCafe, request } from '../helpers/server'
import { eventually } from '../helpers/eventually'

const app = appInBrowser()

/** Presses Tab (or Shift+Tab) until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page: Page, selector: string, { back = false, max = 60 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab')
  }
  throw new Error(`Tab never reached ${selector}; focus is on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 160))}`)
}
const focused = (page: Page) => page.evaluate(() => {
  const el = document.activeElement
  return { tag: el?.tagName.toLowerCase() ?? '', cls: el?.getAttribute('class') ?? '', item: el?.getAttribute('data-item-id') ?? null, text: (el as HTMLElement | null)?.innerText ?? '', value: (el as HTMLTextAreaElement | null)?.value ?? null }
})

describe('the tablecloth by keyboard only', () => {
  it('joins, writes on the paper, stars, moves, changes table and keeps going, and adds from the list', async () => {
    const cafe = await createCafe(app.t.url, {
      title: 'Café au clavier', language: 'fr', shape: 'table-question', advance: 'manual', transitionSeconds: 30,
      tables: [{ name: 'Table 1', capacity: 6 }, { name: 'Table 2', capacity: 6 }],
      questions: [{ text: 'Le travail en réseau. Pour quoi faire ?' }, { text: 'Le travail en réseau. Avec qui ?' }], roundMinutes: 20,
    })
    const { socket: fac } = await connect(app.t.url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    expect((await request(fac, 'cafe:open')).ok).toBe(true)
    await joinCafe(app.t.url, cafe.joinCode, 'Bruno')
    const runtime = () => app.t.server.registry.get(cafe.id)!
    const items = (docName: string) => app.t.server.tablecloths.readDoc(docName, (d) => readItems(d))

    const page = await app.newPage('keyboard', { locale: 'en-GB', viewport: { width: 1280, height: 800 } })
    await page.goto(app.t.url)
    await tabTo(page, '#code')
    await page.keyboard.type(cafe.joinCode)
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/join\//)
    await page.locator('#name').waitFor()
    await tabTo(page, '#name')
    await page.keyboard.type('Amélie')
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/cafe\//)
    await page.getByText('Hello Amélie', { exact: false }).waitFor()
    const myId = await page.evaluate((id) => JSON.parse(localStorage.getItem(`nappe.participant.${id}`)!).participantId as string, cafe.id)
    expect(myId).toBeTruthy()
    const docOf = () => {
      const r = runtime()
      const table = r.record.seating[myId]!
      return tableclothDocName(cafe.id, table, questionAt(r.definition, seatingRound(r.lifecycle), table)!)
    }

    // Round 1: the paper is on the Tab path; Enter writes a note there.
    expect((await request(fac, 'round:start')).ok).toBe(true)
    await page.locator('svg.sheet').waitFor()
    await tabTo(page, 'svg.sheet')
    await page.keyboard.press('Enter')
    await page.locator('textarea.note-editor').waitFor()
    expect((await focused(page)).cls).toBe('note-editor')
    await page.keyboard.type('Écrit au clavier')
    await page.keyboard.press('Escape')
    // Back on the note itself, which the screen reader names.
    const note = page.locator('g.item.note', { hasText: 'Écrit au clavier' })
    await note.waitFor()
    const noteId = (await note.getAttribute('data-item-id'))!
    await expect.poll(async () => (await focused(page)).item).toBe(noteId)
    expect(await note.getAttribute('aria-label')).toMatch(/^Note by Amélie \(round 1\): Écrit au clavier/)
    const round1Doc = docOf()
    await eventually(() => expect(items(round1Doc)).toMatchObject([{ text: 'Écrit au clavier', author: myId, round: 1 }]))

    // S stars it: the bar says so (aria-pressed), and so does the server.
    await page.keyboard.press('s')
    const star = page.getByRole('dialog', { name: 'Item' }).getByRole('button', { name: 'Key idea' })
    await expect.poll(() => star.getAttribute('aria-pressed')).toBe('true')
    await eventually(() => expect(items(round1Doc)[0]!.stars).toEqual([myId]))
    // Arrows move one's own note; Tab away and back finds it again.
    const x0 = items(round1Doc)[0]!.x
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await eventually(() => expect(items(round1Doc)[0]!.x).toBe(x0 + 32))
    await shot(page, 'keyboard-note-focused-laptop')
    await page.keyboard.press('Shift+Tab')
    expect((await focused(page)).cls).toContain('sheet')
    await page.keyboard.press('Tab')
    expect((await focused(page)).item).toBe(noteId)

    // The facilitator ends the round and starts the next one: a new table, the focus comes along.
    const table1 = runtime().record.seating[myId]
    expect((await request(fac, 'round:skip')).ok).toBe(true)
    await page.getByText(/Go to Table|Direction/).first().waitFor()
    expect((await request(fac, 'round:start')).ok).toBe(true)
    await page.getByText('Round 2', { exact: false }).first().waitFor()
    expect(runtime().record.seating[myId]).not.toBe(table1)
    await page.getByRole('button', { name: 'Note', exact: true }).waitFor()
    await expect.poll(async () => (await focused(page)).cls).toContain('sheet')
    await page.keyboard.press('Enter')
    await page.locator('textarea.note-editor').waitFor()
    await page.keyboard.type('Deuxième table')
    await page.keyboard.press('Escape')
    const round2Doc = docOf()
    expect(round2Doc).not.toBe(round1Doc)
    await eventually(() => expect(items(round2Doc).filter((i) => i.author === myId)).toMatchObject([{ text: 'Deuxième table', round: 2 }]))

    // The list view: Add, then what is typed next goes on in the new note.
    await tabTo(page, '[role="toolbar"] button[title="The same tablecloth as a list"]', { back: true })
    await page.keyboard.press('Enter')
    await tabTo(page, '#new-note')
    await page.keyboard.type('Première idée')
    await page.keyboard.press('Tab')
    expect((await focused(page)).text).toBe('Add')
    await page.keyboard.press('Enter')
    await page.keyboard.type(' et la suite')
    const f = await focused(page)
    expect(f.tag).toBe('textarea')
    expect(f.value).toBe('Première idée et la suite')
    await eventually(() => expect(items(round2Doc).map((i) => ('text' in i ? i.text : ''))).toContain('Première idée et la suite'))
    // Escape leaves the field; the focus stays on that note (its Edit button), not at the top of the page.
    await page.keyboard.press('Escape')
    await expect.poll(async () => (await focused(page)).text).toBe('Edit')
    await shot(page, 'keyboard-list-after-add-laptop')
    fac.close()
    expect(app.errors).toEqual([])
  }, 90_000)
})
