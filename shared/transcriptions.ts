/**
 * Contributions typed from a photo of a paper tablecloth, in the harvest document (`<cafeId>.harvest`):
 *
 *   transcriptions : Y.Map<id, Y.Map { photoId, tableId, questionId, round, text: string, createdAt }>
 *
 * Each one is a contribution of the photo's table, question and round (author "photo", kind `note`),
 * sorted, sorted into themes and exported like any other. Only the facilitator's team writes the
 * harvest document, and `readTranscriptions` validates every entry: a malformed one is skipped.
 */
import * as Y from 'yjs'
import { nanoid } from 'nanoid'
import type { CafeDefinition } from './cafe'
import type { Contribution } from './contributions'

/** Longest contribution typed from a photo (a paper tablecloth's longest sentence is far shorter). */
export const MAX_TRANSCRIPTION_CHARS = 2000
/** Contributions typed from photos, per café. */
export const MAX_TRANSCRIPTIONS = 5000
/** The author id of a typed contribution: not a person. */
export const PHOTO_AUTHOR = 'photo'

export interface Transcription {
  id: string
  photoId: string
  tableId: string
  questionId: string
  round: number
  text: string
  createdAt: number
}

const transcriptionsMap = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('transcriptions')
const ID = /^[A-Za-z0-9_-]{1,64}$/
const clean = (text: string) => text.trim().slice(0, MAX_TRANSCRIPTION_CHARS)

/** Every typed contribution, validated, oldest first. */
export function readTranscriptions(doc: Y.Doc): Transcription[] {
  const out: Transcription[] = []
  transcriptionsMap(doc).forEach((m, id) => {
    if (!(m instanceof Y.Map) || !ID.test(id)) return
    const photoId = m.get('photoId'), tableId = m.get('tableId'), questionId = m.get('questionId')
    const round = m.get('round'), text = m.get('text'), createdAt = m.get('createdAt')
    if (typeof photoId !== 'string' || !ID.test(photoId) || typeof tableId !== 'string' || !ID.test(tableId)) return
    if (typeof questionId !== 'string' || !ID.test(questionId) || typeof text !== 'string') return
    if (typeof round !== 'number' || !Number.isInteger(round) || round < 1) return
    out.push({ id, photoId, tableId, questionId, round, text: text.slice(0, MAX_TRANSCRIPTION_CHARS), createdAt: typeof createdAt === 'number' && Number.isFinite(createdAt) ? createdAt : 0 })
  })
  return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
}

export interface NewTranscription { photoId: string; tableId: string; questionId: string; round: number; text: string }

/** Adds a contribution typed from a photo; returns its id, or null when the text is empty or the café has too many. */
export function addTranscription(doc: Y.Doc, t: NewTranscription, now: number, origin?: unknown): string | null {
  const text = clean(t.text)
  const map = transcriptionsMap(doc)
  if (text === '' || map.size >= MAX_TRANSCRIPTIONS) return null
  const id = nanoid(12)
  doc.transact(() => {
    const m = new Y.Map<unknown>()
    m.set('photoId', t.photoId)
    m.set('tableId', t.tableId)
    m.set('questionId', t.questionId)
    m.set('round', t.round)
    m.set('text', text)
    m.set('createdAt', now)
    map.set(id, m)
  }, origin)
  return id
}

/** Changes the words of a typed contribution (an empty text deletes it). */
export function editTranscription(doc: Y.Doc, id: string, text: string, origin?: unknown): void {
  const m = transcriptionsMap(doc).get(id)
  if (!(m instanceof Y.Map)) return
  const words = clean(text)
  if (words === '') return deleteTranscription(doc, id, origin)
  doc.transact(() => m.set('text', words), origin)
}

export function deleteTranscription(doc: Y.Doc, id: string, origin?: unknown): void {
  doc.transact(() => transcriptionsMap(doc).delete(id), origin)
}

/** Writes typed contributions back (an archive's import), keeping their ids. */
export function restoreTranscriptions(doc: Y.Doc, list: readonly Transcription[]): void {
  const map = transcriptionsMap(doc)
  doc.transact(() => {
    for (const t of list.slice(0, MAX_TRANSCRIPTIONS)) {
      const m = new Y.Map<unknown>()
      m.set('photoId', t.photoId)
      m.set('tableId', t.tableId)
      m.set('questionId', t.questionId)
      m.set('round', t.round)
      m.set('text', clean(t.text))
      m.set('createdAt', t.createdAt)
      map.set(t.id, m)
    }
  })
}

/** The key of a typed contribution: `<tableId>:<questionId>:photo:<id>`. */
export const transcriptionKey = (t: Pick<Transcription, 'tableId' | 'questionId' | 'id'>): string => `${t.tableId}:${t.questionId}:photo:${t.id}`

/** The author's name a typed contribution carries, in the café's language: a clear label, not a person. */
export const PHOTO_AUTHOR_NAME = { fr: 'Photo de la nappe', en: 'Tablecloth photo' } as const

/**
 * Typed contributions as contributions (unsorted: `gatherContributions` sorts them with the others).
 * Those of a table or question no longer in the café, or with no words, are left out.
 */
export function transcriptionContributions(def: CafeDefinition, list: readonly Transcription[]): Contribution[] {
  const tableName = new Map(def.tables.map((t) => [t.id, t.name]))
  const questions = new Set(def.questions.map((q) => q.id))
  const out: Contribution[] = []
  for (const t of list) {
    const name = tableName.get(t.tableId)
    if (name === undefined || !questions.has(t.questionId) || t.text.trim() === '') continue
    out.push({
      key: transcriptionKey(t), tableId: t.tableId, tableName: name, questionId: t.questionId, round: t.round,
      authorId: PHOTO_AUTHOR, authorName: PHOTO_AUTHOR_NAME[def.language], organisation: null, sector: null,
      kind: 'note', text: t.text.trim(), strokes: 0, stars: 0, votes: 0, createdAt: t.createdAt, photoId: t.photoId,
    })
  }
  return out
}
