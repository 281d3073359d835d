/**
 * The synthesis builder: from the café definition, who took part (organisations and sectors only, never
 * names), every contribution and the harvest (themes, key points, merges, free sections), a Markdown
 * document in parts: the introduction, one part per question, one per free section. Every piece of user
 * text goes through `escapeMarkdown`, so a note written in Markdown or HTML stays plain text.
 */
import type { CafeDefinition } from './cafe'
import type { Contribution } from './contributions'
import type { HarvestState, SectionRef, Theme } from './harvest'
import { freeSection, questionSection, resolveMerge } from './harvest'
import { escapeMarkdown } from './markdown'
import { frequentTerms } from './textAnalysis'
import { SYNTHESIS_TEXT, listJoin, longDate } from './synthesisText'

export interface SynthesisInput {
  definition: CafeDefinition
  /** Everyone who joined (names are not used). */
  people: ReadonlyArray<{ organisation: string | null; sector: string | null }>
  contributions: readonly Contribution[]
  harvest: HarvestState
}

export interface SynthesisPart { key: string; markdown: string }

export const INTRO_PART = 'intro'

export function buildSynthesis(input: SynthesisInput): SynthesisPart[] {
  const { definition: def, harvest } = input
  const T = SYNTHESIS_TEXT[def.language]
  const keyPoints = new Set(harvest.keyPoints)
  const byKey = new Map(input.contributions.map((c) => [c.key, c]))
  // Themes of a question the café does not have are ignored (their contributions stay in their own question).
  const questionIds = new Set(def.questions.map((q) => q.id))
  const themeIds = new Set(harvest.themes.filter((t) => !t.section.startsWith('q:') || questionIds.has(t.section.slice(2))).map((t) => t.id))

  // Merged duplicates fold into the contribution they joined; it then counts for all of them.
  const weight = new Map<string, number>()
  const shown: Contribution[] = []
  for (const c of input.contributions) {
    const root = resolveMerge(harvest.merges, c.key)
    if (root !== c.key && byKey.has(root)) weight.set(root, (weight.get(root) ?? 1) + 1)
    else shown.push(c)
  }
  const themeOf = (c: Contribution): string | null => {
    const t = harvest.placements[c.key]
    return t !== undefined && themeIds.has(t) ? t : null
  }

  const bullet = (c: Contribution): string => {
    const n = weight.get(c.key) ?? 1
    const text = c.kind === 'drawing' ? `*${escapeMarkdown(T.drawing(c.tableName, c.round))}*` : escapeMarkdown(c.text)
    const marked = keyPoints.has(c.key) && c.kind !== 'drawing' ? `**${text}**` : text
    return `- ${marked}${n > 1 ? ` (×${n})` : ''}`
  }
  const rank = (c: Contribution) => (keyPoints.has(c.key) ? 1e9 : 0) + (weight.get(c.key) ?? 1) * 1000 + c.votes + c.stars
  const list = (items: Contribution[]): string => {
    const order = new Map(items.map((c, i) => [c.key, i]))
    return [...items].sort((a, b) => rank(b) - rank(a) || order.get(a.key)! - order.get(b.key)!).map(bullet).join('\n')
  }
  const themeBlocks = (section: SectionRef): string[] =>
    harvest.themes
      .filter((t: Theme) => t.section === section)
      .map((t) => {
        const items = shown.filter((c) => themeOf(c) === t.id)
        return [`#### ${escapeMarkdown(t.name)}`, ...(items.length ? [list(items)] : [])].join('\n\n')
      })

  const parts: SynthesisPart[] = [{ key: INTRO_PART, markdown: intro(input) }]

  def.questions.forEach((q, i) => {
    const all = input.contributions.filter((c) => c.questionId === q.id)
    const blocks = [`### ${escapeMarkdown(T.question(i + 1, q.text))}`]
    if (all.length === 0) {
      blocks.push(T.nothing)
    } else {
      const counts = T.counts({ contributions: all.length, tables: new Set(all.map((c) => c.tableId)).size, rounds: new Set(all.map((c) => c.round)).size })
      const frequent = frequentTerms(all.filter((c) => c.kind !== 'drawing').map((c) => c.text), { limit: 6 })
      blocks.push(frequent.length ? `${counts} ${T.frequent(frequent.map((f) => `**${escapeMarkdown(f.word)}** (${f.count})`).join(', '))}` : counts)
    }
    const themed = themeBlocks(questionSection(q.id))
    blocks.push(...themed)
    const loose = shown.filter((c) => c.questionId === q.id && themeOf(c) === null)
    const words = loose.filter((c) => c.kind !== 'drawing')
    if (words.length) blocks.push(`#### ${themed.length ? T.others : T.contributions}`, list(words))
    const drawings = loose.filter((c) => c.kind === 'drawing')
    if (drawings.length) {
      const where = [...new Set(drawings.map((d) => T.tableRound(d.tableName, d.round)))]
      blocks.push(`*${escapeMarkdown(T.drawings(where.join(', ')))}*`)
    }
    parts.push({ key: questionSection(q.id), markdown: blocks.join('\n\n') })
  })

  for (const s of harvest.sections) {
    const ref = freeSection(s.id)
    parts.push({ key: ref, markdown: [`### ${escapeMarkdown(s.title)}`, ...themeBlocks(ref)].join('\n\n') })
  }
  return parts
}

function intro(input: SynthesisInput): string {
  const def = input.definition
  const lang = def.language
  const T = SYNTHESIS_TEXT[lang]
  const blocks = [`# ${escapeMarkdown(def.title)}`, `## ${T.synthesis}`]
  blocks.push(escapeMarkdown(T.gathered({ people: input.people.length, date: def.date ? longDate(def.date, lang) : null, place: def.place.trim() || null })))
  if (def.description.trim()) blocks.push(escapeMarkdown(def.description))
  const orgs = distinctByCount(input.people.map((p) => p.organisation))
  if (orgs.length) blocks.push(escapeMarkdown(T.organisations(listJoin(orgs.map((o) => o.value), lang))))
  const sectors = distinctByCount(input.people.map((p) => p.sector))
  if (sectors.length) blocks.push(escapeMarkdown(T.sectors(sectors.map((s) => `${s.value} (${s.count})`).join(', '))))
  blocks.push(T.rounds(def.rounds.length, def.questions.length))
  blocks.push(def.questions.map((q) => `- ${escapeMarkdown(q.text)}`).join('\n'))
  blocks.push(T.closing)
  return blocks.join('\n\n')
}

/** Distinct non-empty values (trimmed; case-insensitive), most frequent first, then alphabetical. */
function distinctByCount(values: ReadonlyArray<string | null>): Array<{ value: string; count: number }> {
  const seen = new Map<string, { value: string; count: number }>()
  for (const v of values) {
    const value = v?.trim()
    if (!value) continue
    const k = value.toLocaleLowerCase('fr')
    const e = seen.get(k)
    if (e) e.count++
    else seen.set(k, { value, count: 1 })
  }
  return [...seen.values()].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value, 'fr'))
}

/** The whole document: parts separated by a blank line, ending with a newline. */
export function joinParts(parts: readonly string[]): string {
  return `${parts.map((p) => p.trim()).filter(Boolean).join('\n\n')}\n`
}
