/**
 * The synthesis builder: from the café definition, who took part (organisations and sectors only, never
 * names), every contribution and the harvest (themes, key points, merges, free sections), a Markdown
 * document in parts: the introduction, one part per question, one per free section. Each theme is written
 * as prose (`shared/prose/`): what came most often first, near-duplicates said once with how often they
 * came, key points in bold; or as a list when the harvester chose it. Counts and frequent words go in only
 * when asked for. Every piece of user text goes through `escapeMarkdown` (the free sections' prose through
 * `freeTextMarkdown`), so a note written in Markdown or HTML stays plain text. Pure and fast: no clock, no
 * randomness, linear in the contributions but for the near-duplicate search, which is bounded.
 */
import type { CafeDefinition } from './cafe'
import type { Contribution } from './contributions'
import type { BlockForm, HarvestState, SectionRef } from './harvest'
import { defaultDraftOptions, filingOf, freeSection, questionSection, resolveMerge } from './harvest'
import { escapeMarkdown } from './markdown'
import { freeTextMarkdown } from './prose/freeText'
import type { Entry } from './prose/groups'
import { groupPhrases } from './prose/groups'
import { writeBlock } from './prose/paragraph'
import { frequentTerms } from './textAnalysis'
import { SYNTHESIS_TEXT, listJoin, longDate } from './synthesisText'

/** A tablecloth image the exporter has (its path inside the zip, e.g. `nappes/table-1_q1_final.png`). */
export interface SynthesisImage { questionId: string; round: number | 'final'; path: string; caption: string }

export interface SynthesisInput {
  definition: CafeDefinition
  /** Everyone who joined (names are not used). */
  people: ReadonlyArray<{ organisation: string | null; sector: string | null }>
  contributions: readonly Contribution[]
  harvest: HarvestState
  /** The tablecloth images that exist; a question's section shows those its image choice names. */
  images?: ReadonlyArray<SynthesisImage>
}

export interface SynthesisPart { key: string; markdown: string }

export const INTRO_PART = 'intro'

