/**
 * The facilitator's side of the table calls: speak to every online table at once (one more peer in each
 * table's call, sending sound, hearing nobody), or drop in on one table to listen, and speak there to
 * help. The tables see which (`mode` of the member). One thing at a time; both follow the rounds.
 */
import { isOnlineTable } from '../../../shared/cafe'
import type { CallKey } from '../../../shared/calls'
import { callId, callRound } from '../../../shared/calls'
import type { CafeView } from '../../../shared/protocol'
import type { MicProblem } from './CallManager'
import type { CallSocket } from './TableCall'
import { TableCall } from './TableCall'

export interface FacilitatorCallState {
  announcing: boolean
  listeningAt: string | null
  /** Speaking at the table listened to. */
  helping: boolean
  micProblem: MicProblem | null
  /** Tables whose call I am connected to now. */
  connected: number
}

const initial: FacilitatorCallState = { announcing: false, listeningAt: null, helping: false, micProblem: null, connected: 0 }

export class FacilitatorCalls {
  private state = initial
  private listeners = new Set<() => void>()
  private calls = new Map<string, TableCall>()
  private mic: MediaStream | null = null
  private view: CafeView | null = null
  private destroyed = false

  constructor(private readonly socket: CallSocket) {
    // The same test hook as a participant's CallManager (tests/e2e/calls.e2e.test.ts reads getStats through it).
    if (typeof window !== 'undefined') (window as unknown as { __nappeCalls?: unknown }).__nappeCalls = this
  }

  /** For tests and measurements: every peer connection, all live. */
  connections(): { all: Array<{ call: string; live: boolean; peer: string; pc: RTCPeerConnection }> } {
    return { all: [...this.calls.values()].flatMap((c) => [...c.links.values()].map((l) => ({ call: c.id, live: true, peer: l.peer.name || l.peer.role, pc: l.pc }))) }
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  getSnapshot = (): FacilitatorCallState => this.state

  setView(view: CafeView | null): void {
    const before = this.view ? callRound(this.view.lifecycle) : null
    this.view = view
    if (view && callRound(view.lifecycle) !== before) this.reconcile()
  }

  async announce(on: boolean): Promise<void> {
    if (on && !(await this.openMic())) return
    this.set({ announcing: on, listeningAt: null, helping: false })
    this.reconcile()
  }

  async listen(tableId: string | null): Promise<void> {
    this.set({ listeningAt: tableId, announcing: false, helping: false })
    this.reconcile()
  }

  async help(on: boolean): Promise<void> {
    if (on && !(await this.openMic())) return
    this.set({ helping: on })
    // The table is told: its notice reads "speaking at this table" instead of "listening".
    this.reconcile()
  }

  /** The socket came back: the server forgot our calls (it drops a connection's calls when it closes); join them again. */
  rejoin(): void {
    if (this.destroyed) return
    for (const c of this.calls.values()) c.close()
    this.calls.clear()
    this.reconcile()
  }

  destroy(): void {
    this.destroyed = true
    for (const c of this.calls.values()) c.close()
    this.calls.clear()
    this.mic?.getTracks().forEach((t) => t.stop())
    this.listeners.clear()
  }

  private keys(): Array<{ key: CallKey; mode: 'listen' | 'talk' | 'announce' }> {
    const v = this.view
    const round = v ? callRound(v.lifecycle) : null
    if (!v || round === null) return []
    if (this.state.announcing) return v.definition.tables.filter((tb) => isOnlineTable(v.definition, tb.id)).map((tb) => ({ key: { tableId: tb.id, round }, mode: 'announce' as const }))
    const at = this.state.listeningAt
    return at && isOnlineTable(v.definition, at) ? [{ key: { tableId: at, round }, mode: this.state.helping ? 'talk' as const : 'listen' as const }] : []
  }

  private reconcile(): void {
    // A call is kept across listening and speaking at a table (only its mode changes: `setMode`); speaking to
    // every table is another membership (it hears nobody), so its calls are made anew.
    const idOf = (mode: string, key: CallKey) => `${callId(key)}:${mode === 'announce' ? 'announce' : 'table'}`
    const want = new Map(this.keys().map((k) => [idOf(k.mode, k.key), k]))
    for (const [id, c] of this.calls) if (!want.has(id)) { c.close(); this.calls.delete(id) }
    for (const [id, k] of want) {
      const kept = this.calls.get(id)
      if (kept) { void kept.setMode(k.mode); continue }
      const call = new TableCall({ socket: this.socket, key: k.key, mode: k.mode, changed: () => this.count(), presence: () => {}, ended: () => { call.close(); this.calls.delete(id); this.count() } })
      call.setLive(true)
      this.calls.set(id, call)
      void call.join().then(() => this.count())
    }
    this.pushTracks()
    this.count()
  }

  private pushTracks(): void {
    const send = this.state.announcing || this.state.helping
    const audio = send ? this.mic?.getAudioTracks()[0] ?? null : null
    for (const c of this.calls.values()) c.setTracks(audio, null)
    if (!send) this.mic?.getTracks().forEach((t) => t.stop())
    if (!send) this.mic = null
  }

  private async openMic(): Promise<boolean> {
    if (this.mic) return true
    try {
      const mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } })
      // Closed (the console left) while the browser asked: let the microphone go at once.
      if (this.destroyed) { mic.getTracks().forEach((t) => t.stop()); return false }
      if (this.mic) mic.getTracks().forEach((t) => t.stop())
      else this.mic = mic
      this.set({ micProblem: null })
      return true
    } catch (err) {
      const name = (err as { name?: string } | null)?.name
      this.set({ micProblem: name === 'NotAllowedError' ? 'denied' : name === 'NotFoundError' ? 'absent' : 'other' })
      return false
    }
  }

  private count(): void {
    this.set({ connected: [...this.calls.values()].filter((c) => c.self !== null).length })
  }

  private set(patch: Partial<FacilitatorCallState>): void {
    this.state = { ...this.state, ...patch }
    for (const fn of this.listeners) fn()
  }
}
