/**
 * The harvest of a café: one Y.Doc, `<cafeId>.harvest`, edited live by the facilitator's team.
 *
 *   meta       : Y.Map { schemaVersion: 1 }
 *   sections   : Y.Map<sectionId, Y.Map { title: string, order: number, text?: Y.Text }>   free sections
 *                ("Comment ?"), with the prose written there by hand
 *   themes     : Y.Map<themeId, Y.Map { section: SectionRef, name: string, order: number, form?: 'paragraph' | 'list' }>
 *   placements : Y.Map<contributionKey, themeId>        a contribution sits in at most one theme
 *   crossings  : Y.Map<contributionKey, themeId>        moved on purpose to another question's theme
 *   keyPoints  : Y.Map<contributionKey, true>
 *   merges     : Y.Map<contributionKey, contributionKey> a near-duplicate -> the contribution it joins
 *   dismissed  : Y.Map<pairKey, true>                    merge suggestions turned down
 *   draft      : Y.Map { counts?: boolean, frequent?: boolean, 'unsorted:<questionId>'?: 'paragraph' | 'list' }
 *   questionImages : Y.Map<questionId, 'final' | round>  which tablecloth images a question's section shows
 *   synthesis  : Y.Map<partKey, Y.Map { text: Y.Text, generated: string }>  the document, part by part
 *
 * A SectionRef is `q:<questionId>` for a table question or `f:<sectionId>` for a free section.
 * Contributions are not copied here: they stay on their tablecloths and are referred to by key.
 * A contribution is filed among its own question's themes or a free section's; a placement under another
 * question's theme counts only with its crossing (a deliberate move), else the contribution is unsorted.
 * Fields added after schema version 1 (section text, theme form, crossings, draft, questionImages) are
 * optional: a document without them reads as paragraphs, no counts, no images.
 */
import * as Y from 'yjs'
import { nanoid } from 'nanoid'
import { replaceText } from './tablecloth'

export const HARVEST_SCHEMA_VERSION = 1
export const HARVEST_DOC = 'harvest'
/** Longest theme name or section title. */
export const MAX_LABEL_CHARS = 200

/** A theme's name or a section's title as typed: trimmed, at most MAX_LABEL_CHARS. */
const label = (text: string): string => text.trim().slice(0, MAX_LABEL_CHARS)

export const harvestDocName = (cafeId: string): string => `${cafeId}.${HARVEST_DOC}`

/** The café id of a harvest document name, or null when the name is something else. */
export function parseHarvestDocName(name: string): string | null {
  const m = /^([A-Za-z0-9_-]{1,40})\.harvest$/.exec(name)
  return m ? m[1]! : null
}

export type SectionRef = `q:${string}` | `f:${string}`
export const questionSection = (questionId: string): SectionRef => `q:${questionId}`
export const freeSection = (id: string): SectionRef => `f:${id}`

export const BLOCK_FORMS = ['paragraph', 'list'] as const
/** How a theme (or a question's unsorted pile) is written in the synthesis. */
export type BlockForm = (typeof BLOCK_FORMS)[number]
const isForm = (v: unknown): v is BlockForm => v === 'paragraph' || v === 'list'
/** Longest prose of a free section. */
export const MAX_SECTION_TEXT_CHARS = 50_000

/** Which tablecloth images a question's section shows: the final state, or the end of round n. */
export type ImageChoice = 'final' | number

/** What the synthesis draft includes beyond the prose, and how each question's unsorted pile is written. */
export interface DraftOptions {
  /** The count of contributions, tables and rounds under each question. */
  counts: boolean
  /** The most frequent words under each question. */
  frequent: boolean
  /** questionId -> form of its unsorted pile (absent: paragraph). */
  unsorted: Record<string, BlockForm>
}
export const defaultDraftOptions = (): DraftOptions => ({ counts: false, frequent: false, unsorted: {} })

export interface FreeSection { id: string; title: string; order: number; text?: string }
export interface Theme { id: string; section: SectionRef; name: string; order: number; form?: BlockForm }
export interface HarvestState {
  sections: FreeSection[]
  themes: Theme[]
  placements: Record<string, string>
  keyPoints: string[]
  merges: Record<string, string>
  dismissed: string[]
  /** questionId -> the images its section shows (absent: none). */
  questionImages: Record<string, ImageChoice>
  /** contributionKey -> the other question's theme it was moved to on purpose. */
  crossings?: Record<string, string>
  draft?: DraftOptions
}
export interface SynthesisPartState { key: string; text: string; generated: string }