export function buildSynthesis(input: SynthesisInput): SynthesisPart[] {
  const { definition: def, harvest } = input
  const lang = def.language
  const T = SYNTHESIS_TEXT[lang]
  const options = harvest.draft ?? defaultDraftOptions()
  const keyPoints = new Set(harvest.keyPoints)
  const dismissed = new Set(harvest.dismissed)
  const byKey = new Map(input.contributions.map((c) => [c.key, c]))
  // Themes of a question the café does not have are ignored (their contributions stay in their own question).
  const questionIds = new Set(def.questions.map((q) => q.id))
  const themes = harvest.themes.filter((t) => !t.section.startsWith('q:') || questionIds.has(t.section.slice(2)))
  const filed = filingOf({ ...harvest, themes })

  // Merged duplicates fold into the contribution they joined, which then speaks for them.
  const merged = new Map<string, Contribution[]>()
  const shown: Contribution[] = []
  for (const c of input.contributions) {
    const root = resolveMerge(harvest.merges, c.key)
    if (root !== c.key && byKey.has(root)) { let l = merged.get(root); if (!l) merged.set(root, (l = [])); l.push(c) } else shown.push(c)
  }
  const byTheme = new Map<string | null, Contribution[]>()
  const looseByQuestion = new Map<string, Contribution[]>()
  for (const c of shown) {
    const t = filed(c)
    if (t !== null) { let l = byTheme.get(t); if (!l) byTheme.set(t, (l = [])); l.push(c) } else { let l = looseByQuestion.get(c.questionId); if (!l) looseByQuestion.set(c.questionId, (l = [])); l.push(c) }
  }

  const block = (items: readonly Contribution[], form: BlockForm, extra: { beyondThemes?: boolean; loose?: boolean } = {}): string => {
    const words: Entry[] = items.filter((c) => c.kind !== 'drawing').map((c) => ({ root: c, merged: (merged.get(c.key) ?? []).filter((m) => m.kind !== 'drawing') }))
    const drawings = items.flatMap((c) => [c, ...(merged.get(c.key) ?? [])]).filter((c) => c.kind === 'drawing')
    return writeBlock(groupPhrases(words, { lang, keyPoints, dismissed }), drawings, { lang, form, ...extra })
  }
  const themeBlocks = (section: SectionRef): string[] =>
    themes.filter((t) => t.section === section).map((t) => {
      const text = block(byTheme.get(t.id) ?? [], t.form ?? 'paragraph')
      return [`#### ${escapeMarkdown(t.name)}`, ...(text ? [text] : [])].join('\n\n')
    })

  const parts: SynthesisPart[] = [{ key: INTRO_PART, markdown: intro(input, options.counts) }]

  def.questions.forEach((q, i) => {
    const all = input.contributions.filter((c) => c.questionId === q.id)
    const blocks = [`### ${escapeMarkdown(T.question(i + 1, q.text))}`]
    if (all.length === 0) blocks.push(T.nothing)
    if (all.length && options.counts) blocks.push(T.counts({ contributions: all.length, tables: new Set(all.map((c) => c.tableId)).size, rounds: new Set(all.map((c) => c.round)).size }))
    if (all.length && options.frequent) {
      const frequent = frequentTerms(all.filter((c) => c.kind !== 'drawing').map((c) => c.text), { limit: 6 })
      if (frequent.length) blocks.push(T.frequent(frequent.map((f) => `**${escapeMarkdown(f.word)}** (${f.count})`).join(', ')))
    }
    const themed = themeBlocks(questionSection(q.id))
    blocks.push(...themed)
    const loose = looseByQuestion.get(q.id) ?? []
    if (loose.length) {
      const form = options.unsorted[q.id] ?? 'paragraph'
      const text = block(loose, form, { beyondThemes: themed.length > 0 && form === 'paragraph', loose: true })
      // A list after themes needs a heading of its own, or it would read as the last theme's.
      if (themed.length > 0 && form === 'list' && loose.some((c) => c.kind !== 'drawing')) blocks.push(`#### ${T.others}`)
      if (text) blocks.push(text)
    }
    blocks.push(...imageLines(input, q.id))
    parts.push({ key: questionSection(q.id), markdown: blocks.join('\n\n') })
  })

  for (const s of harvest.sections) {
    const ref = freeSection(s.id)
    const prose = freeTextMarkdown(s.text ?? '')
    parts.push({ key: ref, markdown: [`### ${escapeMarkdown(s.title)}`, ...(prose ? [prose] : []), ...themeBlocks(ref)].join('\n\n') })
  }
  return parts
}

/** The images a question's choice names, each on a paragraph of its own: `![caption](path)`. */
function imageLines(input: SynthesisInput, questionId: string): string[] {
  const choice = input.harvest.questionImages?.[questionId]
  if (choice === undefined || !input.images) return []
  return input.images.filter((im) => im.questionId === questionId && im.round === choice).map((im) => `![${escapeMarkdown(im.caption)}](${im.path})`)
}

function intro(input: SynthesisInput, withCounts: boolean): string {
  const def = input.definition
  const lang = def.language
  const T = SYNTHESIS_TEXT[lang]
  const blocks = [`# ${escapeMarkdown(def.title)}`, `## ${T.synthesis}`]
  blocks.push(escapeMarkdown(T.gathered({ people: input.people.length, date: def.date ? longDate(def.date, lang) : null, place: def.place.trim() || null })))
  if (def.description.trim()) blocks.push(escapeMarkdown(def.description))
  const orgs = distinctByCount(input.people.map((p) => p.organisation))
  if (orgs.length) blocks.push(escapeMarkdown(T.organisations(listJoin(orgs.map((o) => o.value), lang))))
  const sectors = distinctByCount(input.people.map((p) => p.sector))
  if (sectors.length) blocks.push(escapeMarkdown(T.sectors(listJoin(sectors.map((s) => (withCounts ? `${s.value} (${s.count})` : s.value)), lang))))
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
