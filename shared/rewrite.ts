/**
 * "Rewrite with the model", the pure part: what is sent for one theme (its contributions' words, with
 * the near-duplicates merged into them as variants, how often each came and whether it is a key point;
 * never a name, an organisation, a sector or a table), the instructions in the café's language, and
 * what is kept of the answer (one paragraph of plain text with **bold**, whatever the model wrote).
 * The server (`server/http/rewrite.ts`) sends it; `shared/coverage.ts` checks the answer.
 */
import type { Language } from './cafe'
import type { Contribution } from './contributions'
import type { HarvestState } from './harvest'
import { filingOf, resolveMerge } from './harvest'
import { normalizeText } from './markdown'
import { normalize } from './textAnalysis'

/** Most words (contributions and their variants, in characters) one request may carry. */
export const MAX_REWRITE_INPUT_CHARS = 24_000
/** Longest paragraph kept from an answer. */
export const MAX_REWRITE_CHARS = 20_000

/** One idea of the theme, as the model gets it and as the coverage check looks for it. */
export interface RewriteItem {
  /** The contribution's key (the first, when several contributions have the very same words). */
  key: string
  /** Every contribution with these words. */
  keys: string[]
  text: string
  /** Words of the near-duplicates merged into it. */
  variants: string[]
  /** How many contributions say it (merged ones included). */
  mentions: number
  keyPoint: boolean
}

export type ThemeItems = { ok: true; items: RewriteItem[]; chars: number } | { ok: false; reason: 'no_theme' }

/**
 * The written contributions filed under a theme, as the synthesis sees them (`buildSynthesis`): merged
 * duplicates fold into the contribution they joined, drawings and empty notes are left out, the same
 * words said at several tables are one item. Most mentioned first, then in the contributions' order.
 */
export function themeItems(harvest: HarvestState, contributions: readonly Contribution[], themeId: string, questionIds: readonly string[]): ThemeItems {
  const known = new Set(questionIds)
  const themes = harvest.themes.filter((t) => !t.section.startsWith('q:') || known.has(t.section.slice(2)))
  if (!themes.some((t) => t.id === themeId)) return { ok: false, reason: 'no_theme' }
  const filed = filingOf({ ...harvest, themes })
  const byKey = new Map(contributions.map((c) => [c.key, c]))
  const keyPoints = new Set(harvest.keyPoints)
  const merged = new Map<string, Contribution[]>()
  const roots: Contribution[] = []
  for (const c of contributions) {
    const root = resolveMerge(harvest.merges, c.key)
    if (root !== c.key && byKey.has(root)) { let l = merged.get(root); if (!l) merged.set(root, (l = [])); l.push(c) } else roots.push(c)
  }
  const words = (c: Contribution) => (c.kind === 'drawing' ? '' : normalizeText(c.text))
  const items = new Map<string, RewriteItem>()
  for (const c of roots) {
    if (filed(c) !== themeId) continue
    const others = (merged.get(c.key) ?? []).filter((m) => words(m) !== '')
    const text = words(c) || words(others[0] ?? c)
    if (!text) continue
    const id = normalize(text)
    let item = items.get(id)
    if (!item) items.set(id, (item = { key: c.key, keys: [], text, variants: [], mentions: 0, keyPoint: false }))
    item.keys.push(c.key)
    item.mentions += 1 + others.length
    item.keyPoint ||= keyPoints.has(c.key)
    for (const m of others) {
      const v = words(m)
      if (normalize(v) !== id && !item.variants.some((x) => normalize(x) === normalize(v))) item.variants.push(v)
    }
  }
  const list = [...items.values()].map((item, i) => ({ item, i })).sort((a, b) => b.item.mentions - a.item.mentions || a.i - b.i).map((x) => x.item)
  const chars = list.reduce((n, it) => n + it.text.length + it.variants.reduce((m, v) => m + v.length, 0), 0)
  return { ok: true, items: list, chars }
}

export interface ChatMessage { role: 'system' | 'user'; content: string }

