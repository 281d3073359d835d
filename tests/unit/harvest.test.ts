/** The harvest model (themes, merges, the synthesis that keeps hand edits) and the local suggestions. */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addFreeSection, addTheme, applyGenerated, composeSynthesis, deleteFreeSection, deleteTheme, filingOf, mergeContribution, moveTheme,
  moveToOtherQuestion, placeContributions, readHarvest, readSynthesisParts, resolveMerge, restoreHarvest, sectionProse, setDraftOption,
  setQuestionImages, setThemeForm, synthesisText,
} from '../../shared/harvest'
import { replaceText } from '../../shared/tablecloth'
import { frequentTerms, normalize, suggestDuplicates } from '../../shared/textAnalysis'

const sync = (a: Y.Doc, b: Y.Doc) => { Y.applyUpdate(b, Y.encodeStateAsUpdate(a)); Y.applyUpdate(a, Y.encodeStateAsUpdate(b)) }

describe('harvest document', () => {
  it('themes per section, placements, reordering, deletion sends contributions back to sort', () => {
    const doc = new Y.Doc()
    const freins = addTheme(doc, 'q:q1', 'Les freins')
    const facilitants = addTheme(doc, 'q:q1', 'Les facilitants')
    const other = addTheme(doc, 'q:q2', 'Les acteurs')
    placeContributions(doc, ['t1:q1:a', 't2:q1:b'], freins)
    placeContributions(doc, ['t1:q1:c'], facilitants)
    moveTheme(doc, facilitants, -1)
    let h = readHarvest(doc)
    expect(h.themes.filter((t) => t.section === 'q:q1').map((t) => t.name)).toEqual(['Les facilitants', 'Les freins'])
    expect(h.themes.find((t) => t.id === other)?.order).toBe(1)
    deleteTheme(doc, freins)
    h = readHarvest(doc)
    expect(h.placements).toEqual({ 't1:q1:c': facilitants })
    const comment = addFreeSection(doc, 'Comment ?')
    const pistes = addTheme(doc, `f:${comment}`, 'Pistes')
    placeContributions(doc, ['t1:q2:d'], pistes)
    deleteFreeSection(doc, comment)
    h = readHarvest(doc)
    expect(h.sections).toEqual([])
    expect(h.themes.map((t) => t.name).sort()).toEqual(['Les acteurs', 'Les facilitants'])
    expect(h.placements['t1:q2:d']).toBeUndefined()
  })

  it('two harvesters working at once both keep their work', () => {
    const a = new Y.Doc(), b = new Y.Doc()
    const ta = addTheme(a, 'q:q1', 'Les freins')
    const tb = addTheme(b, 'q:q1', 'Les facilitants')
    sync(a, b)
    placeContributions(a, ['x'], ta)
    placeContributions(b, ['y'], tb)
    sync(a, b)
    expect(readHarvest(a)).toEqual(readHarvest(b))
    expect(readHarvest(a).placements).toEqual({ x: ta, y: tb })
  })

  it('merges never chain or loop, and can be undone', () => {
    const doc = new Y.Doc()
    mergeContribution(doc, 'b', 'a')
    mergeContribution(doc, 'c', 'b') // joins what b joined
    expect(readHarvest(doc).merges).toEqual({ b: 'a', c: 'a' })
    mergeContribution(doc, 'a', 'c') // would loop: refused
    expect(readHarvest(doc).merges).toEqual({ b: 'a', c: 'a' })
    mergeContribution(doc, 'a', 'd') // a and whatever joined it follow into d
    expect(readHarvest(doc).merges).toEqual({ a: 'd', b: 'd', c: 'd' })
    mergeContribution(doc, 'b', null)
    expect(resolveMerge(readHarvest(doc).merges, 'b')).toBe('b')
    expect(resolveMerge({ x: 'y', y: 'x' }, 'x')).toBe('x') // a loop from a hostile peer ends
  })
})

