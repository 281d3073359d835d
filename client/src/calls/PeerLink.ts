/**
 * One peer connection of a table call, with the "perfect negotiation" pattern (W3C webrtc-pc §10.7,
 * MDN "Establishing a connection: the WebRTC perfect negotiation pattern"): either side may offer at any
 * time; when both do at once, the polite one (`isPolite`, by participant id) rolls back and answers.
 *
 * The impolite side creates the two transceivers (audio, video) once; the polite side takes them from
 * the offer and sends on them too. What is sent is then only a matter of `replaceTrack` (no new
 * negotiation): a call connected ahead of the move sends nothing until the move, the camera goes on and
 * off, the microphone device changes.
 */
import type { CallMember, IceServer, SignalCandidate, SignalDescription } from '../../../shared/calls'

export type LinkState = 'connecting' | 'connected' | 'failed' | 'closed'

export interface PeerSignal { description?: SignalDescription; candidate?: SignalCandidate | null }

export interface PeerLinkOptions {
  peer: CallMember
  polite: boolean
  iceServers: IceServer[]
  send(signal: PeerSignal): void
  changed(): void
}

/** After a failure, one ICE restart; then the link stays failed (the network blocks it). */
const MAX_ICE_RESTARTS = 1

export class PeerLink {
  readonly pc: RTCPeerConnection
  state: LinkState = 'connecting'
  /** The peer's sound and picture, as they arrive. */
  readonly remote = new MediaStream()
  /** The peer's camera is sending frames. */
  videoOn = false
  private makingOffer = false
  private ignoreOffer = false
  private settingRemoteAnswer = false
  private restarts = 0
  private queue: Promise<void> = Promise.resolve()
  private tracks: { audio: MediaStreamTrack | null; video: MediaStreamTrack | null } = { audio: null, video: null }

  constructor(private readonly o: PeerLinkOptions) {
    this.pc = new RTCPeerConnection({ iceServers: o.iceServers as RTCIceServer[] })
    const pc = this.pc
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true
        await pc.setLocalDescription()
        if (pc.localDescription) o.send({ description: plain(pc.localDescription) })
      } catch { /* a newer negotiation took over */ } finally {
        this.makingOffer = false
      }
    }
    pc.onicecandidate = ({ candidate }) => o.send({ candidate: candidate ? candidateJson(candidate) : null })
    pc.ontrack = ({ track }) => {
      this.remote.addTrack(track)
      if (track.kind === 'video') {
        track.onunmute = () => { this.videoOn = true; o.changed() }
        track.onmute = () => { this.videoOn = false; o.changed() }
      }
      o.changed()
    }
    pc.onconnectionstatechange = () => this.onConnectionState()
    if (!o.polite) {
      pc.addTransceiver('audio', { direction: 'sendrecv' })
      pc.addTransceiver('video', { direction: 'sendrecv' })
    }
  }

  get peer(): CallMember { return this.o.peer }
  /** The same member taking part another way (its mode): what the view shows. */
  set peer(peer: CallMember) { this.o.peer = peer }

  /** Signals are handled one at a time, in their order of arrival. */
  receive(signal: PeerSignal): void {
    this.queue = this.queue.then(() => this.handle(signal)).catch(() => {})
  }

  /** What this link sends: the microphone (or nothing), the camera (or nothing). */
  setTracks(audio: MediaStreamTrack | null, video: MediaStreamTrack | null): void {
    this.tracks = { audio, video }
    this.applyTracks()
  }

  close(): void {
    this.state = 'closed'
    this.pc.onconnectionstatechange = null
    this.pc.close()
  }

  private async handle({ description, candidate }: PeerSignal): Promise<void> {
    const pc = this.pc
    if (this.state === 'closed') return
    if (description) {
      const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.settingRemoteAnswer)
      const collision = description.type === 'offer' && !readyForOffer
      this.ignoreOffer = !this.o.polite && collision
      if (this.ignoreOffer) return
      this.settingRemoteAnswer = description.type === 'answer'
      await pc.setRemoteDescription(description as RTCSessionDescriptionInit)
      this.settingRemoteAnswer = false
      if (description.type === 'offer') {
        // The polite side sends on the transceivers the offer brought.
        for (const t of pc.getTransceivers()) if (t.direction === 'recvonly') t.direction = 'sendrecv'
        this.applyTracks()
        await pc.setLocalDescription()
        if (pc.localDescription) this.o.send({ description: plain(pc.localDescription) })
      }
    } else if (candidate !== undefined) {
      try {
        await pc.addIceCandidate(candidate ?? undefined)
      } catch (err) {
        if (!this.ignoreOffer) throw err
      }
    }
  }

  private applyTracks(): void {
    for (const t of this.pc.getTransceivers()) {
      const kind = t.receiver.track.kind as 'audio' | 'video'
      const track = this.tracks[kind]
      if (t.sender.track !== track && t.direction !== 'stopped') void t.sender.replaceTrack(track).catch(() => {})
    }
  }

  private onConnectionState(): void {
    const s = this.pc.connectionState
    if (s === 'connected') this.state = 'connected'
    else if (s === 'failed') {
      if (this.restarts < MAX_ICE_RESTARTS) {
        this.restarts++
        this.pc.restartIce()
      } else this.state = 'failed'
    } else if (s === 'closed') this.state = 'closed'
    this.o.changed()
  }
}

function plain(d: RTCSessionDescription): SignalDescription {
  return { type: d.type, sdp: d.sdp }
}

function candidateJson(c: RTCIceCandidate): SignalCandidate {
  const j = c.toJSON()
  return { candidate: j.candidate ?? '', sdpMid: j.sdpMid ?? null, sdpMLineIndex: j.sdpMLineIndex ?? null, usernameFragment: j.usernameFragment ?? null }
}
