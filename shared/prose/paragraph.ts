/**
 * One theme (or the pile left unsorted) written out, in the café's language: a paragraph whose sentences
 * weave the phrases together, what came most often first ("**Le temps** est le plus souvent cité (à deux
 * tables) : manque de temps pour se rencontrer."), key points in bold inside the sentence; or, when the
 * harvester asks for it, a list (one item per phrase). Every phrase and variant is in the text.
 * User text goes through `escapeMarkdown`; only the connecting words are ours.
 */
import type { Language } from '../cafe'
import type { Contribution } from '../contributions'
import type { BlockForm } from '../harvest'
import { escapeMarkdown } from '../markdown'
import type { PhraseGroup } from './groups'
import type { Kind } from './words'
import { agreementOf, citedFr, frequency, kindOf, listJoin, lowerFirst, upperFirst } from './words'

/** Phrases enumerated in one sentence, at most. */
const PER_SENTENCE = 6

interface Piece { body: string; punct: string; kind: Kind; group: PhraseGroup }

/** A phrase ready to go in a sentence: escaped, bold when it is a key point, its end punctuation apart. */
function piece(g: PhraseGroup, lang: Language, lower: boolean): Piece {
  const kind = kindOf(g.phrase, lang)
  let text = g.phrase.trim()
  let punct = ''
  const m = /\s*([.!?…]+)$/.exec(text)
  if (m && !/\betc\.$/i.test(text)) { punct = kind === 'fragment' ? '' : m[1]!.replace(/^\.+$/, '.'); text = text.slice(0, m.index) }
  let body = escapeMarkdown(text)
  if (lower) body = lowerFirst(body, lang)
  if (g.key && body) body = `**${body}**`
  // French puts a space before "?" and "!" (a question, an exclamation keep theirs).
  if (lang === 'fr' && /^[!?]/.test(punct)) punct = ` ${punct}`
  return { body, punct, kind, group: g }
}

const variantText = (v: string, lang: Language) => lowerFirst(escapeMarkdown(v.trim().replace(/\s*\.$/, '')), lang)
/** "(à deux tables ; manque de temps pour se rencontrer)" */
function notes(g: PhraseGroup, lang: Language, withFrequency: boolean): string {
  const all = [...(withFrequency && g.mentions > 1 ? [frequency(g.tables, g.mentions, lang)] : []), ...g.variants.map((v) => variantText(v, lang))]
  return all.length ? ` (${all.join(' ; ')})` : ''
}
const end = (p: Piece) => p.punct.trim() === '' ? '.' : p.punct

