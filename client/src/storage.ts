/** What this browser remembers: who it is in each café it joined, and the cafés it facilitates. */

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
