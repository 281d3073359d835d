import { describe, expect, it } from 'vitest'
import { contributionsOf } from '../../server/export/cafeData'
import { contributionsCsv, csvDate } from '../../server/export/csv'
import { frenchCafeData, FIXTURE_TEXTS } from '../fixtures/frenchCafe'
import { parseCsv } from '../helpers/csv'

const BRUSSELS = 'Europe/Brussels'

function csvOf(language: 'fr' | 'en', edit?: (data: ReturnType<typeof frenchCafeData>) => void): { csv: string; data: ReturnType<typeof frenchCafeData> } {
  const data = frenchCafeData()
  edit?.(data)
  const def = data.definition
  return { data, csv: contributionsCsv({ title: def.title, language, questions: def.questions, contributions: contributionsOf(data), harvest: data.harvest, timeZone: BRUSSELS }) }
}

describe('contributions CSV', () => {
  it('files a card as the studio does: under another question\'s theme only when it was moved there on purpose', () => {
    const themeOfArgent = (csv: string) => parseCsv(csv, ';').find((r) => r[8] === 'L’argent, les moyens financiers')![9]
    // Filed by mistake under a theme of question 2 (before filing was checked): unsorted, as in the synthesis.
    const misfiled = csvOf('fr', (d) => { const key = contributionsOf(d).find((c) => c.text === 'L’argent, les moyens financiers')!.key; d.harvest.placements[key] = 'acteurs' })
    expect(themeOfArgent(misfiled.csv)).toBe('')
    const moved = csvOf('fr', (d) => {
      const key = contributionsOf(d).find((c) => c.text === 'L’argent, les moyens financiers')!.key
      d.harvest.placements[key] = 'acteurs'
      d.harvest.crossings = { ...d.harvest.crossings, [key]: 'acteurs' }
    })
    expect(themeOfArgent(moved.csv)).toBe('Les acteurs cités')
  })

  it('a French café: semicolons, BOM, CRLF, French headers with sector, key point and merge', () => {
    const { csv, data } = csvOf('fr')
    expect(csv.startsWith('\uFEFF')).toBe(true)
    expect(csv.endsWith('\r\n')).toBe(true)
    const headerLine = csv.slice(1, csv.indexOf('\r\n'))
    expect(headerLine).toBe('café;table;question;tour;auteur;organisation;secteur;type;texte;thème;point clé;fusionné avec;étoiles;votes;créé le')
    // What a French Excel does: cut at ";". Cut at "," instead, the header would be one cell.
    expect(parseCsv(csv, ',')[0]).toHaveLength(1)
    const rows = parseCsv(csv, ';')
    expect(rows.every((r) => r.length === 15)).toBe(true)
    const body = rows.slice(1)
    expect(body).toHaveLength(contributionsOf(data).length)
    expect(body.map((r) => r[8]).filter(Boolean).sort()).toEqual([...FIXTURE_TEXTS].sort())
    expect(body.find((r) => r[8] === 'Le temps')).toEqual([
      'World Café Assuétudes', 'Table 1', 'Le travail en réseau. Pour quoi faire ?', '1', 'Amélie', 'AMO Rixensart', 'Aide à la jeunesse', 'note', 'Le temps',
      'Les freins', 'oui', '', '2', '3', '09/12/2011 14:50:01',
    ])
    // The merged duplicate says what it joined, and shares its theme and key point.
    const dup = body.find((r) => r[8] === 'Manque de temps pour se rencontrer')!
    expect([dup[9], dup[10], dup[11]]).toEqual(['Les freins', 'oui', 'Le temps'])
    expect(body.find((r) => r[8] === 'L’argent, les moyens financiers')?.[10]).toBe('non')
    // A text with the separator in it stays one cell.
    expect(body.find((r) => r[8]?.startsWith('Les acteurs de l’enseignement'))?.[8]).toBe('Les acteurs de l’enseignement, l’école ; les éducateurs « jeunesse »')
  })

  it('an English café: commas and English headers', () => {
    const { csv } = csvOf('en')
    const rows = parseCsv(csv, ',')
    expect(rows[0]).toEqual(['café', 'table', 'question', 'round', 'author', 'organisation', 'sector', 'kind', 'text', 'theme', 'key point', 'merged into', 'stars', 'votes', 'created at'])
    const temps = rows.find((r) => r[8] === 'Le temps')!
    expect([temps[10], temps[14]]).toEqual(['yes', '2011-12-09 14:50:01'])
  })

  it('dates are wall-clock time in the zone, summer time included, in a form Excel reads', () => {
    expect(csvDate(Date.UTC(2011, 11, 9, 13, 50, 1), 'fr', BRUSSELS)).toBe('09/12/2011 14:50:01')
    expect(csvDate(Date.UTC(2024, 6, 1, 10, 5, 0), 'fr', BRUSSELS)).toBe('01/07/2024 12:05:00')
    expect(csvDate(Date.UTC(2024, 6, 1, 10, 5, 0), 'en', 'Europe/London')).toBe('2024-07-01 11:05:00')
    expect(csvDate(Date.UTC(2024, 0, 1, 0, 0, 0), 'en', 'UTC')).toBe('2024-01-01 00:00:00')
  })

  it('a note a spreadsheet would run as a formula is text, with either separator', () => {
    for (const language of ['fr', 'en'] as const) {
      const { csv } = csvOf(language, (data) => {
        const note = data.tablecloths[0]!.items[0]!
        if (note.kind !== 'stroke') note.text = '=HYPERLINK("http://evil";"x")'
      })
      const rows = parseCsv(csv)
      expect(rows.find((r) => r[8]?.includes('HYPERLINK'))?.[8]).toBe(`'=HYPERLINK("http://evil";"x")`)
      expect(rows.every((r) => r.length === 15)).toBe(true)
    }
  })
})