const INSTRUCTIONS: Record<Language, string> = {
  fr: [
    'Tu aides à rédiger la synthèse d’un World Café. Tu reçois les contributions d’un même thème, écrites par les participants sur les nappes.',
    'Écris-en un seul paragraphe fluide, en français, qui relie ces idées.',
    'Règles :',
    '- Garde chaque idée, même brève, avec ses mots importants ; seules les variantes d’une même idée peuvent être dites une fois.',
    '- N’invente rien : aucun fait, exemple, chiffre, nom ni conclusion qui ne soit dans les contributions.',
    '- Mets en gras (**comme ceci**) les idées marquées « point clé ».',
    '- Commence par les idées citées le plus souvent.',
    '- Ni titre, ni liste, ni introduction, ni commentaire : réponds uniquement par le paragraphe.',
  ].join('\n'),
  en: [
    'You help write the synthesis of a World Café. You are given the contributions of one theme, written by the participants on the tablecloths.',
    'Write one smooth paragraph, in English, that links these ideas together.',
    'Rules:',
    '- Keep every idea, even a short one, with its important words; only variants of one idea may be said once.',
    '- Invent nothing: no fact, example, figure, name or conclusion that is not in the contributions.',
    '- Put the ideas marked "key point" in bold (**like this**).',
    '- Start with the ideas mentioned most often.',
    '- No title, no list, no introduction, no comment: answer with the paragraph only.',
  ].join('\n'),
}

const LINE: Record<Language, { head: string; times: (n: number) => string; key: string; variants: string; quote: (s: string) => string }> = {
  fr: { head: 'Contributions du thème :', times: (n) => `citée ${n} fois`, key: 'point clé', variants: 'variantes :', quote: (s) => `« ${s} »` },
  en: { head: 'Contributions of the theme:', times: (n) => `mentioned ${n} times`, key: 'key point', variants: 'variants:', quote: (s) => `"${s}"` },
}

/** The chat messages for one theme: the instructions, then the numbered contributions. Nothing else. */
export function rewriteMessages(items: readonly RewriteItem[], lang: Language): ChatMessage[] {
  const L = LINE[lang]
  const lines = items.map((it, i) => {
    const notes = [...(it.mentions > 1 ? [L.times(it.mentions)] : []), ...(it.keyPoint ? [L.key] : [])]
    const variants = it.variants.length ? `\n   ${L.variants} ${it.variants.map(L.quote).join(' ; ')}` : ''
    return `${i + 1}. ${L.quote(it.text)}${notes.length ? ` (${notes.join(', ')})` : ''}${variants}`
  })
  return [{ role: 'system', content: INSTRUCTIONS[lang] }, { role: 'user', content: [L.head, ...lines].join('\n') }]
}

/**
 * What is kept of a model's answer: its reasoning (`<think>…</think>`), code fences and title lines
 * dropped, one paragraph (line breaks folded), no heading, list or quote marker in front, no wrapping quotes. The
 * rest stays as the model wrote it: the synthesis's Markdown subset never interprets HTML or links
 * (`shared/markdown.ts`), and the harvester reads it before accepting. '' when nothing is left.
 */
export function cleanAnswer(raw: string): string {
  const lines = raw.replace(/<think>[\s\S]*?(?:<\/think>|$)/gi, ' ').split(/\r\n|\r|\n/).filter((l) => !/^\s*```/.test(l))
  // A title line of its own goes (the theme has its heading already), unless it is all there is.
  const body = lines.filter((l) => !/^ {0,3}#{1,6}[ \t]/.test(l))
  let text = normalizeText((body.some((l) => l.trim() !== '') ? body : lines).join('\n'))
  for (let before = ''; before !== text;) {
    before = text
    text = text.replace(/^(?:#{1,6}\s+|[-*+>]\s+|\d{1,3}[.)]\s+)/, '').trim()
  }
  const wrapped = /^(?:"([^"]*)"|«\s*([^«»]*?)\s*»|“([^“”]*)”)$/.exec(text)
  if (wrapped) text = (wrapped[1] ?? wrapped[2] ?? wrapped[3] ?? '').trim()
  return text
}