const W = {
  fr: {
    leadKnown: (p: string, plural: boolean, cited: string, freq: string, vars: string) => `${upperFirst(p)} ${plural ? 'sont' : 'est'} le plus souvent ${cited} (${freq})${vars ? ` : ${vars}` : ''}.`,
    lead: (freq: string, p: string) => `Ce qui revient le plus souvent (${freq}) : ${p}`,
    oneMore: (freq: string, p: string) => `Autre idée reprise ${freq} : ${p}.`,
    moreAgain: (list: string) => `D’autres idées reviennent plusieurs fois : ${list}.`,
    some: (n: number, after: boolean, list: string) => `${after ? (n === 1 ? 'Une autre idée est évoquée' : 'D’autres idées sont évoquées') : n === 1 ? 'Une idée est évoquée' : 'Plusieurs idées sont évoquées'} : ${list}.`,
    alsoSome: (n: number, list: string) => `À cela ${n === 1 ? 's’ajoute' : 's’ajoutent'} : ${list}.`,
    questions: (n: number, list: string) => `${n === 1 ? 'Une question se pose' : 'Des questions se posent'} : ${list}`,
    connectors: ['Par ailleurs, ', 'De plus, ', 'Enfin, '],
    beyond: 'En dehors de ces thèmes, ',
    beyondAlone: 'D’autres contributions ne relèvent d’aucun de ces thèmes.',
    drawings: (n: number, loose: boolean, where: string) => loose
      ? `Les nappes portent aussi ${n === 1 ? 'un dessin' : 'des dessins'} (${where}).`
      : `${n === 1 ? 'Un dessin accompagne' : 'Des dessins accompagnent'} ce thème (${where}).`,
    where: (table: string, round: number) => `${table}, tour ${round}`,
  },
  en: {
    leadKnown: (p: string, plural: boolean, _cited: string, freq: string, vars: string) => `${upperFirst(p)} ${plural ? 'are' : 'is'} cited most often (${freq})${vars ? `: ${vars}` : ''}.`,
    lead: (freq: string, p: string) => `What comes up most often (${freq}): ${p}`,
    oneMore: (freq: string, p: string) => `Another idea comes up ${freq}: ${p}.`,
    moreAgain: (list: string) => `Other ideas come up more than once: ${list}.`,
    some: (n: number, after: boolean, list: string) => `${after ? (n === 1 ? 'Another idea is mentioned' : 'Other ideas are mentioned') : n === 1 ? 'One idea is mentioned' : 'Several ideas are mentioned'}: ${list}.`,
    alsoSome: (_n: number, list: string) => `Also mentioned: ${list}.`,
    questions: (n: number, list: string) => `${n === 1 ? 'A question is raised' : 'Questions are raised'}: ${list}`,
    connectors: ['In addition, ', 'Also, ', 'Finally, '],
    beyond: 'Beyond these themes, ',
    beyondAlone: 'Other contributions fall outside these themes.',
    drawings: (n: number, loose: boolean, where: string) => loose
      ? `The tablecloths also hold ${n === 1 ? 'a drawing' : 'drawings'} (${where}).`
      : `${n === 1 ? 'A drawing goes' : 'Drawings go'} with this theme (${where}).`,
    where: (table: string, round: number) => `${table}, round ${round}`,
  },
} as const

