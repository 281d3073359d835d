/**
 * What a theme (or a pile left unsorted) says, as phrases: each contribution with the near-duplicates
 * merged into it by hand, then near-duplicates grouped automatically (the suggestions' similarity, pairs
 * turned down by the harvester excepted). A group is said once, by its most weighty contribution; the
 * other texts of the group that add words of their own come with it as variants, so that nothing a
 * table wrote is dropped. How often it came counts distinct tables.
 */
import type { Contribution } from '../contributions'
import { pairKey } from '../harvest'
import type { Language } from '../cafe'
import { NEAR_DUPLICATE_SCORE, normalize, similarity, stemSet } from '../textAnalysis'
import { kindOf } from './words'

export interface PhraseGroup {
  /** The text that says it (the representative's). */
  phrase: string
  /** Other texts of the group that add words, in order, without repeats. */
  variants: string[]
  /** Distinct tables it came from, and how many contributions said it. */
  tables: number
  mentions: number
  /** A key point is in the group. */
  key: boolean
  /** Every contribution of the group, the representative first. */
  keys: string[]
}

/** A contribution shown on the board and those merged into it by hand. */
export interface Entry { root: Contribution; merged: readonly Contribution[] }

// A stem shared by very many groups says little on its own: such lists are not searched.
const MAX_CANDIDATES_PER_STEM = 300

export function groupPhrases(entries: readonly Entry[], opts: { lang: Language; keyPoints: ReadonlySet<string>; dismissed: ReadonlySet<string> }): PhraseGroup[] {
  const weight = (e: Entry) => {
    const all = [e.root, ...e.merged]
    return {
      tables: new Set(all.map((c) => c.tableId)).size,
      mentions: all.length,
      key: all.some((c) => opts.keyPoints.has(c.key)),
      marks: all.reduce((n, c) => n + c.stars + c.votes, 0),
    }
  }
  // The most general phrase (fewest words) of what was merged by hand first: the others join it.
  const ranked = entries
    .map((e, i) => ({ e, i, w: weight(e), stems: stemSet(e.root.text), fragment: kindOf(e.root.text, opts.lang) === 'fragment' }))
    .sort((a, b) => b.w.mentions - a.w.mentions || Number(b.w.key) - Number(a.w.key) || a.stems.size - b.stems.size || b.w.marks - a.w.marks || a.i - b.i)

  interface Building { rep: Contribution; stems: Set<string>; members: Contribution[]; first: number }
  const groups: Building[] = []
  const index = new Map<string, number[]>()
  const sameText = new Map<string, number>()
  for (const r of ranked) {
    // The very same words, written at two tables ("Confiance !"), are one phrase whatever their kind.
    const words = normalize(r.e.root.text)
    const exact = sameText.get(words)
    if (exact !== undefined && !opts.dismissed.has(pairKey(groups[exact]!.rep.key, r.e.root.key))) {
      groups[exact]!.members.push(r.e.root, ...r.e.merged)
      continue
    }
    if (exact === undefined) sameText.set(words, groups.length) // the group this one starts (or joins, below)
    // Sentences and questions stand on their own: only fragments ("le temps", "manque de temps") group by themselves.
    if (!r.fragment) {
      groups.push({ rep: r.e.root, stems: r.stems, members: [r.e.root, ...r.e.merged], first: r.i })
      continue
    }
    let best = -1
    let bestScore = NEAR_DUPLICATE_SCORE
    const seen = new Set<number>()
    for (const st of r.stems) {
      const list = index.get(st)
      if (!list || list.length > MAX_CANDIDATES_PER_STEM) continue
      for (const g of list) {
        if (seen.has(g)) continue
        seen.add(g)
        const group = groups[g]!
        if (opts.dismissed.has(pairKey(group.rep.key, r.e.root.key))) continue
        const score = similarity(group.stems, r.stems)
        if (score >= bestScore && (score > bestScore || best < 0)) { best = g; bestScore = score }
      }
    }
    if (best >= 0) {
      groups[best]!.members.push(r.e.root, ...r.e.merged)
      if (sameText.get(words) === groups.length) sameText.set(words, best)
      continue
    }
    const id = groups.length
    groups.push({ rep: r.e.root, stems: r.stems, members: [r.e.root, ...r.e.merged], first: r.i })
    if (r.stems.size === 0) continue
    for (const st of r.stems) { let l = index.get(st); if (!l) index.set(st, (l = [])); l.push(id) }
  }

  const stemsOf = new Map(ranked.map((r) => [r.e.root.key, r.stems]))
  const out = groups.map((g) => {
    const seenText = new Set([normalize(g.rep.text)])
    const variants: string[] = []
    for (const m of g.members.slice(1)) {
      const n = normalize(m.text)
      if (seenText.has(n)) continue
      seenText.add(n)
      // A variant whose every content word is already in the phrase adds nothing ("Le temps !").
      const own = [...(stemsOf.get(m.key) ?? stemSet(m.text))].some((s) => !g.stems.has(s))
      if (own) variants.push(m.text)
    }
    return {
      phrase: g.rep.text,
      variants,
      tables: new Set(g.members.map((c) => c.tableId)).size,
      mentions: g.members.length,
      key: g.members.some((c) => opts.keyPoints.has(c.key)),
      keys: g.members.map((c) => c.key),
      first: g.first,
      marks: g.members.reduce((n, c) => n + c.stars + c.votes, 0),
    }
  })
  return out
    .sort((a, b) => b.tables - a.tables || b.mentions - a.mentions || Number(b.key) - Number(a.key) || b.marks - a.marks || a.first - b.first)
    .map(({ first: _f, marks: _m, ...g }) => g)
}
