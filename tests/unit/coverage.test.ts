/**
 * Which contributions a rewritten paragraph still carries: the check the harvester reads before
 * accepting a model's rewrite. Present when most meaningful words are there, whatever the accents, the
 * case, the plural or the form of the word; missing when the idea is gone or only a word of it is left.
 */
import { describe, expect, it } from 'vitest'
import { carries, coverage, indexText } from '../../shared/coverage'

const has = (text: string, contribution: string) => carries(indexText(text), contribution)

describe('a contribution counts as present', () => {
  it('when its words are there, accents, case and plurals folded', () => {
    expect(has('LE TEMPS MANQUE pour se rencontrer.', 'Le manque de temps pour se rencontrer')).toBe(true)
    expect(has('Les equipes connaissent mal leurs partenaires', 'Connaître les équipes partenaires')).toBe(true)
    expect(has('Des réseaux locaux existent.', 'Un réseau local')).toBe(true)
  })

  it('when another form of its words is there (verb and noun, singular and plural)', () => {
    expect(has('La mutualisation des ressources est souhaitée.', 'Mutualiser les ressources')).toBe(true)
    expect(has('On souhaite des rencontres plus souvent.', 'Se rencontrer plus souvent')).toBe(true)
    expect(has('Mieux connaître les partenaires aiderait.', 'Une meilleure connaissance des partenaires')).toBe(true)
  })

  it('when more than half of its meaningful words are there; function words do not count', () => {
    // "parents", "famille" and "école": two of three.
    expect(has('Les parents et l’école sont cités.', 'Les parents, la famille et l’école')).toBe(true)
    // Only "partage" of "partager les outils numériques" (one of three): gone.
    expect(has('Le partage est important.', 'Partager les outils numériques')).toBe(false)
    // Function words alone do not make an idea present.
    expect(has('Pour les uns et avec les autres.', 'Pour les jeunes et avec les familles')).toBe(false)
  })

  it('not when only the start of a word is shared', () => {
    expect(has('Les partenaires sont nombreux.', 'Le partage des moyens')).toBe(false)
    expect(has('La formation continue', 'Se former')).toBe(false)
  })

  it('a contribution of function words or figures only must be there as it is', () => {
    expect(has('Et après ? On verra en 2030.', '2030')).toBe(true)
    expect(has('Et après ? On verra.', '2030')).toBe(false)
    expect(has('Rien de prévu.', 'Et nous ?')).toBe(false)
    expect(has('Rien de prévu.', '…')).toBe(true)
  })

  it('in scripts without spaces, its words inside the text’s', () => {
    expect(has('会議では人手不足が話題になった。', '人手不足')).toBe(true)
    expect(has('会議では予算が話題になった。', '人手不足')).toBe(false)
  })
})

describe('the coverage of a rewrite', () => {
  const items = [
    { key: 'a', text: 'Le manque de temps pour se rencontrer', variants: ['Pas assez de temps'] },
    { key: 'b', text: 'Mutualiser les ressources' },
    { key: 'c', text: 'Une meilleure connaissance des partenaires' },
  ]

  it('names the contributions the text lost, in their order', () => {
    const result = coverage('**Une meilleure connaissance des partenaires** aiderait, mais le temps manque pour se rencontrer.', items)
    expect(result.missing.map((m) => m.key)).toEqual(['b'])
    expect(result.present).toBe(2)
  })

  it('a merged near-duplicate speaks for its group', () => {
    const result = coverage('Il n’y a pas assez de temps ; mutualiser les ressources ; une meilleure connaissance des partenaires.', items)
    expect(result.missing).toEqual([])
  })

  it('an empty text carries nothing', () => {
    expect(coverage('', items).missing.map((m) => m.key)).toEqual(['a', 'b', 'c'])
  })

  it('is cheap enough to run on every keystroke of a long paragraph', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ key: String(i), text: `Idée numéro ${i} sur la coopération intercommunale et les moyens partagés ${i % 7}` }))
    const text = many.map((m) => m.text).join(' ; ')
    const started = performance.now()
    const result = coverage(text, many)
    expect(result.missing).toEqual([])
    expect(performance.now() - started).toBeLessThan(200)
  })
})
