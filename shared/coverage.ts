/**
 * Which contributions a text still carries: the check beside a rewrite by the model, before anyone
 * accepts it. A contribution counts as present when more than half of its meaningful words are in the
 * text: accents and case do not matter, French and English function words are ignored, plurals fold
 * onto their singular (`textAnalysis.stemSet`), and two forms of one word match when they share a long
 * enough start ("mutualiser" / "mutualisation", "rencontrer" / "rencontres", "connaissance" /
 * "connaître"). Merged near-duplicates travel with the contribution they joined: the group is present
 * when any of its texts is. Pure and cheap enough to run on every keystroke.
 */
import { normalize, stemSet } from './textAnalysis'

/** A contribution to look for: its words, and those of the near-duplicates merged into it. */
export interface CoverageItem { key: string; text: string; variants?: readonly string[] }

export interface CoverageResult<T extends CoverageItem> {
  /** The items the text does not carry, in their given order. */
  missing: T[]
  /** How many it carries. */
  present: number
}

/** Two forms of a word match when both are this long and share at least this many first letters... */
const MIN_SHARED_START = 5
/** ...and at least this share of the shorter one. */
const SHARED_START_SHARE = 0.5
/** Scripts written without spaces between words: a word of theirs is looked for inside the text's runs. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u

/** The words of a text, ready for many lookups. */
export interface TextIndex {
  stems: ReadonlySet<string>
  /** Stems by their first MIN_SHARED_START letters. */
  byStart: ReadonlyMap<string, readonly string[]>
  /** The whole text normalized, with a space at both ends. */
  flat: string
}

export function indexText(text: string): TextIndex {
  const stems = stemSet(text)
  const byStart = new Map<string, string[]>()
  for (const s of stems) {
    if (s.length < MIN_SHARED_START) continue
    const k = s.slice(0, MIN_SHARED_START)
    let l = byStart.get(k)
    if (!l) byStart.set(k, (l = []))
    l.push(s)
  }
  return { stems, byStart, flat: ` ${normalize(text)} ` }
}

function sharedStart(a: string, b: string): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

/** Whether the text has this word, or another form of it. */
function hasWord(index: TextIndex, stem: string): boolean {
  if (index.stems.has(stem)) return true
  if (stem.length >= MIN_SHARED_START) {
    for (const other of index.byStart.get(stem.slice(0, MIN_SHARED_START)) ?? []) {
      const shorter = Math.min(stem.length, other.length)
      if (sharedStart(stem, other) >= Math.max(MIN_SHARED_START, Math.ceil(shorter * SHARED_START_SHARE))) return true
    }
  }
  return UNSPACED.test(stem) && index.flat.includes(stem)
}

/** Whether the text carries one contribution's words (more than half of its meaningful words). */
export function carries(index: TextIndex, text: string): boolean {
  const stems = [...stemSet(text)]
  if (stems.length === 0) {
    // Only function words, digits or signs ("?", "2030", "et ?"): the words themselves must be there.
    const flat = normalize(text)
    return flat === '' || index.flat.includes(` ${flat} `)
  }
  const found = stems.filter((s) => hasWord(index, s)).length
  return found * 2 > stems.length
}

/** Which items the text carries, and which it lost. */
export function coverage<T extends CoverageItem>(text: string, items: readonly T[]): CoverageResult<T> {
  const index = indexText(text)
  const missing = items.filter((item) => ![item.text, ...(item.variants ?? [])].some((t) => carries(index, t)))
  return { missing, present: items.length - missing.length }
}
