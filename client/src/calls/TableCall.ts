/**
 * One table call (a table in a round) as this browser takes part in it: joined over the café's
 * Socket.IO connection, one `PeerLink` per other member (a mesh), and whether it is live (sound both
 * ways) or connected ahead of the move (silent: nothing sent, nothing played).
 */
import type { CallKey, CallMember, CallMode, CallRefusal, CallServerEvents, JoinedCall } from '../../../shared/calls'
import { callId, isPolite, sendsTo } from '../../../shared/calls'
import type { Ack } from '../../../shared/errors'
import { PeerLink } from './PeerLink'
import type { PeerSignal } from './PeerLink'

/** The part of the café's socket a call uses. */
export interface CallSocket {
  emit(event: string, payload: unknown, ack?: (a: Ack<unknown>) => void): unknown
  timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<Ack<unknown>> }
  on(event: string, fn: (...args: never[]) => void): unknown
  off(event: string, fn: (...args: never[]) => void): unknown
}

export interface TableCallOptions {
  socket: CallSocket
  key: CallKey
  mode: CallMode
  changed(): void
  /** Someone joined or left (for the live region). */
  presence(kind: 'joined' | 'left', member: CallMember): void
  /** The server took us out of the call. */
  ended(reason: CallRefusal): void
  /** The browser would not play the sound by itself (no tap on the page yet): `resumePlayback` after one. */
  playBlocked?(): void
}

export type JoinOutcome = { ok: true } | { ok: false; reason: string }

export class TableCall {
  readonly id: string
  self: CallMember | null = null
  readonly links = new Map<string, PeerLink>()
  private iceServers: JoinedCall['iceServers'] = []
  private live = false
  private tracks: { audio: MediaStreamTrack | null; video: MediaStreamTrack | null } = { audio: null, video: null }
  private readonly audios = new Map<string, HTMLAudioElement>()
  private closed = false
  private sinkId = ''

  constructor(private readonly o: TableCallOptions) {
    this.id = callId(o.key)
    const s = o.socket
    s.on('call:peer-joined', this.onJoined as never)
    s.on('call:peer-left', this.onLeft as never)
    s.on('call:signal', this.onSignal as never)
    s.on('call:ended', this.onEnded as never)
  }

  get key(): CallKey { return this.o.key }
  get isLive(): boolean { return this.live }

  async join(): Promise<JoinOutcome> {
    const ack = await this.o.socket.timeout(10_000).emitWithAck('call:join', { ...this.o.key, mode: this.o.mode }).catch(() => null)
    if (this.closed) {
      // Left while the join was on its way: the server made us a member; say we left, or the table would
      // keep a ghost that never connects.
      if (ack?.ok) this.o.socket.emit('call:leave', this.o.key, () => {})
      return { ok: false, reason: 'closed' }
    }
    if (!ack) return { ok: false, reason: 'no_answer' }
    if (!ack.ok) return { ok: false, reason: ack.error.reason ?? ack.error.code }
    const data = ack.data as JoinedCall
    this.self = data.self
    this.iceServers = data.iceServers
    for (const peer of data.peers) this.link(peer)
    this.o.changed()
    return { ok: true }
  }

  /**
   * Takes part another way in the same call (a facilitator speaking at the table they listen to, or no
   * longer): the server tells the others; the links stay.
   */
  async setMode(mode: CallMode): Promise<void> {
    if (this.o.mode === mode) return
    this.o.mode = mode
    if (!this.self || this.closed) return
    const ack = await this.o.socket.timeout(10_000).emitWithAck('call:join', { ...this.o.key, mode }).catch(() => null)
    if (ack?.ok && !this.closed) this.self = (ack.data as JoinedCall).self
  }

  /** Live: my microphone (and camera) go to every peer who should have them, and I hear them. */
  setLive(live: boolean): void {
    this.live = live
    this.applyTracks()
    for (const a of this.audios.values()) a.muted = !live
    this.o.changed()
  }

  setTracks(audio: MediaStreamTrack | null, video: MediaStreamTrack | null): void {
    this.tracks = { audio, video }
    this.applyTracks()
  }