describe('filing, forms, free-section prose, images', () => {
  it('a card is filed among its own question’s themes or a free section’s; another question’s only by a deliberate move', () => {
    const doc = new Y.Doc()
    const freins = addTheme(doc, 'q:q1', 'Les freins')
    const acteurs = addTheme(doc, 'q:q2', 'Les acteurs')
    const pistes = addTheme(doc, `f:${addFreeSection(doc, 'Comment ?')}`, 'Pistes')
    placeContributions(doc, ['t1:q1:a'], freins)
    placeContributions(doc, ['t1:q1:b'], pistes)
    placeContributions(doc, ['t1:q1:c'], acteurs) // an old mistake, or a stray drop
    let filed = filingOf(readHarvest(doc))
    expect(filed({ key: 't1:q1:a', questionId: 'q1' })).toBe(freins)
    expect(filed({ key: 't1:q1:b', questionId: 'q1' })).toBe(pistes)
    expect(filed({ key: 't1:q1:c', questionId: 'q1' })).toBeNull() // back to its own question's pile
    moveToOtherQuestion(doc, 't1:q1:c', acteurs)
    filed = filingOf(readHarvest(doc))
    expect(filed({ key: 't1:q1:c', questionId: 'q1' })).toBe(acteurs)
    // Sorting it again by hand ends the crossing; deleting the theme too.
    placeContributions(doc, ['t1:q1:c'], freins)
    expect(readHarvest(doc).crossings).toEqual({})
    moveToOtherQuestion(doc, 't1:q1:c', acteurs)
    deleteTheme(doc, acteurs)
    expect(readHarvest(doc).crossings).toEqual({})
    expect(readHarvest(doc).placements['t1:q1:c']).toBeUndefined()
  })

  it('theme forms, draft options, a free section’s prose and image choices are kept, validated, and restored', () => {
    const doc = new Y.Doc()
    const theme = addTheme(doc, 'q:q1', 'Les partenaires')
    const section = addFreeSection(doc, 'Comment ?')
    setThemeForm(doc, theme, 'list')
    setDraftOption(doc, { counts: true })
    setDraftOption(doc, { unsorted: 'q1', form: 'list' })
    sectionProse(doc, section)!.insert(0, 'La **première étape**.')
    setQuestionImages(doc, 'q1', 'final')
    setQuestionImages(doc, 'q2', 2)
    setQuestionImages(doc, 'q2', null)
    // What a hostile peer could write is skipped, not thrown on.
    doc.getMap('draft').set('frequent', 'yes')
    doc.getMap('draft').set('unsorted:q2', 'poem')
    doc.getMap('questionImages').set('q3', -1)
    doc.getMap<Y.Map<unknown>>('themes').get(theme)!.set('form', 'table')
    let h = readHarvest(doc)
    expect(h.themes[0]!.form).toBeUndefined()
    setThemeForm(doc, theme, 'list')
    h = readHarvest(doc)
    expect(h.themes[0]!.form).toBe('list')
    expect(h.draft).toEqual({ counts: true, frequent: false, unsorted: { q1: 'list' } })
    expect(h.sections[0]!.text).toBe('La **première étape**.')
    expect(h.questionImages).toEqual({ q1: 'final' })
    expect(sectionProse(doc, 'nope')).toBeNull()
    const copy = new Y.Doc()
    restoreHarvest(copy, h, [])
    expect(readHarvest(copy)).toEqual(h)
  })
})