export const emptyHarvest = (): HarvestState => ({ sections: [], themes: [], placements: {}, keyPoints: [], merges: {}, dismissed: [], questionImages: {}, crossings: {}, draft: defaultDraftOptions() })

const maps = (doc: Y.Doc) => ({
  meta: doc.getMap<unknown>('meta'),
  sections: doc.getMap<Y.Map<unknown>>('sections'),
  themes: doc.getMap<Y.Map<unknown>>('themes'),
  placements: doc.getMap<string>('placements'),
  keyPoints: doc.getMap<boolean>('keyPoints'),
  merges: doc.getMap<string>('merges'),
  dismissed: doc.getMap<boolean>('dismissed'),
  crossings: doc.getMap<string>('crossings'),
  draft: doc.getMap<unknown>('draft'),
  questionImages: doc.getMap<unknown>('questionImages'),
  synthesis: doc.getMap<Y.Map<unknown>>('synthesis'),
})

export function initHarvest(doc: Y.Doc): void {
  const { meta } = maps(doc)
  if (meta.get('schemaVersion') === undefined) meta.set('schemaVersion', HARVEST_SCHEMA_VERSION)
}

const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : v instanceof Y.Text ? v.toString() : fallback)
const num = (v: unknown, fallback = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback)
const isSectionRef = (v: unknown): v is SectionRef => typeof v === 'string' && /^[qf]:[A-Za-z0-9_-]{1,40}$/.test(v)
/** Sections and themes in their order, ties broken by id (concurrent additions). */
export const byOrder = <T extends { order: number; id: string }>(a: T, b: T) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** A plain, validated copy of the harvest. Malformed entries are skipped, never thrown on. */
export function readHarvest(doc: Y.Doc): HarvestState {
  const m = maps(doc)
  const sections: FreeSection[] = []
  m.sections.forEach((s, id) => {
    if (!(s instanceof Y.Map)) return
    const text = str(s.get('text')).slice(0, MAX_SECTION_TEXT_CHARS)
    sections.push({ id, title: str(s.get('title')).slice(0, MAX_LABEL_CHARS), order: num(s.get('order')), ...(text ? { text } : {}) })
  })
  const themes: Theme[] = []
  const free = new Set(sections.map((s) => freeSection(s.id)))
  m.themes.forEach((t, id) => {
    if (!(t instanceof Y.Map)) return
    const section = t.get('section')
    // A theme added to a free section while someone deleted it is dropped: its contributions go back to sort.
    const form = t.get('form')
    if (isSectionRef(section) && (section.startsWith('q:') || free.has(section))) themes.push({ id, section, name: str(t.get('name')).slice(0, MAX_LABEL_CHARS), order: num(t.get('order')), ...(isForm(form) ? { form } : {}) })
  })
  const placements: Record<string, string> = {}
  m.placements.forEach((themeId, key) => { if (typeof themeId === 'string') placements[key] = themeId })
  const merges: Record<string, string> = {}
  m.merges.forEach((into, key) => { if (typeof into === 'string' && into !== key) merges[key] = into })
  const crossings: Record<string, string> = {}
  m.crossings.forEach((themeId, key) => { if (typeof themeId === 'string') crossings[key] = themeId })
  const draft = defaultDraftOptions()
  m.draft.forEach((v, k) => {
    if (k === 'counts' || k === 'frequent') { if (typeof v === 'boolean') draft[k] = v }
    else if (k.startsWith('unsorted:') && isForm(v)) draft.unsorted[k.slice(9)] = v
  })
  const questionImages: Record<string, ImageChoice> = {}
  m.questionImages.forEach((v, q) => { if (isImageChoice(v)) questionImages[q] = v })
  return {
    sections: sections.sort(byOrder),
    themes: themes.sort(byOrder),
    placements,
    keyPoints: [...m.keyPoints.keys()].sort(),
    merges,
    dismissed: [...m.dismissed.keys()].sort(),
    questionImages,
    crossings,
    draft,
  }
}

const isImageChoice = (v: unknown): v is ImageChoice => v === 'final' || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100)

/**
 * Where a contribution is filed: the theme it is placed in when that theme exists and is of its own
 * question, of a free section, or of another question it was moved to on purpose (its crossing);
 * otherwise null (unsorted, in its own question). A placement under another question's theme without
 * its crossing (an old mistake, a stray drop) is not followed: the contribution stays with its question.
 */
