/**
 * This browser's part in the table calls of an online café (docs/calls.md): the microphone and camera,
 * and which calls to be in. A participant who joined once is then in the call of the table they sit at,
 * and, from the 30-second announcement, connected ahead (silently) to their next table's call; at the
 * move the next call goes live and the old one closes, with no click. A facilitator drops in on one
 * table or speaks to every table. A plain class (no React): the call bar subscribes to its snapshot.
 */
import type { CallKey, CallMember, CallMode } from '../../../shared/calls'
import { callId } from '../../../shared/calls'
import type { PeerLink } from './PeerLink'
import type { CallSocket } from './TableCall'
import { TableCall } from './TableCall'

export type MicProblem = 'denied' | 'absent' | 'busy' | 'insecure' | 'other'
export type CallStatus = 'off' | 'asking' | 'joining' | 'live' | 'failed'

export interface PeerView {
  peerId: string
  name: string
  role: CallMember['role']
  mode: CallMode
  state: PeerLink['state']
  speaking: boolean
  video: MediaStream | null
}

export interface CallSnapshot {
  status: CallStatus
  /** Why there is no microphone (the call still works to listen), or null. */
  micProblem: MicProblem | null
  /** Why joining failed (a refusal reason), or null. */
  joinProblem: string | null
  /** Every link to a peer failed: the network blocks the call. */
  networkFailed: boolean
  muted: boolean
  camera: boolean
  cameraProblem: MicProblem | null
  selfSpeaking: boolean
  /** The live call's peers. */
  peers: PeerView[]
  /** Connected ahead to the next table's call: how many peers there are ready. */
  nextReady: number
  microphones: Array<{ deviceId: string; label: string }>
  cameras: Array<{ deviceId: string; label: string }>
  speakers: Array<{ deviceId: string; label: string }>
  microphoneId: string
  cameraId: string
  speakerId: string
  /** The browser holds the sound back until a tap on the page (a call rejoined by itself after a reload). */
  playBlocked: boolean
  /** The last "joined"/"left" line, for the live region. */
  presence: { kind: 'joined' | 'left'; name: string; role: CallMember['role']; at: number } | null
}

const initial: CallSnapshot = {
  status: 'off', micProblem: null, joinProblem: null, networkFailed: false, muted: false, camera: false, cameraProblem: null,
  selfSpeaking: false, peers: [], nextReady: 0, microphones: [], cameras: [], speakers: [], microphoneId: '', cameraId: '', speakerId: '', presence: null, playBlocked: false,
}

/** audioLevel (0 to 1, from getStats) above which someone is speaking. */
const SPEAKING_LEVEL = 0.03
const LEVEL_POLL_MS = 400

export interface CallTargets {
  /** The call in effect now, or null (not at an online table). */
  live: CallKey | null
  /** The next round's call, connected ahead, or null. */
  next: CallKey | null
}

export class CallManager {
  private snapshot: CallSnapshot = initial
  private listeners = new Set<() => void>()
  private calls = new Map<string, TableCall>()
  private targets: CallTargets = { live: null, next: null }
  private mic: MediaStream | null = null
  private cam: MediaStream | null = null
  private wanted = false
  /** Bumped by every request for the microphone (camera) and by stop(): a stream granted after it was
   * superseded or the call left (the browser's prompt answered late) is stopped at once, never kept. */
  private micSeq = 0
  private camSeq = 0
  private poll: ReturnType<typeof setInterval> | null = null

  constructor(private readonly socket: CallSocket, private readonly mode: CallMode = 'talk', private readonly onConnect?: (fn: () => void) => () => void) {
    this.offConnect = onConnect?.(() => this.rejoin()) ?? null
    if (typeof window !== 'undefined') (window as unknown as { __nappeCalls?: CallManager }).__nappeCalls = this
  }

  private offConnect: (() => void) | null

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  getSnapshot = (): CallSnapshot => this.snapshot

