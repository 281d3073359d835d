import { useEffect, useState } from 'react'
import { useSessionDoc } from '../hooks'
import type { TableclothSession } from '../transport/TableclothSession'

export interface Presence { clientId: number; userId: string; name: string; role: string; cursor: { x: number; y: number } | null; writing: boolean }

/** Tablemates on this tablecloth, from Yjs awareness (the server vouches for each `user`). */
export function usePresence(session: TableclothSession | null): Presence[] {
  const [list, setList] = useState<Presence[]>([])
  // A rebase brings a new copy, with its own provider and awareness.
  const doc = useSessionDoc(session)
  useEffect(() => {
    if (!session || !doc) return
    const awareness = session.provider.awareness
    const read = () => {
      const out: Presence[] = []
      awareness.getStates().forEach((state, clientId) => {
        if (clientId === awareness.clientID) return
        const user = (state as { user?: { id?: string; name?: string; role?: string } }).user
        if (!user?.id) return
        const cursor = (state as { cursor?: { x: number; y: number } | null }).cursor ?? null
        out.push({ clientId, userId: user.id, name: user.name ?? '?', role: user.role ?? 'participant', cursor, writing: Boolean((state as { writing?: boolean }).writing) })
      })
      setList(out)
    }
    read()
    awareness.on('change', read)
    return () => awareness.off('change', read)
  }, [session, doc])
  return list
}

/** A stable colour per person, for cursors. */
export function personColor(id: string): string {
  let h = 0
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0
  return `hsl(${h % 360} 70% 40%)`
}