  /** The loudspeaker or earphones (HTMLMediaElement.setSinkId, where the browser has it). */
  setSink(id: string): void {
    this.sinkId = id
    for (const a of this.audios.values()) void setSink(a, id)
  }

  /** Tries every audio element again (after a tap, when the browser had refused to play by itself). */
  resumePlayback(): Promise<boolean> {
    return Promise.all([...this.audios.values()].map((a) => a.play().then(() => true, () => false))).then((all) => all.every(Boolean))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    const s = this.o.socket
    s.off('call:peer-joined', this.onJoined as never)
    s.off('call:peer-left', this.onLeft as never)
    s.off('call:signal', this.onSignal as never)
    s.off('call:ended', this.onEnded as never)
    if (this.self) s.emit('call:leave', this.o.key, () => {})
    for (const id of [...this.links.keys()]) this.unlink(id)
  }

  private link(peer: CallMember): PeerLink {
    const existing = this.links.get(peer.peerId)
    if (existing) return existing
    const self = this.self!
    const link = new PeerLink({
      peer, polite: isPolite(self, peer), iceServers: this.iceServers,
      send: (signal: PeerSignal) => this.o.socket.emit('call:signal', { ...this.o.key, to: peer.peerId, ...signal }, () => {}),
      changed: () => this.o.changed(),
    })
    this.links.set(peer.peerId, link)
    const audio = new Audio()
    audio.autoplay = true
    audio.muted = !this.live
    audio.srcObject = link.remote
    if (this.sinkId) void setSink(audio, this.sinkId)
    this.audios.set(peer.peerId, audio)
    link.pc.addEventListener('track', () => void audio.play().catch((err: unknown) => {
      if ((err as { name?: string } | null)?.name === 'NotAllowedError') this.o.playBlocked?.()
    }))
    this.applyTracksTo(link)
    return link
  }

  private unlink(peerId: string): void {
    const link = this.links.get(peerId)
    if (!link) return
    link.close()
    this.links.delete(peerId)
    const audio = this.audios.get(peerId)
    if (audio) { audio.pause(); audio.srcObject = null }
    this.audios.delete(peerId)
  }

  private applyTracks(): void {
    for (const link of this.links.values()) this.applyTracksTo(link)
  }

  private applyTracksTo(link: PeerLink): void {
    const send = this.live && sendsTo(link.peer)
    link.setTracks(send ? this.tracks.audio : null, send ? this.tracks.video : null)
  }

  private mine(e: CallKey): boolean {
    return !this.closed && this.self !== null && callId(e) === this.id
  }

  private onJoined: CallServerEvents['call:peer-joined'] = (e) => {
    if (!this.mine(e) || e.peer.peerId === this.self!.peerId) return
    const known = this.links.get(e.peer.peerId)
    if (known && known.peer.mode !== e.peer.mode) {
      // Same connection, new mode. Speaking to all hears nobody: a fresh link. Listening and speaking at the
      // table hear the same: the link stays, only what the table is told changes.
      if (sendsTo(known.peer) !== sendsTo(e.peer)) this.unlink(e.peer.peerId)
      else known.peer = e.peer
    }
    this.link(e.peer)
    this.o.presence('joined', e.peer)
    this.o.changed()
  }

  private onLeft: CallServerEvents['call:peer-left'] = (e) => {
    if (!this.mine(e)) return
    const link = this.links.get(e.peerId)
    if (!link) return
    this.unlink(e.peerId)
    this.o.presence('left', link.peer)
    this.o.changed()
  }

  private onSignal: CallServerEvents['call:signal'] = (e) => {
    if (!this.mine(e)) return
    const link = this.links.get(e.from)
    if (!link) return
    const signal: PeerSignal = {}
    if (e.description) signal.description = e.description
    if (e.candidate !== undefined) signal.candidate = e.candidate
    link.receive(signal)
  }

  private onEnded: CallServerEvents['call:ended'] = (e) => {
    if (!this.mine(e)) return
    this.self = null
    this.o.ended(e.reason)
  }
}

async function setSink(a: HTMLAudioElement, id: string): Promise<void> {
  const el = a as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }
  if (el.setSinkId) await el.setSinkId(id).catch(() => {})
}