  /** The calls this browser should be in now (from the café's state). */
  setTargets(t: CallTargets): void {
    const same = (a: CallKey | null, b: CallKey | null) => (a ? callId(a) : '') === (b ? callId(b) : '')
    if (same(t.live, this.targets.live) && same(t.next, this.targets.next)) return
    this.targets = t
    if (this.wanted) this.reconcile()
  }

  /** Joins with the microphone (the browser asks for it), or only to listen when it cannot be had. */
  async start(opts: { microphone: boolean } = { microphone: true }): Promise<void> {
    this.wanted = true
    if (opts.microphone && !this.mic) {
      this.set({ status: 'asking', micProblem: null })
      await this.openMic(this.snapshot.microphoneId)
    }
    if (!this.wanted) return
    this.set({ status: 'joining', joinProblem: null })
    await this.listDevices()
    this.reconcile()
    this.poll ??= setInterval(() => void this.pollLevels(), LEVEL_POLL_MS)
  }

  stop(): void {
    this.wanted = false
    this.micSeq++
    this.camSeq++
    for (const c of this.calls.values()) c.close()
    this.calls.clear()
    for (const s of [this.mic, this.cam]) s?.getTracks().forEach((t) => t.stop())
    this.mic = null
    this.cam = null
    if (this.poll) clearInterval(this.poll)
    this.poll = null
    this.set({ ...initial, microphones: this.snapshot.microphones, cameras: this.snapshot.cameras, speakers: this.snapshot.speakers })
  }

  destroy(): void {
    this.stop()
    this.offConnect?.()
    this.listeners.clear()
  }

  setMuted(muted: boolean): void {
    this.mic?.getAudioTracks().forEach((t) => { t.enabled = !muted })
    this.set({ muted })
  }

  async setCamera(on: boolean): Promise<void> {
    const seq = ++this.camSeq
    this.cam?.getTracks().forEach((t) => t.stop())
    this.cam = null
    if (!on) {
      this.set({ camera: false })
    } else {
      try {
        const cam = await navigator.mediaDevices.getUserMedia({ video: this.snapshot.cameraId ? { deviceId: { exact: this.snapshot.cameraId } } : { width: { ideal: 640 }, height: { ideal: 360 } } })
        if (seq !== this.camSeq || !this.wanted) return void cam.getTracks().forEach((t) => t.stop())
        this.cam = cam
        this.set({ camera: true, cameraProblem: null })
      } catch (err) {
        if (seq !== this.camSeq) return
        this.set({ camera: false, cameraProblem: problemOf(err) })
      }
    }
    this.pushTracks()
    void this.listDevices()
  }

  async setMicrophone(deviceId: string): Promise<void> {
    this.set({ microphoneId: deviceId })
    if (!this.wanted) return
    const old = this.mic
    await this.openMic(deviceId)
    if (this.mic !== old) old?.getTracks().forEach((t) => t.stop())
    this.pushTracks()
  }

  async setCameraDevice(deviceId: string): Promise<void> {
    this.set({ cameraId: deviceId })
    if (this.snapshot.camera) { await this.setCamera(false); await this.setCamera(true) }
  }

  setSpeaker(deviceId: string): void {
    this.set({ speakerId: deviceId })
    for (const c of this.calls.values()) c.setSink(deviceId)
  }

  async resumePlayback(): Promise<void> {
    const played = await Promise.all([...this.calls.values()].filter((c) => c.isLive).map((c) => c.resumePlayback()))
    this.set({ playBlocked: !played.every(Boolean) })
  }

  /** For tests and measurements: the peer connections of the live call and of the next one. */
  connections(): { live: RTCPeerConnection[]; next: RTCPeerConnection[]; all: Array<{ call: string; live: boolean; peer: string; pc: RTCPeerConnection }> } {
    const all = [...this.calls.values()].flatMap((c) => [...c.links.values()].map((l) => ({ call: c.id, live: c.isLive, peer: l.peer.name || l.peer.role, pc: l.pc })))
    return { live: all.filter((x) => x.live).map((x) => x.pc), next: all.filter((x) => !x.live).map((x) => x.pc), all }
  }