/** A sentence after an opening ("Par ailleurs, "): its first word loses its capital when it can. */
function opened(opening: string, sentence: string, lang: Language): string {
  const m = /^(\*\*)?(.*)$/s.exec(sentence)!
  return `${opening}${m[1] ?? ''}${lowerFirst(m[2]!, lang)}`
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/**
 * The sentence a theme's paragraph ends with when the theme holds drawings, in either language, as the
 * last sentence of a text (group 1): a rewrite keeps it (`shared/themeParagraph.ts`). Made from the very
 * sentences above, so that the two cannot drift apart.
 */
export const THEME_DRAWINGS_SENTENCE = new RegExp(`(?:^|\\s)(${(['fr', 'en'] as const).flatMap((lang) => [1, 2].map((n) => {
  const [before, after] = W[lang].drawings(n, false, '\u0000').split('\u0000').map(escapeRegExp)
  return `${before}[^\\n]*${after}`
})).join('|')})$`)

function drawingSentence(drawings: readonly Contribution[], lang: Language, loose: boolean): string {
  const where = [...new Set(drawings.map((d) => escapeMarkdown(W[lang].where(d.tableName, d.round))))]
  return W[lang].drawings(drawings.length, loose, where.join(' ; '))
}

export interface BlockOptions {
  lang: Language
  form: BlockForm
  /** The pile left unsorted after themes: opens with "En dehors de ces thèmes, " / is a list with no heading of its own. */
  beyondThemes?: boolean
  /** Drawings of the pile left unsorted are "on the tablecloths", not "with this theme". */
  loose?: boolean
}

/** The Markdown of one block of phrases (a paragraph, or a list), and its drawings; '' when empty. */
export function writeBlock(groups: readonly PhraseGroup[], drawings: readonly Contribution[], o: BlockOptions): string {
  if (o.form === 'list') return writeList(groups, drawings, o)
  const T = W[o.lang]
  const lang = o.lang
  const sentences: string[] = []
  const repeated = groups.filter((g) => g.mentions > 1)
  const singles = groups.filter((g) => g.mentions === 1)

  const [lead, ...again] = repeated
  if (lead) {
    const p = piece(lead, lang, false)
    const agreement = agreementOf(lead.phrase, lang)
    const cited = lang === 'fr' ? citedFr(agreement) : 'cited'
    const vars = lead.variants.map((v) => variantText(v, lang)).join(' ; ')
    if (p.kind === 'fragment' && cited && agreement.plural !== null) sentences.push(T.leadKnown(p.body, agreement.plural, cited, frequency(lead.tables, lead.mentions, lang), vars))
    else sentences.push(`${T.lead(frequency(lead.tables, lead.mentions, lang), piece(lead, lang, true).body)}${notes(lead, lang, false)}${end(p)}`)
  }
  const againFragments = again.map((g) => piece(g, lang, true)).filter((p) => p.kind === 'fragment')
  if (againFragments.length === 1) {
    const p = againFragments[0]!
    sentences.push(T.oneMore(frequency(p.group.tables, p.group.mentions, lang), `${p.body}${notes(p.group, lang, false)}`))
  } else if (againFragments.length > 1) {
    sentences.push(T.moreAgain(listJoin(againFragments.map((p) => `${p.body}${notes(p.group, lang, true)}`), lang)))
  }
  for (const p of again.map((g) => piece(g, lang, false)).filter((p) => p.kind !== 'fragment')) sentences.push(`${upperFirst(p.body)}${notes(p.group, lang, true)}${end(p)}`)

  const pieces = singles.map((g) => piece(g, lang, true))
  const fragments = pieces.filter((p) => p.kind === 'fragment')
  for (let i = 0; i < fragments.length; i += PER_SENTENCE) {
    const chunk = fragments.slice(i, i + PER_SENTENCE)
    const list = listJoin(chunk.map((p) => p.body), lang)
    sentences.push(i === 0 ? T.some(chunk.length, repeated.length > 0, list) : T.alsoSome(chunk.length, list))
  }
  const questions = pieces.filter((p) => p.kind === 'question')
  if (questions.length) {
    // After the colon, the first question goes on in lower case; the next ones are sentences of their own.
    sentences.push(T.questions(questions.length, questions.map((p, i) => `${i === 0 ? p.body : upperFirst(p.body)}${p.punct}`).join(' ')))
  }
  // Up to here, every sentence opens with our own words; a phrase of a table's may open what follows.
  const ours = sentences.length > 0
  const clauses = singles.map((g) => piece(g, lang, false)).filter((p) => p.kind === 'clause')
  clauses.forEach((p, i) => {
    const s = `${upperFirst(p.body)}${end(p)}`
    const connector = sentences.length === 0 ? null
      : i === 0 ? T.connectors[0]
        : i === clauses.length - 1 && clauses.length > 2 ? T.connectors[2]
          : i === 1 ? T.connectors[1] : null
    sentences.push(connector ? opened(connector, s, lang) : s)
  })
  if (drawings.length) sentences.push(drawingSentence(drawings, lang, o.loose === true))
  if (sentences.length === 0) return ''
  if (o.beyondThemes) {
    if (ours || clauses.length === 0) sentences[0] = opened(T.beyond, sentences[0]!, lang)
    else sentences.unshift(T.beyondAlone)
  }
  return sentences.join(' ')
}

function writeList(groups: readonly PhraseGroup[], drawings: readonly Contribution[], o: BlockOptions): string {
  const lang = o.lang
  const items = groups.map((g) => {
    const p = piece(g, lang, false)
    return `${p.body}${notes(g, lang, true)}${p.punct}`
  })
  // French lists end their items with " ;" and the last with "." (unless it already ends with ? or !).
  const punctuated = lang === 'fr'
    ? items.map((t, i) => (/[?!.]$/.test(t) ? t : `${t}${i === items.length - 1 ? '.' : ' ;'}`))
    : items
  const blocks: string[] = []
  if (punctuated.length) blocks.push(punctuated.map((t) => `- ${t}`).join('\n'))
  if (drawings.length) blocks.push(drawingSentence(drawings, lang, o.loose === true))
  return blocks.join('\n\n')
}
