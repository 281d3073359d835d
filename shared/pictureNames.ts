/**
 * Where each picture of a café goes in the export zip, and its caption, the same for the server's
 * exports and the studio's draft: the drawn tablecloths at the end of each round and as they are now
 * (`nappes/table-1_q1_tour-2.png`, `…_final.png`), and the photos of paper tablecloths
 * (`photos/table-1_q1_tour-2.jpg`, `-2`, `-3` for a second or third one of the same table and round).
 * The synthesis names these paths in its image lines; the zip holds the files there.
 */
import type { CafeDefinition, Language } from './cafe'
import type { PhotoMeta } from './photos'
import { photoExtension } from './photos'
import type { SynthesisImage } from './synthesis'

export const PICTURE_WORDS: Record<Language, { endOfRound: (n: number) => string; final: string; round: string; tablecloths: string; photos: string; photo: (n: number) => string; appendix: string }> = {
  fr: { endOfRound: (n) => `Fin du tour ${n}`, final: 'État final', round: 'tour', tablecloths: 'nappes', photos: 'photos', photo: (n) => `Photo de la nappe papier, tour ${n}`, appendix: 'Les nappes' },
  en: { endOfRound: (n) => `End of round ${n}`, final: 'Final state', round: 'round', tablecloths: 'tablecloths', photos: 'photos', photo: (n) => `Photo of the paper tablecloth, round ${n}`, appendix: 'The tablecloths' },
}


/** A safe file-name part: no accents, lowercase letters, digits and dashes. */
export function slug(text: string, max = 60): string {
  const s = text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
  return s.slice(0, max).replace(/-+$/, '') || 'cafe'
}

type Where = { tableId: string; questionId: string }

/** Names and captions of a café's pictures, from its definition. */
export function pictureNaming(def: CafeDefinition) {
  const W = PICTURE_WORDS[def.language]
  const table = new Map(def.tables.map((t) => [t.id, t.name]))
  const qIndex = new Map(def.questions.map((q, i) => [q.id, i]))
  const question = new Map(def.questions.map((q) => [q.id, q.text]))
  const base = (t: Where) => `${slug(table.get(t.tableId) ?? t.tableId, 30)}_q${(qIndex.get(t.questionId) ?? 0) + 1}`
  return {
    words: W,
    tableName: (id: string) => table.get(id) ?? id,
    title: (t: Where) => `${table.get(t.tableId) ?? t.tableId} — ${question.get(t.questionId) ?? ''}`,
    /** Without the extension (the zip holds `.svg` and `.png`). */
    tableclothPath: (t: Where, round: number | 'final') => `${W.tablecloths}/${base(t)}_${round === 'final' ? 'final' : `${W.round}-${round}`}`,
    /** With the extension; `n` counts the photos of one table and round from 1. */
    photoPath: (p: Pick<PhotoMeta, 'tableId' | 'questionId' | 'round' | 'type'>, n: number) => `${W.photos}/${base(p)}_${W.round}-${p.round}${n > 1 ? `-${n}` : ''}.${photoExtension(p.type)}`,
  }
}

/** Each photo (in the order given: the exports') with its path in the zip and its captions. */
export function photoNames<P extends Pick<PhotoMeta, 'tableId' | 'questionId' | 'round' | 'type'>>(def: CafeDefinition, photos: readonly P[]): Array<{ photo: P; path: string; caption: string; shortCaption: string }> {
  const naming = pictureNaming(def)
  const seen = new Map<string, number>()
  return photos.map((photo) => {
    const k = `${photo.tableId}.${photo.questionId}.${photo.round}`
    const n = (seen.get(k) ?? 0) + 1
    seen.set(k, n)
    const what = naming.words.photo(photo.round)
    return { photo, path: naming.photoPath(photo, n), caption: `${naming.title(photo)} (${what})`, shortCaption: `${naming.tableName(photo.tableId)} — ${what}` }
  })
}

/**
 * Every picture the synthesis may show, per question and round, with its zip path: the drawn
 * tablecloths (end of each round, final) and the photos. The builder keeps those the harvest chose.
 */
export function synthesisPictures(def: CafeDefinition, p: {
  /** The end-of-round tablecloths that exist. */
  snapshots: ReadonlyArray<Where & { round: number }>
  /** The tablecloths with something on them now. */
  finals: readonly Where[]
  /** Photos with their zip paths (as `photoNames` gives them). */
  photos: ReadonlyArray<{ photo: Where & { round: number }; path: string; shortCaption: string }>
}): SynthesisImage[] {
  const naming = pictureNaming(def)
  const W = naming.words
  // In table order (then round): the studio and the exports list them alike, whatever order they came in.
  const ti = new Map(def.tables.map((t, i) => [t.id, i]))
  const at = (id: string) => ti.get(id) ?? Number.MAX_SAFE_INTEGER
  const snapshots = [...p.snapshots].sort((a, b) => a.round - b.round || at(a.tableId) - at(b.tableId))
  const finals = [...p.finals].sort((a, b) => at(a.tableId) - at(b.tableId))
  return [
    ...snapshots.map((s) => ({ questionId: s.questionId, round: s.round, path: `${naming.tableclothPath(s, s.round)}.png`, caption: `${naming.tableName(s.tableId)} — ${W.endOfRound(s.round)}` })),
    ...finals.map((t) => ({ questionId: t.questionId, round: 'final' as const, path: `${naming.tableclothPath(t, 'final')}.png`, caption: `${naming.tableName(t.tableId)} — ${W.final}` })),
    ...p.photos.map((x) => ({ questionId: x.photo.questionId, round: x.photo.round, path: x.path, caption: x.shortCaption })),
  ]
}

/** The end-of-round tablecloths a café has once `rounds` rounds are over: every table of each of them. */
export function snapshotsOfRounds(def: CafeDefinition, rounds: number): Array<Where & { round: number }> {
  const out: Array<Where & { round: number }> = []
  for (let r = 1; r <= Math.min(rounds, def.rounds.length); r++) {
    for (const t of def.tables) { const q = def.rounds[r - 1]!.questionByTable[t.id]; if (q) out.push({ tableId: t.id, questionId: q, round: r }) }
  }
  return out
}