export function filingOf(h: Pick<HarvestState, 'themes' | 'placements' | 'crossings'>): (c: { key: string; questionId: string }) => string | null {
  const sectionOf = new Map(h.themes.map((t) => [t.id, t.section]))
  return (c) => {
    const id = h.placements[c.key]
    if (id === undefined) return null
    const section = sectionOf.get(id)
    if (section === undefined) return null
    if (section.startsWith('f:') || section === questionSection(c.questionId)) return id
    return h.crossings?.[c.key] === id ? id : null
  }
}

export function readSynthesisParts(doc: Y.Doc): SynthesisPartState[] {
  const out: SynthesisPartState[] = []
  maps(doc).synthesis.forEach((part, key) => {
    if (part instanceof Y.Map) out.push({ key, text: str(part.get('text')), generated: str(part.get('generated')) })
  })
  return out
}

// ---- edits (each one transaction, so that undo and remote peers see one step) ----

const nextOrder = (m: Y.Map<Y.Map<unknown>>, filter: (e: Y.Map<unknown>) => boolean = () => true) => {
  let max = 0
  m.forEach((e) => { if (e instanceof Y.Map && filter(e)) max = Math.max(max, num(e.get('order'))) })
  return max + 1
}

export function addTheme(doc: Y.Doc, section: SectionRef, name: string, origin?: unknown): string {
  const id = nanoid(10)
  const { themes } = maps(doc)
  doc.transact(() => {
    const t = new Y.Map<unknown>()
    t.set('section', section)
    t.set('name', label(name))
    t.set('order', nextOrder(themes, (e) => e.get('section') === section))
    themes.set(id, t)
  }, origin)
  return id
}

export function renameTheme(doc: Y.Doc, themeId: string, name: string, origin?: unknown): void {
  const t = maps(doc).themes.get(themeId)
  if (t instanceof Y.Map) doc.transact(() => t.set('name', label(name)), origin)
}

/** Deletes a theme; its contributions go back to their question's unsorted pile. */
export function deleteTheme(doc: Y.Doc, themeId: string, origin?: unknown): void {
  const m = maps(doc)
  doc.transact(() => {
    m.themes.delete(themeId)
    for (const [key, t] of [...m.placements.entries()]) if (t === themeId) m.placements.delete(key)
    for (const [key, t] of [...m.crossings.entries()]) if (t === themeId) m.crossings.delete(key)
  }, origin)
}

/** Moves a theme one place up (-1) or down (+1) within its section. */
export function moveTheme(doc: Y.Doc, themeId: string, delta: -1 | 1, origin?: unknown): void {
  const h = readHarvest(doc)
  const theme = h.themes.find((t) => t.id === themeId)
  if (!theme) return
  const siblings = h.themes.filter((t) => t.section === theme.section)
  const i = siblings.findIndex((t) => t.id === themeId)
  const other = siblings[i + delta]
  if (!other) return
  const { themes } = maps(doc)
  doc.transact(() => {
    // Renumber the section so that equal orders (concurrent adds) cannot make the swap a no-op.
    siblings.forEach((t, n) => themes.get(t.id)?.set('order', n + 1))
    themes.get(themeId)?.set('order', i + delta + 1)
    themes.get(other.id)?.set('order', i + 1)
  }, origin)
}

/** Puts contributions in a theme, or back in the unsorted pile with `themeId` null. */
export function placeContributions(doc: Y.Doc, keys: string[], themeId: string | null, origin?: unknown): void {
  const { placements, crossings } = maps(doc)
  doc.transact(() => {
    for (const key of keys) {
      if (themeId === null) placements.delete(key)
      else placements.set(key, themeId)
      crossings.delete(key)
    }
  }, origin)
}

/** Files a contribution under another question's theme, on purpose (the studio asks first). */
export function moveToOtherQuestion(doc: Y.Doc, key: string, themeId: string, origin?: unknown): void {
  const { placements, crossings } = maps(doc)
  doc.transact(() => {
    placements.set(key, themeId)
    crossings.set(key, themeId)
  }, origin)
}

/** How a theme is written in the synthesis: a paragraph (the default) or a list. */
export function setThemeForm(doc: Y.Doc, themeId: string, form: BlockForm, origin?: unknown): void {
  const t = maps(doc).themes.get(themeId)
  if (t instanceof Y.Map) doc.transact(() => t.set('form', form), origin)
}

