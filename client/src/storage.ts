/** What this browser remembers: who it is in each café it joined, the cafés it facilitates, and words not yet on the server. */
import type { TableclothItem } from '../../shared/tablecloth'
import type { RefusalReason } from '../../shared/tableclothRules'

export interface ParticipantIdentity { cafeId: string; participantId: string; token: string; displayName: string; title: string }
export interface FacilitatedCafe { cafeId: string; key: string; title: string; joinCode: string; createdAt: number }

const P = 'nappe.participant.'
const F = 'nappe.facilitator.'

function read<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key)
    return raw ? (JSON.parse(raw) as T) : null
  } catch {
    return null
  }
}
function write(key: string, value: unknown): void {
  try { localStorage.setItem(key, JSON.stringify(value)) } catch { /* storage full or disabled: the session still works */ }
}
function all<T>(prefix: string): T[] {
  const out: T[] = []
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i)
      if (k?.startsWith(prefix)) { const v = read<T>(k); if (v) out.push(v) }
    }
  } catch { /* ignore */ }
  return out
}

export const participantIdentity = (cafeId: string) => read<ParticipantIdentity>(P + cafeId)
export const saveParticipantIdentity = (id: ParticipantIdentity) => write(P + id.cafeId, id)
export const forgetParticipant = (cafeId: string) => { try { localStorage.removeItem(P + cafeId) } catch { /* ignore */ } }
export const joinedCafes = () => all<ParticipantIdentity>(P)

export const facilitatedCafe = (cafeId: string) => read<FacilitatedCafe>(F + cafeId)
export const saveFacilitatedCafe = (c: FacilitatedCafe) => write(F + c.cafeId, c)
export const facilitatedCafes = () => all<FacilitatedCafe>(F).sort((a, b) => b.createdAt - a.createdAt)

const TEMPLATES = 'nappe.templates'
export interface SavedTemplate { name: string; input: Record<string, unknown>; savedAt: number }
export const savedTemplates = () => read<SavedTemplate[]>(TEMPLATES) ?? []
export const saveTemplate = (t: SavedTemplate) => write(TEMPLATES, [t, ...savedTemplates().filter((x) => x.name !== t.name)].slice(0, 30))
export const deleteTemplate = (name: string) => write(TEMPLATES, savedTemplates().filter((x) => x.name !== name))

/**
 * Words the server would not take on a tablecloth (see transport/rebase.ts), kept on this device so the
 * person can copy them or try again: per document, newest last, bounded.
 */
export interface SetAsideWord {
  key: string
  change: 'new' | 'text'
  item: TableclothItem
  reason: RefusalReason
  /** When it was set aside (local clock). */
  at: number
}
const SET_ASIDE = 'nappe.setAside.'
const MAX_SET_ASIDE_PER_DOC = 30
export const loadSetAside = (docName: string): SetAsideWord[] => read<SetAsideWord[]>(SET_ASIDE + docName) ?? []
export function saveSetAside(docName: string, words: readonly SetAsideWord[]): void {
  if (words.length === 0) { try { localStorage.removeItem(SET_ASIDE + docName) } catch { /* ignore */ } return }
  write(SET_ASIDE + docName, words.slice(-MAX_SET_ASIDE_PER_DOC))
}

/**
 * Tablecloths of a café that held edits the server had not acknowledged, per participant: reopened in
 * the background at the next load, until the server has everything. Bounded, most recent last.
 */
const UNSENT = 'nappe.unsent.'
const MAX_UNSENT_DOCS = 12
export const unsentDocsKey = (cafeId: string, participantId: string) => `${UNSENT}${cafeId}.${participantId}`
export const loadUnsentDocs = (key: string): string[] => (read<string[]>(key) ?? []).filter((d) => typeof d === 'string')
export function saveUnsentDocs(key: string, docs: readonly string[]): void {
  if (docs.length === 0) { try { localStorage.removeItem(key) } catch { /* ignore */ } return }
  write(key, docs.slice(-MAX_UNSENT_DOCS))
}
