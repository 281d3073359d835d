/**
 * Suggestions for the harvest, computed locally: near-duplicate contributions ("le temps" / "manque de
 * temps") and the most frequent terms of a question. French and English stop words are ignored, accents
 * and case do not matter, and plurals fold onto their singular ("partenaires" = "partenaire").
 */

// Function words, plus words that say nothing about the content of a World Café note.
const STOP_WORDS = new Set(`
a à ai aie ainsi alors au aucun aussi autre autres aux avait avec avoir avons c ça car ce ceci cela celle celles celui ces cet cette ceux chaque chez ci comme comment d dans de des deux doit donc dont du elle elles en encore entre est et etc été être eu fait faire faut fois font ici il ils j je jusqu l la le les leur leurs lui m ma mais me même mes moi moins mon n ne ni non nos notre nous on ont ou où par parce pas peu peut plus pour pourquoi qu quand que quel quelle quelles quels qui quoi s sa sans se ses si son sont sous sur t ta te tes toi ton tous tout toute toutes tres très trop tu un une unes uns vers via voir vos votre vous y
about after all also am an and any are as at be because been but by can could did do does for from had has have he her his how i if in into is it its just me more most my no not of on only or other our out over same she should so some such than that the their them then there these they this those through to too up us very was we were what when where which while who why will with would you your
`.split(/\s+/).filter(Boolean))

/** Lower case, no accents, letters and digits only. */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[’']/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/** Folds simple plurals: "partenaires" -> "partenaire", "réseaux" -> "reseau", "activities" -> "activity". */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`
  if (word.length > 4 && word.endsWith('eaux')) return word.slice(0, -1)
  if (word.length > 4 && word.endsWith('aux')) return `${word.slice(0, -3)}al`
  if (word.length > 3 && (word.endsWith('s') || word.endsWith('x')) && !word.endsWith('ss')) return word.slice(0, -1)
  return word
}

export interface Term { stem: string; word: string }

/** The content words of a text, in order, each with its stem and its original spelling. */
export function terms(text: string): Term[] {
  const out: Term[] = []
  const words = text.split(/[^\p{L}\p{N}’'-]+/u)
  for (const raw of words) {
    for (const part of raw.split(/[’'-]/)) {
      const n = normalize(part)
      if (n.length < 2 || STOP_WORDS.has(n) || /^\d+$/.test(n)) continue
      out.push({ stem: stem(n), word: part.toLowerCase() })
    }
  }
  return out
}

/** The stems of a text's content words. */
export const stemSet = (text: string): Set<string> => new Set(terms(text).map((x) => x.stem))

/** Least score for two texts to count as near-duplicates (suggestions, and the synthesis's grouping). */
export const NEAR_DUPLICATE_SCORE = 0.5

/**
 * How nearly two texts say the same thing, from 0 to 1: the share of content words they have in common,
 * or (0.9 at most) whether the shorter one, when short, is all in the other ("le temps" in "manque de temps").
 */
export function similarity(A: ReadonlySet<string>, B: ReadonlySet<string>): number {
  if (A.size === 0 || B.size === 0) return 0
  let common = 0
  for (const s of A) if (B.has(s)) common++
  const jaccard = common / (A.size + B.size - common)
  // Containment counts only when the shorter text is short: one word in a long note is not a duplicate.
  const shorter = Math.min(A.size, B.size)
  const containment = shorter <= 3 ? common / shorter : 0
  return Math.max(jaccard, containment * 0.9)
}

export interface DuplicateSuggestion { a: string; b: string; score: number }

/**
 * Pairs of texts that say nearly the same thing: same content words, or all the content words of the
 * shorter one found in the other ("le temps" in "manque de temps"). Best first; at most `limit`.
 */
export function suggestDuplicates(
  texts: ReadonlyArray<{ key: string; text: string }>,
  opts: { limit?: number; minScore?: number; skip?: ReadonlySet<string> } = {},
): DuplicateSuggestion[] {
  const limit = opts.limit ?? 50
  const minScore = opts.minScore ?? NEAR_DUPLICATE_SCORE
  const sets = texts.map((t) => ({ key: t.key, stems: stemSet(t.text) })).filter((t) => t.stems.size > 0)
  // Only pairs that share a word are compared; a word shared by very many texts says little on its own.
  const byStem = new Map<string, number[]>()
  sets.forEach((s, i) => { for (const st of s.stems) { let l = byStem.get(st); if (!l) byStem.set(st, (l = [])); l.push(i) } })
  const seen = new Set<number>()
  const found: DuplicateSuggestion[] = []
  for (const list of byStem.values()) {
    if (list.length > 200) continue
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const i = list[x]!, j = list[y]!
        const id = i * sets.length + j
        if (seen.has(id)) continue
        seen.add(id)
        const score = similarity(sets[i]!.stems, sets[j]!.stems)
        if (score < minScore) continue
        const [a, b] = sets[i]!.key < sets[j]!.key ? [sets[i]!.key, sets[j]!.key] : [sets[j]!.key, sets[i]!.key]
        if (opts.skip?.has(`${a}|${b}`)) continue
        found.push({ a, b, score: Math.round(score * 100) / 100 })
      }
    }
  }
  return found.sort((p, q) => q.score - p.score || (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : 1)).slice(0, limit)
}

export interface FrequentTerm { word: string; count: number }

/**
 * The words most texts use (each text counts once per word), shown in their most common spelling.
 * Only words used by at least `minCount` texts.
 */
export function frequentTerms(texts: readonly string[], opts: { limit?: number; minCount?: number } = {}): FrequentTerm[] {
  const limit = opts.limit ?? 8
  const minCount = opts.minCount ?? 2
  const counts = new Map<string, { count: number; spellings: Map<string, number> }>()
  for (const text of texts) {
    const seenHere = new Set<string>()
    for (const t of terms(text)) {
      let c = counts.get(t.stem)
      if (!c) counts.set(t.stem, (c = { count: 0, spellings: new Map() }))
      c.spellings.set(t.word, (c.spellings.get(t.word) ?? 0) + 1)
      if (seenHere.has(t.stem)) continue
      seenHere.add(t.stem)
      c.count++
    }
  }
  const out: FrequentTerm[] = []
  for (const c of counts.values()) {
    if (c.count < minCount) continue
    const word = [...c.spellings.entries()].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1))[0]![0]
    out.push({ word, count: c.count })
  }
  return out.sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : 1)).slice(0, limit)
}