/** Whether the draft includes the counts / the frequent words; how a question's unsorted pile is written. */
export function setDraftOption(doc: Y.Doc, option: { counts: boolean } | { frequent: boolean } | { unsorted: string; form: BlockForm }, origin?: unknown): void {
  const { draft } = maps(doc)
  doc.transact(() => {
    if ('unsorted' in option) draft.set(`unsorted:${option.unsorted}`, option.form)
    else if ('counts' in option) draft.set('counts', option.counts)
    else draft.set('frequent', option.frequent)
  }, origin)
}

/** Which tablecloth images a question's section shows in the synthesis; null for none. */
export function setQuestionImages(doc: Y.Doc, questionId: string, choice: ImageChoice | null, origin?: unknown): void {
  const { questionImages } = maps(doc)
  doc.transact(() => { if (choice === null || !isImageChoice(choice)) questionImages.delete(questionId); else questionImages.set(questionId, choice) }, origin)
}

export function setKeyPoint(doc: Y.Doc, key: string, on: boolean, origin?: unknown): void {
  const { keyPoints } = maps(doc)
  doc.transact(() => { if (on) keyPoints.set(key, true); else keyPoints.delete(key) }, origin)
}

export const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`)

/** `duplicate` joins `into` (shown once, counted twice); undone with `into` null. */
export function mergeContribution(doc: Y.Doc, duplicate: string, into: string | null, origin?: unknown): void {
  const { merges } = maps(doc)
  doc.transact(() => {
    if (into === null || into === duplicate) { merges.delete(duplicate); return }
    // Whatever had joined the duplicate follows it; never a chain or a loop.
    const root = resolveMerge(readHarvest(doc).merges, into)
    if (root === duplicate) return
    for (const [k, v] of [...merges.entries()]) if (v === duplicate) merges.set(k, root)
    merges.set(duplicate, root)
  }, origin)
}

export function dismissSuggestion(doc: Y.Doc, a: string, b: string, origin?: unknown): void {
  doc.transact(() => maps(doc).dismissed.set(pairKey(a, b), true), origin)
}

/** The contribution a key is finally merged into (itself when not merged). Loops end where they start. */
export function resolveMerge(merges: Record<string, string>, key: string): string {
  let k = key
  const seen = new Set<string>()
  while (merges[k] !== undefined && !seen.has(k)) { seen.add(k); k = merges[k]! }
  return k
}

export function addFreeSection(doc: Y.Doc, title: string, origin?: unknown): string {
  const id = nanoid(10)
  const { sections } = maps(doc)
  doc.transact(() => {
    const s = new Y.Map<unknown>()
    s.set('title', label(title))
    s.set('order', nextOrder(sections))
    s.set('text', new Y.Text())
    sections.set(id, s)
  }, origin)
  return id
}

/** The shared prose of a free section (created empty when missing); null when the section does not exist. */
export function sectionProse(doc: Y.Doc, id: string): Y.Text | null {
  const s = maps(doc).sections.get(id)
  if (!(s instanceof Y.Map)) return null
  let text = s.get('text')
  if (!(text instanceof Y.Text)) {
    text = new Y.Text()
    doc.transact(() => s.set('text', text))
  }
  return text as Y.Text
}

export function renameFreeSection(doc: Y.Doc, id: string, title: string, origin?: unknown): void {
  const s = maps(doc).sections.get(id)
  if (s instanceof Y.Map) doc.transact(() => s.set('title', label(title)), origin)
}

/** Deletes a free section and its themes; their contributions go back to the unsorted piles. */
export function deleteFreeSection(doc: Y.Doc, id: string, origin?: unknown): void {
  const m = maps(doc)
  const ref = freeSection(id)
  doc.transact(() => {
    m.sections.delete(id)
    for (const [themeId, t] of [...m.themes.entries()]) if (t instanceof Y.Map && t.get('section') === ref) deleteTheme(doc, themeId)
  }, origin)
}

// ---- the synthesis text ----

/** The shared text of one part of the synthesis, created empty when missing. */
export function synthesisText(doc: Y.Doc, key: string): Y.Text {
  const { synthesis } = maps(doc)
  let part = synthesis.get(key)
  if (!(part instanceof Y.Map)) {
    part = new Y.Map<unknown>()
    part.set('text', new Y.Text())
    part.set('generated', '')
    synthesis.set(key, part)
  }
  return part.get('text') as Y.Text
}


export interface SynthesisConflict { key: string; current: string; proposed: string }

/**
 * Writes a freshly generated synthesis into the document without losing hand edits: a part nobody
 * edited since it was generated takes the new text; a part edited by hand is kept and returned as a
 * conflict (unless `replace` names it, then it is replaced). Parts whose section disappeared are
 * removed when untouched, kept (and reported) when edited.
 */
export function applyGenerated(
  doc: Y.Doc,
  parts: ReadonlyArray<{ key: string; markdown: string }>,
  opts: { replace?: ReadonlySet<string>; keep?: ReadonlySet<string> } = {},
  origin?: unknown,
): SynthesisConflict[] {
  const { synthesis } = maps(doc)
  const conflicts: SynthesisConflict[] = []
  doc.transact(() => {
    const wanted = new Set(parts.map((p) => p.key))
    for (const { key, markdown } of parts) {
      const part = synthesis.get(key)
      if (!(part instanceof Y.Map)) {
        const fresh = new Y.Map<unknown>()
        fresh.set('text', new Y.Text(markdown))
        fresh.set('generated', markdown)
        synthesis.set(key, fresh)
        continue
      }
      const text = part.get('text') as Y.Text
      const current = text.toString()
      const generated = str(part.get('generated'))
      const untouched = current === generated
      if (untouched || opts.replace?.has(key)) {
        replaceText(text, markdown)
        part.set('generated', markdown)
      } else if (opts.keep?.has(key)) {
        part.set('generated', markdown) // the new draft has been seen and turned down
      } else if (generated !== markdown) {
        conflicts.push({ key, current, proposed: markdown })
      }
    }
    for (const [key, part] of [...synthesis.entries()]) {
      if (wanted.has(key) || !(part instanceof Y.Map)) continue
      const current = str(part.get('text'))
      if (current === str(part.get('generated')) || opts.replace?.has(key)) synthesis.delete(key)
      else if (!opts.keep?.has(key)) conflicts.push({ key, current, proposed: '' })
    }
  }, origin)
  return conflicts
}

/**
 * The document as it stands: for each generated part, the hand-edited text when it was edited, else the
 * fresh draft; then any edited part whose section is gone. Used by the exports and the preview.
 */
export function composeSynthesis(stored: readonly SynthesisPartState[], fresh: ReadonlyArray<{ key: string; markdown: string }>): string[] {
  const byKey = new Map(stored.map((p) => [p.key, p]))
  const out: string[] = []
  for (const { key, markdown } of fresh) {
    const s = byKey.get(key)
    out.push(s && s.text !== s.generated ? s.text : markdown)
    byKey.delete(key)
  }
  for (const s of byKey.values()) if (s.text !== s.generated && s.text.trim() !== '') out.push(s.text)
  return out
}

/** Writes a whole harvest (and synthesis) into an empty document, ids kept: imports. */
export function restoreHarvest(doc: Y.Doc, state: HarvestState, parts: readonly SynthesisPartState[], origin?: unknown): void {
  const m = maps(doc)
  doc.transact(() => {
    initHarvest(doc)
    for (const s of state.sections) {
      const e = new Y.Map<unknown>()
      m.sections.set(s.id, e)
      e.set('title', s.title)
      e.set('order', s.order)
      if (s.text) e.set('text', new Y.Text(s.text.slice(0, MAX_SECTION_TEXT_CHARS)))
    }
    for (const t of state.themes) {
      const e = new Y.Map<unknown>()
      m.themes.set(t.id, e)
      e.set('section', t.section)
      e.set('name', t.name)
      e.set('order', t.order)
      if (t.form && isForm(t.form)) e.set('form', t.form)
    }
    for (const [key, themeId] of Object.entries(state.placements)) m.placements.set(key, themeId)
    for (const key of state.keyPoints) m.keyPoints.set(key, true)
    for (const [key, into] of Object.entries(state.merges)) m.merges.set(key, into)
    for (const key of state.dismissed) m.dismissed.set(key, true)
    for (const [key, themeId] of Object.entries(state.crossings ?? {})) m.crossings.set(key, themeId)
    for (const [q, choice] of Object.entries(state.questionImages ?? {})) if (isImageChoice(choice)) m.questionImages.set(q, choice)
    if (state.draft) {
      m.draft.set('counts', state.draft.counts)
      m.draft.set('frequent', state.draft.frequent)
      for (const [q, form] of Object.entries(state.draft.unsorted)) if (isForm(form)) m.draft.set(`unsorted:${q}`, form)
    }
    for (const p of parts) {
      const e = new Y.Map<unknown>()
      m.synthesis.set(p.key, e)
      e.set('text', new Y.Text(p.text))
      e.set('generated', p.generated)
    }
  }, origin)
}
