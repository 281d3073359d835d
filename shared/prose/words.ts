/**
 * Small grammar of the synthesis, French and English: numbers in words, what a phrase's first word says
 * about its gender and number, when a phrase's capital can go (mid-sentence), the preposition before a
 * place name ("à Wavre", "au Centre social", "in Wavre", "at the Town Hall"), lists ("a, b et c").
 */
import type { Language } from '../cafe'

const NUMBERS = {
  fr: ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix', 'onze', 'douze'],
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'],
} as const

/** 3 -> "trois" / "three" (up to twelve; digits beyond). */
export function numberWord(n: number, lang: Language): string {
  return NUMBERS[lang][n] ?? String(n)
}

/** How often a phrase came: "à trois tables" / "deux fois"; "at three tables" / "twice". */
export function frequency(tables: number, mentions: number, lang: Language): string {
  if (tables >= 2) return lang === 'fr' ? `à ${numberWord(tables, 'fr')} tables` : `at ${numberWord(tables, 'en')} tables`
  if (lang === 'fr') return `${numberWord(mentions, 'fr')} fois`
  return mentions === 2 ? 'twice' : `${numberWord(mentions, 'en')} times`
}

export interface Agreement { gender: 'm' | 'f' | null; plural: boolean | null }

const FR_DETERMINERS: Record<string, Agreement> = {
  le: { gender: 'm', plural: false }, un: { gender: 'm', plural: false }, ce: { gender: 'm', plural: false }, cet: { gender: 'm', plural: false },
  du: { gender: 'm', plural: false }, au: { gender: 'm', plural: false }, mon: { gender: null, plural: false }, ton: { gender: null, plural: false },
  son: { gender: null, plural: false }, notre: { gender: null, plural: false }, votre: { gender: null, plural: false }, leur: { gender: null, plural: false },
  chaque: { gender: null, plural: false },
  la: { gender: 'f', plural: false }, une: { gender: 'f', plural: false }, cette: { gender: 'f', plural: false }, ma: { gender: 'f', plural: false },
  ta: { gender: 'f', plural: false }, sa: { gender: 'f', plural: false },
  les: { gender: null, plural: true }, des: { gender: null, plural: true }, ces: { gender: null, plural: true }, mes: { gender: null, plural: true },
  tes: { gender: null, plural: true }, ses: { gender: null, plural: true }, nos: { gender: null, plural: true }, vos: { gender: null, plural: true },
  leurs: { gender: null, plural: true }, aux: { gender: null, plural: true }, plusieurs: { gender: null, plural: true }, quelques: { gender: null, plural: true },
  certains: { gender: 'm', plural: true }, certaines: { gender: 'f', plural: true },
}
const EN_DETERMINERS: Record<string, Agreement> = {
  a: { gender: null, plural: false }, an: { gender: null, plural: false }, this: { gender: null, plural: false }, that: { gender: null, plural: false },
  each: { gender: null, plural: false }, every: { gender: null, plural: false }, one: { gender: null, plural: false },
  these: { gender: null, plural: true }, those: { gender: null, plural: true }, many: { gender: null, plural: true }, several: { gender: null, plural: true },
  both: { gender: null, plural: true }, two: { gender: null, plural: true }, three: { gender: null, plural: true }, few: { gender: null, plural: true },
}

const EN_NOT_NOUNS = new Set('the some no any all more most other such what how why when where who which to in on at for with without by of and or but if not we you they it i he she there this that is are'.split(' '))

