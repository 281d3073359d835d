/**
 * React side of the table calls: one `CallManager` per café connection, told from the café's state
 * which calls to be in (the table I sit at now; the next one once announced).
 */
import { useEffect, useState, useSyncExternalStore } from 'react'
import { isOnlineTable } from '../../../shared/cafe'
import type { CallMode } from '../../../shared/calls'
import { callRound } from '../../../shared/calls'
import type { CafeView } from '../../../shared/protocol'
import type { CafeConnection } from '../transport/CafeConnection'
import type { CallSnapshot, CallTargets } from './CallManager'
import { CallManager } from './CallManager'
import type { CallSocket } from './TableCall'

export function useCallManager(conn: CafeConnection | null, mode: CallMode = 'talk'): CallManager | null {
  const [manager, setManager] = useState<CallManager | null>(null)
  useEffect(() => {
    if (!conn) return
    const socket = conn.socket as unknown as CallSocket
    const m = new CallManager(socket, mode, (fn) => {
      let first = true
      const onConnect = () => { if (first) first = false; else fn() }
      conn.socket.on('connect', onConnect)
      if (conn.socket.connected) first = false
      return () => { conn.socket.off('connect', onConnect) }
    })
    setManager(m)
    return () => { m.destroy(); setManager(null) }
  }, [conn, mode])
  return manager
}

export function useCallSnapshot(manager: CallManager | null): CallSnapshot | null {
  return useSyncExternalStore(manager?.subscribe ?? noop, manager?.getSnapshot ?? nothing)
}

const noop = () => () => {}
const nothing = () => null

/** The calls a participant should be in, from their view of the café. */
export function participantTargets(view: CafeView | null, participantId: string | null): CallTargets {
  if (!view || !participantId) return { live: null, next: null }
  const round = callRound(view.lifecycle)
  if (round === null) return { live: null, next: null }
  const me = view.participants.find((p) => p.id === participantId)
  const here = me?.tableId ?? null
  const nextTable = view.nextSeating?.[participantId] ?? null
  return {
    live: here && isOnlineTable(view.definition, here) ? { tableId: here, round } : null,
    next: nextTable && isOnlineTable(view.definition, nextTable) ? { tableId: nextTable, round: round + 1 } : null,
  }
}

/** Remembered for this tab: the participant joined the call (with or without microphone), so a reload rejoins. */
export const callChoice = {
  key: (cafeId: string) => `nappe.call.${cafeId}`,
  get(cafeId: string): 'mic' | 'listen' | null {
    try {
      const v = sessionStorage.getItem(callChoice.key(cafeId))
      return v === 'mic' || v === 'listen' ? v : null
    } catch { return null }
  },
  set(cafeId: string, v: 'mic' | 'listen' | null): void {
    try {
      if (v) sessionStorage.setItem(callChoice.key(cafeId), v)
      else sessionStorage.removeItem(callChoice.key(cafeId))
    } catch { /* private mode: not remembered */ }
  },
}