describe('synthesis regeneration keeps hand edits', () => {
  const draft = (n: number) => [
    { key: 'intro', markdown: `# Café\n\nIntro ${n}` },
    { key: 'q:q1', markdown: `### Question 1\n\n- point ${n}` },
  ]
  it('replaces untouched parts, asks for edited ones, and obeys the answer', () => {
    const doc = new Y.Doc()
    expect(applyGenerated(doc, draft(1))).toEqual([])
    replaceText(synthesisText(doc, 'intro'), '# Café\n\nIntro écrite à la main')
    const conflicts = applyGenerated(doc, draft(2))
    expect(conflicts).toEqual([{ key: 'intro', current: '# Café\n\nIntro écrite à la main', proposed: '# Café\n\nIntro 2' }])
    const parts = () => Object.fromEntries(readSynthesisParts(doc).map((p) => [p.key, p.text]))
    expect(parts()).toEqual({ intro: '# Café\n\nIntro écrite à la main', 'q:q1': '### Question 1\n\n- point 2' })
    // Regenerating again with the same draft asks again; keeping it stops asking until the draft changes.
    expect(applyGenerated(doc, draft(2))).toHaveLength(1)
    expect(applyGenerated(doc, draft(2), { keep: new Set(['intro']) })).toEqual([])
    expect(applyGenerated(doc, draft(2))).toEqual([])
    expect(applyGenerated(doc, draft(3))).toHaveLength(1)
    expect(applyGenerated(doc, draft(3), { replace: new Set(['intro']) })).toEqual([])
    expect(parts().intro).toBe('# Café\n\nIntro 3')
  })

  it('a part whose section is gone is removed when untouched, kept and reported when edited', () => {
    const doc = new Y.Doc()
    applyGenerated(doc, [...draft(1), { key: 'f:x', markdown: '### Comment ?' }, { key: 'f:y', markdown: '### Avec qui ?' }])
    replaceText(synthesisText(doc, 'f:y'), '### Avec qui ?\n\nNotre texte.')
    const conflicts = applyGenerated(doc, draft(1))
    expect(conflicts).toEqual([{ key: 'f:y', current: '### Avec qui ?\n\nNotre texte.', proposed: '' }])
    expect(readSynthesisParts(doc).map((p) => p.key).sort()).toEqual(['f:y', 'intro', 'q:q1'])
    // What the exports print: fresh draft for untouched parts, hand edits kept, the orphan at the end.
    expect(composeSynthesis(readSynthesisParts(doc), draft(2))).toEqual(['# Café\n\nIntro 2', '### Question 1\n\n- point 2', '### Avec qui ?\n\nNotre texte.'])
  })

  it('two people editing the same part at once both keep their words', () => {
    const a = new Y.Doc(), b = new Y.Doc()
    applyGenerated(a, draft(1))
    sync(a, b)
    replaceText(synthesisText(a, 'intro'), '# Café\n\nIntro 1. Ajout de A.')
    replaceText(synthesisText(b, 'intro'), '# Café amélioré\n\nIntro 1')
    sync(a, b)
    expect(synthesisText(a, 'intro').toString()).toBe('# Café amélioré\n\nIntro 1. Ajout de A.')
    expect(synthesisText(b, 'intro').toString()).toBe(synthesisText(a, 'intro').toString())
  })
})

describe('suggestions', () => {
  it('proposes "le temps" and "manque de temps" as near-duplicates, accents and plurals aside', () => {
    const pairs = suggestDuplicates([
      { key: 'a', text: 'Le temps' },
      { key: 'b', text: 'Manque de temps !' },
      { key: 'c', text: 'Mutualiser les ressources humaines et financières' },
      { key: 'd', text: 'les RESSOURCES humaines' },
      { key: 'e', text: 'Le plaisir de travailler ensemble, un soutien' },
    ])
    expect(pairs.map((p) => `${p.a}|${p.b}`)).toEqual(expect.arrayContaining(['a|b', 'c|d']))
    expect(pairs.some((p) => p.a === 'e' || p.b === 'e')).toBe(false)
    expect(suggestDuplicates([{ key: 'a', text: 'Le temps' }, { key: 'b', text: 'manque de temps' }], { skip: new Set(['a|b']) })).toEqual([])
    expect(normalize('Éducateurs « jeunesse »')).toBe('educateurs jeunesse')
  })

  it('counts the most frequent words per text, in their usual spelling, without stop words', () => {
    const terms = frequentTerms(['Le temps', 'manque de temps', 'Du temps pour les partenaires', 'Des partenaires motivés', 'le partenaire'])
    expect(terms).toEqual([{ word: 'partenaires', count: 3 }, { word: 'temps', count: 3 }])
  })
})
