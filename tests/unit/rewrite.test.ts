/**
 * The pure part of "Rewrite with the model": which words of a theme go to the model (and nothing
 * else), what is kept of its answer, and where the accepted paragraph goes in the synthesis.
 */
import { describe, expect, it } from 'vitest'
import type { Contribution } from '../../shared/contributions'
import type { HarvestState } from '../../shared/harvest'
import { emptyHarvest } from '../../shared/harvest'
import { cleanAnswer, rewriteMessages, themeItems } from '../../shared/rewrite'
import { findThemeParagraph, replaceThemeParagraph } from '../../shared/themeParagraph'

const contribution = (key: string, text: string, over: Partial<Contribution> = {}): Contribution => ({
  key, tableId: 't1', tableName: 'Table des Lilas', questionId: 'q1', round: 1, authorId: `p-${key}`, authorName: `Personne ${key}`,
  organisation: 'AMO Rixensart', sector: 'Jeunesse', kind: 'note', text, strokes: 0, stars: 0, votes: 0, createdAt: 0, ...over,
})

const harvest = (over: Partial<HarvestState>): HarvestState => ({
  ...emptyHarvest(),
  themes: [{ id: 'th1', section: 'q:q1', name: 'Les freins', order: 1 }, { id: 'th2', section: 'q:q1', name: 'Les acteurs', order: 2 }],
  ...over,
})

describe('the items of a theme', () => {
  const cs = [
    contribution('a', 'Le temps'),
    contribution('b', 'Manque de temps'),
    contribution('c', 'Mutualiser  les\nressources'),
    contribution('d', 'le temps', { tableId: 't2' }),
    contribution('e', 'Les parents'),
    contribution('f', '', { kind: 'drawing', strokes: 3 }),
    contribution('g', '   '),
  ]
  const h = harvest({
    placements: { a: 'th1', b: 'th1', c: 'th1', d: 'th1', e: 'th2', f: 'th1', g: 'th1' },
    merges: { b: 'a' },
    keyPoints: ['c'],
  })

  it('its written contributions, merged duplicates as variants, the same words once, most mentioned first', () => {
    const r = themeItems(h, cs, 'th1', ['q1'])
    expect(r.ok && r.items).toEqual([
      { key: 'a', keys: ['a', 'd'], text: 'Le temps', variants: ['Manque de temps'], mentions: 3, keyPoint: false },
      { key: 'c', keys: ['c'], text: 'Mutualiser les ressources', variants: [], mentions: 1, keyPoint: true },
    ])
  })

  it('an unknown theme, or one of a question the café no longer has, is refused', () => {
    expect(themeItems(h, cs, 'nope', ['q1'])).toEqual({ ok: false, reason: 'no_theme' })
    expect(themeItems(h, cs, 'th1', ['q2'])).toEqual({ ok: false, reason: 'no_theme' })
  })

  it('the messages hold the words and the instructions, never a name, an organisation, a sector or a table', () => {
    const r = themeItems(h, cs, 'th1', ['q1'])
    if (!r.ok) throw new Error('no items')
    const fr = rewriteMessages(r.items, 'fr')
    expect(fr.map((m) => m.role)).toEqual(['system', 'user'])
    expect(fr[1]!.content).toBe('Contributions du thème :\n1. « Le temps » (citée 3 fois)\n   variantes : « Manque de temps »\n2. « Mutualiser les ressources » (point clé)')
    const en = rewriteMessages(r.items, 'en')
    expect(en[0]!.content).toContain('Invent nothing')
    expect(en[1]!.content).toBe('Contributions of the theme:\n1. "Le temps" (mentioned 3 times)\n   variants: "Manque de temps"\n2. "Mutualiser les ressources" (key point)')
    const all = JSON.stringify([fr, en])
    for (const word of ['Personne', 'AMO', 'Jeunesse', 'Lilas', 'Les freins', 'Les parents']) expect(all).not.toContain(word)
  })
})

describe('what is kept of an answer', () => {
  it('one paragraph of its words, bold kept, reasoning, fences, titles and markers dropped', () => {
    expect(cleanAnswer('Le temps **manque**.')).toBe('Le temps **manque**.')
    expect(cleanAnswer('<think>\nD’abord…\n</think>\n\nLe temps manque.\nIl faut mutualiser.')).toBe('Le temps manque. Il faut mutualiser.')
    expect(cleanAnswer('```markdown\n## Les freins\n\n- Le temps manque.\n```')).toBe('Le temps manque.')
    expect(cleanAnswer('« Le temps manque. »')).toBe('Le temps manque.')
    expect(cleanAnswer('<think>never closed')).toBe('')
    expect(cleanAnswer('   \n  ')).toBe('')
  })

  it('HTML and links stay as the model wrote them: the synthesis never interprets them', () => {
    expect(cleanAnswer('<img src=x onerror=alert(1)> [ici](javascript:alert(1))')).toBe('<img src=x onerror=alert(1)> [ici](javascript:alert(1))')
  })
})

describe('the theme’s paragraph in its part', () => {
  const part = [
    '### Question 1 : Pour quoi faire ?',
    '#### Les freins',
    'Ce qui revient le plus souvent (à deux tables) : le temps. Des dessins accompagnent ce thème (Table 1, tour 1 ; Table 2, tour 1).',
    '#### Les acteurs',
    '- Les parents ;\n- L’école.',
    'Une phrase ajoutée à la main.',
  ].join('\n\n')

  it('is found under its heading, and replaced there; the drawings’ sentence and everything else stay', () => {
    expect(findThemeParagraph(part, 'Les freins')?.text).toMatch(/^Ce qui revient.*tour 1\)\.$/)
    const next = replaceThemeParagraph(part, 'Les freins', 'Le **temps** manque\n partout.')
    expect(next).toBe(part.replace(/Ce qui revient[^\n]*: le temps\./, 'Le **temps** manque partout.'))
    expect(next).toContain('Le **temps** manque partout. Des dessins accompagnent ce thème (Table 1, tour 1 ; Table 2, tour 1).')
  })

  it('a list is the theme’s block too, up to the blank line', () => {
    expect(findThemeParagraph(part, 'Les acteurs')?.text).toBe('- Les parents ;\n- L’école.')
    expect(replaceThemeParagraph(part, 'Les acteurs', 'Les parents et l’école.')).toBe(part.replace('- Les parents ;\n- L’école.', 'Les parents et l’école.'))
  })

  it('a paragraph rewritten by hand is still the theme’s, and escaped names are read as names', () => {
    const edited = part.replace(/Ce qui revient[^\n]*/, 'Un texte écrit à la main.')
    expect(findThemeParagraph(edited, 'Les freins')?.text).toBe('Un texte écrit à la main.')
    expect(findThemeParagraph('#### Les \\*freins\\*\n\nTexte.', 'Les *freins*')?.text).toBe('Texte.')
  })

  it('is not found when its heading is gone, typed twice, or followed by nothing', () => {
    expect(replaceThemeParagraph(part.replace('#### Les freins', '#### Les obstacles'), 'Les freins', 'x')).toBeNull()
    expect(findThemeParagraph(`${part}\n\n#### Les freins\n\nEncore.`, 'Les freins')).toBeNull()
    expect(findThemeParagraph('#### Les freins\n\n#### Les acteurs\n\nTexte.', 'Les freins')).toBeNull()
    expect(findThemeParagraph('#### Les freins\n\n', 'Les freins')).toBeNull()
    expect(findThemeParagraph('#### Les freins\n\n![Table 1](nappes/table-1_q1_final.png)', 'Les freins')).toBeNull()
  })
})