const firstWord = (text: string): string => (/^[\p{L}\p{N}]+(?:[’']|\b)?/u.exec(text.trim())?.[0] ?? '').toLowerCase()

/** What the first word (a determiner) says about the gender and number of a phrase; nulls when it says nothing. */
export function agreementOf(text: string, lang: Language): Agreement {
  const w = firstWord(text)
  if (lang === 'fr' && /^[ld][’']$/.test(w)) return { gender: null, plural: false }
  const known = (lang === 'fr' ? FR_DETERMINERS : EN_DETERMINERS)[w.replace(/[’']$/, '')]
  if (known) return known
  // English without a determiner: its first noun says the number ("Schools as partners", "Lack of time").
  if (lang === 'en' && w && !EN_NOT_NOUNS.has(w)) return { gender: null, plural: /[^su]s$/.test(w) && w.length > 3 }
  return { gender: null, plural: null }
}

/** "cité", "citée", "cités", "citées" (null when the gender or number is not known). */
export function citedFr(a: Agreement): string | null {
  if (a.gender === null || a.plural === null) return null
  return `cité${a.gender === 'f' ? 'e' : ''}${a.plural ? 's' : ''}`
}

// Words that begin a phrase and are never names: they lose their capital inside a sentence.
const COMMON_START = {
  fr: new Set(`à au aux avec avoir ce ceci cela celle celles celui ces cet cette chacun chaque comme comment d dans de des donc du elle elles en encore entre et être faire faut il ils je j l la le les leur leurs lui ma mais me mes moins mon nos notre nous on ou où par pas peu peut plus plusieurs pour pourquoi qu quand que quel quelle quelles quels quelques qui quoi sa sans se ses si son sont sous sur ta tes ton tous tout toute toutes trop tu un une vers vos votre vous y certains certaines beaucoup souvent toujours parfois aussi bien mieux manque besoin`.split(/\s+/)),
  en: new Set(`a about after all also an and any are as at be because been being both but by can could do does each every few for from had has have how if in into is it its less lack lots many more most much my need no not of on one or other our over several so some such than that the their them there these they this those through to too very was we were what when where which while who why with without you your`.split(/\s+/)),
} as const

/**
 * The phrase with its first letter in lower case when it can go mid-sentence: its first word is a
 * function word, an infinitive ("Mutualiser"), or a noun followed by "de"/"of" ("Manque de temps").
 * Names, acronyms and anything unsure keep their capital.
 */
export function lowerFirst(text: string, lang: Language): string {
  const m = /^(\p{Lu})(\p{Ll}*)([’']?)(\s+(\S+))?/u.exec(text)
  if (!m) return text
  const word = `${m[1]}${m[2]}`.toLowerCase()
  if (lang === 'en' && word === 'i') return text
  const next = (m[5] ?? '').toLowerCase()
  const common = COMMON_START[lang].has(word)
    || (m[3] !== '' && m[2] === '') // l’, d’, j’
    || (lang === 'fr' && word.length >= 6 && /(er|ir)$/.test(word))
    || (lang === 'en' && word.length >= 6 && word.endsWith('ing'))
    || (lang === 'fr' ? /^(de|du|des|d[’'].*)$/.test(next) : next === 'of')
    // English capitalises each word of a name ("Hill School"): a capital on the first word alone is the sentence's.
    || (lang === 'en' && m[4] !== undefined && !/\s\p{Lu}/u.test(text))
  return common ? `${m[1]!.toLowerCase()}${text.slice(1)}` : text
}

/** The phrase with a capital first letter (sentence start). */
export const upperFirst = (text: string): string => text.replace(/^\p{Ll}/u, (c) => c.toUpperCase())

/** "a, b et c" / "a, b and c"; with `;` between items when one of them has a comma of its own. */
export function listJoin(items: readonly string[], lang: Language): string {
  if (items.length <= 1) return items.join('')
  const sep = items.some((i) => i.includes(',')) ? ' ; ' : ', '
  const and = lang === 'fr' ? 'et' : 'and'
  return `${items.slice(0, -1).join(lang === 'en' && sep === ' ; ' ? '; ' : sep)} ${and} ${items.at(-1)}`
}

const FR_VENUES_M = new Set('atelier auditorium campus centre cercle château cinéma club collège complexe conseil domaine espace foyer gymnase hall home hôpital hôtel institut local lycée moulin musée office palais parc pavillon pôle quartier service théâtre'.split(' '))
const FR_VENUES_F = new Set('abbaye auberge bibliothèque chapelle cité commune école église faculté ferme gare grange halle ludothèque maison mairie médiathèque piscine résidence salle université villa'.split(' '))
const FR_FEMININE_ACRONYMS = new Set(['MJC', 'ASBL', 'HE', 'AMO'])
const EN_VENUES = new Set('building centre center chapel church club college community hall hospital hotel house institute library museum office room school theatre theater university venue'.split(' '))
/** Elision before a vowel or a mute h ("l’hôtel", but "le hall"). */
const startsWithVowel = (s: string) => /^([aeiouyàâäéèêëîïôöùûüœ]|h[ôo]p|h[ôo]t)/i.test(s.normalize('NFC'))

/** The place with its preposition: "à Wavre", "au Centre social", "à la Maison des jeunes", "à l’Espace 27"; "in Wavre", "at the Town Hall". */
export function atPlace(place: string, lang: Language): string {
  const p = place.trim()
  const words = p.split(/\s+/)
  const first = words[0] ?? ''
  const lower = first.toLowerCase()
  if (lang === 'en') {
    if (lower === 'the') return `at ${p}`
    return words.some((w) => EN_VENUES.has(w.toLowerCase()) || FR_VENUES_M.has(w.toLowerCase()) || FR_VENUES_F.has(w.toLowerCase())) ? `at ${p}` : `in ${p}`
  }
  if (lower === 'le') return `au ${p.slice(3)}`
  if (lower === 'les') return `aux ${p.slice(4)}`
  if (lower === 'la') return `à ${p}`
  if (/^l[’']/i.test(first)) return `à ${p}`
  if (/^\p{Lu}{2,}$/u.test(first)) return FR_FEMININE_ACRONYMS.has(first) ? (startsWithVowel(first) ? `à l’${p}` : `à la ${p}`) : startsWithVowel(first) ? `à l’${p}` : `au ${p}`
  if (FR_VENUES_M.has(lower) || FR_VENUES_F.has(lower)) {
    if (startsWithVowel(lower)) return `à l’${p}`
    return FR_VENUES_F.has(lower) ? `à la ${p}` : `au ${p}`
  }
  return `à ${p}`
}
/** A phrase is a fragment (woven into a sentence), a sentence of its own, or a question. */
export type Kind = 'fragment' | 'clause' | 'question'
const PRONOUN_START = {
  fr: /^(il|elle|on|nous|vous|ils|elles|je|j[’']|c[’']est|ce sont|cela|ça|il y a)\b/i,
  en: /^(i|we|you|they|it|he|she|there|this is|that is|people)\b/i,
} as const

export function kindOf(text: string, lang: Language): Kind {
  const t = text.trim()
  if (/\?\s*$/.test(t)) return 'question'
  if (PRONOUN_START[lang].test(t) || /[:;!]|\.\s+\S/.test(t) || t.split(/\s+/).length >= 12) return 'clause'
  return 'fragment'
}