  // ---- internals ----

  private async openMic(deviceId: string): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) return this.set({ micProblem: window.isSecureContext ? 'absent' : 'insecure' })
    const seq = ++this.micSeq
    try {
      const mic = await navigator.mediaDevices.getUserMedia({
        audio: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      })
      if (seq !== this.micSeq || !this.wanted) return void mic.getTracks().forEach((t) => t.stop())
      this.mic = mic
      this.mic.getAudioTracks().forEach((t) => { t.enabled = !this.snapshot.muted })
      this.set({ micProblem: null })
    } catch (err) {
      if (seq !== this.micSeq) return
      this.set({ micProblem: problemOf(err) })
    }
  }

  private async listDevices(): Promise<void> {
    const list = await navigator.mediaDevices?.enumerateDevices?.().catch(() => []) ?? []
    const pick = (kind: MediaDeviceKind) => list.filter((d) => d.kind === kind && d.deviceId).map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${i + 1}` }))
    const micId = this.mic?.getAudioTracks()[0]?.getSettings().deviceId ?? this.snapshot.microphoneId
    this.set({ microphones: pick('audioinput'), cameras: pick('videoinput'), speakers: pick('audiooutput'), microphoneId: micId ?? '' })
  }

  /** Be in exactly the target calls: the live one sounding, the next one connected ahead. */
  private reconcile(): void {
    const { live, next } = this.targets
    const keep = new Map<string, { key: CallKey; live: boolean }>()
    if (live) keep.set(callId(live), { key: live, live: true })
    if (next && (!live || callId(next) !== callId(live))) keep.set(callId(next), { key: next, live: false })
    for (const [id, c] of this.calls) if (!keep.has(id)) { c.close(); this.calls.delete(id) }
    for (const [id, want] of keep) {
      let c = this.calls.get(id)
      if (!c) {
        c = this.open(want.key)
        this.calls.set(id, c)
      }
      c.setLive(want.live)
    }
    this.pushTracks()
    this.refresh()
  }

  private open(key: CallKey): TableCall {
    const call: TableCall = new TableCall({
      socket: this.socket, key, mode: this.mode,
      changed: () => this.refresh(),
      // Read out for the call one is in, not for the next table's, connected ahead in silence.
      presence: (kind, m) => { if (call.isLive) this.set({ presence: { kind, name: m.name, role: m.role, at: Date.now() } }) },
      playBlocked: () => { if (call.isLive) this.set({ playBlocked: true }) },
      ended: (reason) => {
        // This person joined from another tab or device: the call goes on there, and this one stays out
        // until asked again (joining back by itself would take it from the other in turn).
        if (reason === 'call_replaced') {
          this.stop()
          return this.set({ joinProblem: reason })
        }
        // The server took us out (the seats changed under us): the café's next state says where to be.
        call.close()
        if (this.calls.get(call.id) === call) this.calls.delete(call.id)
        this.refresh()
      },
    })
    if (this.snapshot.speakerId) call.setSink(this.snapshot.speakerId)
    void call.join().then((r) => {
      if (!r.ok && r.reason !== 'closed') {
        if (this.calls.get(call.id) === call) this.calls.delete(call.id)
        call.close()
        this.set({ joinProblem: r.reason })
      } else if (r.ok && this.snapshot.joinProblem !== null && call.isLive) {
        // In the call now: an earlier refusal (a join racing a move) is no longer true.
        this.set({ joinProblem: null })
      }
      this.refresh()
    })
    return call
  }

  /** The socket came back: the server forgot our calls; join them again. */
  private rejoin(): void {
    if (!this.wanted) return
    for (const c of this.calls.values()) c.close()
    this.calls.clear()
    this.reconcile()
  }

  private pushTracks(): void {
    const audio = this.mic?.getAudioTracks()[0] ?? null
    const video = this.cam?.getVideoTracks()[0] ?? null
    for (const c of this.calls.values()) c.setTracks(audio, video)
  }

  private liveCall(): TableCall | null {
    return [...this.calls.values()].find((c) => c.isLive) ?? null
  }

  private levels = new Map<string, boolean>()
  private selfSpeaking = false

  /**
   * Who speaks: the mean level of each peer's sound since the last poll, from its audio receiver's
   * stats (`totalAudioEnergy` over `totalSamplesDuration`, webrtc-stats), so a short word between two
   * polls still counts; mine likewise from one sender's `media-source` (the same microphone feeds all).
   */
  private async pollLevels(): Promise<void> {
    const live = this.liveCall()
    if (!live) return
    const energy = new Map<string, { e: number; d: number }>()
    const read = async (key: string, stats: Promise<RTCStatsReport> | undefined, type: string) => {
      const report = await stats?.catch(() => null)
      report?.forEach((r: { type: string; kind?: string; totalAudioEnergy?: number; totalSamplesDuration?: number }) => {
        if (r.type === type && r.kind === 'audio' && r.totalAudioEnergy !== undefined) energy.set(key, { e: r.totalAudioEnergy, d: r.totalSamplesDuration ?? 0 })
      })
    }
    const links = [...live.links.values()]
    await Promise.all(links.map((l) => read(l.peer.peerId, l.pc.getReceivers().find((r) => r.track.kind === 'audio')?.getStats(), 'inbound-rtp')))
    const sender = links.find((l) => l.state === 'connected')?.pc.getSenders().find((x) => x.track?.kind === 'audio')
    if (sender) await read('', sender.getStats(), 'media-source')
    const speaking = (key: string): boolean => {
      const now = energy.get(key)
      const before = this.energies.get(key)
      if (now) this.energies.set(key, now)
      if (!now || !before || now.d <= before.d) return false
      return Math.sqrt((now.e - before.e) / (now.d - before.d)) > SPEAKING_LEVEL
    }
    for (const l of links) this.levels.set(l.peer.peerId, speaking(l.peer.peerId))
    for (const key of this.energies.keys()) if (key !== '' && !live.links.has(key)) this.energies.delete(key)
    this.selfSpeaking = !this.snapshot.muted && speaking('')
    this.refresh()
  }

  private energies = new Map<string, { e: number; d: number }>()

  private refresh(): void {
    if (!this.wanted) return
    const live = this.liveCall()
    const peers: PeerView[] = live ? [...live.links.values()].map((l) => ({
      peerId: l.peer.peerId, name: l.peer.name, role: l.peer.role, mode: l.peer.mode, state: l.state,
      speaking: this.levels.get(l.peer.peerId) ?? false, video: l.videoOn ? l.remote : null,
    })) : []
    const next = [...this.calls.values()].find((c) => !c.isLive)
    const nextReady = next ? [...next.links.values()].filter((l) => l.state === 'connected').length : 0
    const networkFailed = peers.length > 0 && peers.filter((p) => p.role === 'participant').every((p) => p.state === 'failed') && peers.some((p) => p.state === 'failed')
    const status: CallStatus = this.snapshot.status === 'asking' ? 'asking' : networkFailed ? 'failed' : live?.self ? 'live' : 'joining'
    // Polled every 0.4 s: the bar re-renders only when something it shows changed.
    const sig = JSON.stringify([peers.map((p) => [p.peerId, p.mode, p.state, p.speaking, p.video?.id ?? null]), nextReady, networkFailed, status, this.selfSpeaking])
    if (sig === this.shown) return
    this.set({ peers, nextReady, networkFailed, status, selfSpeaking: this.selfSpeaking })
    this.shown = sig
  }

  private shown = ''


  private set(patch: Partial<CallSnapshot>): void {
    // Anything set from elsewhere may change what refresh() computes: compare afresh next time.
    this.shown = ''
    this.snapshot = { ...this.snapshot, ...patch }
    for (const fn of this.listeners) fn()
  }
}

function problemOf(err: unknown): MicProblem {
  const name = (err as { name?: string } | null)?.name
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied'
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'absent'
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy'
  return 'other'
}

