/**
 * The attacks on Socket.IO and the HTTP API (see bench/attackList.ts). A limit the server answers with
 * (429, `rate_limited`, a disconnection) is counted: for the server it is a success.
 */
import { io as ioClient } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, PROTOCOL_VERSION } from '../shared/constants'
import type { Ack } from '../shared/errors'
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/protocol'
import { bigArchive } from '../tests/helpers/bigArchive'
import { count } from './attackList'
import type { Tally } from './attackList'
import type { Prepare } from './attackYjs'

type IoSocket = Socket<ServerToClientEvents, ClientToServerEvents>
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const turn = () => new Promise((r) => setImmediate(r))

/** Counts a request's outcome: its HTTP status, or the network error that stopped it. */
async function tallyFetch(t: Tally, label: string, request: () => Promise<Response>): Promise<void> {
  try {
    const res = await request()
    await res.arrayBuffer()
    count(t, `${label}${res.status}`)
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name
    count(t, `${label}error ${cause}`)
  }
}

export const profileBurst: Prepare = async (cfg, t) => async (running) => {
  let n = 0
  let unanswered = 0
  await Promise.all([0, 1, 2].map(async () => {
    while (running()) {
      const socket: IoSocket = ioClient(cfg.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { protocol: PROTOCOL_VERSION, cafeId: cfg.cafeId, participantToken: cfg.attacker.token } })
      const connected = await new Promise<boolean>((resolve) => {
        socket.once('connect', () => resolve(true))
        socket.once('connect_error', (err) => { count(t, `connect_error ${(err as { data?: { code?: string } }).data?.code ?? err.message}`); resolve(false) })
      })
      if (!connected) { socket.close(); await sleep(50); continue }
      count(t, 'connections')
      socket.on('server:error', (e) => count(t, `server:error ${e.code}`))
      const gone = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)))
      let pending = 0
      const emit = socket.emit as unknown as (e: string, p: unknown, ack: (a: Ack<unknown>) => void) => void
      while (running() && socket.connected) {
        for (let i = 0; i < 20; i++, n++) {
          pending++
          emit.call(socket, 'participant:update', { displayName: `Flood ${n}`, organisation: `Org ${n % 7}` }, (a) => { pending--; count(t, a.ok ? 'ok' : a.error.code) })
        }
        count(t, 'updates sent', 20)
        await turn()
        if (pending > 200) await sleep(5)
      }
      if (socket.connected) { await sleep(500); socket.close() } else count(t, `disconnected (${await gone})`)
      unanswered += pending
    }
  }))
  count(t, 'dropped at disconnection', unanswered)
}

export const wrongCodes: Prepare = async (cfg, t) => {
  const wrong = () => {
    let code = ''
    while (code.length < JOIN_CODE_LENGTH || code === cfg.joinCode) code = Array.from({ length: JOIN_CODE_LENGTH }, () => JOIN_CODE_ALPHABET[Math.floor(Math.random() * JOIN_CODE_ALPHABET.length)]).join('')
    return code
  }
  const join = (code: string, name: string) => fetch(`${cfg.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, displayName: name }) })
  const validJoin = async () => {
    const res = await join(cfg.joinCode, 'Arrivée pendant l\'attaque')
    count(t, res.status === 201 ? 'valid join 201' : `valid join refused ${res.status}`)
    await res.arrayBuffer()
  }
  return async (running) => {
    const middle = sleep(cfg.windowMs / 2).then(validJoin)
    await Promise.all(Array.from({ length: 8 }, async (_, loop) => {
      for (let k = loop; running(); k++) {
        await (k % 2 === 0
          ? tallyFetch(t, 'POST ', () => join(wrong(), 'Intrus'))
          : tallyFetch(t, 'GET ', () => fetch(`${cfg.url}/api/join/${wrong()}`)))
      }
    }))
    await middle
    await validJoin()
  }
}

export const importFlood: Prepare = async (cfg, t) => {
  const body = Buffer.from(JSON.stringify(bigArchive()))
  t['archive MB'] = Math.round(body.length / 1048576)
  return async (running) => {
    // Four at a time: one more than the import queue takes (2 waiting, 1 being read).
    await Promise.all([0, 1, 2, 3].map(async () => {
      while (running()) {
        await tallyFetch(t, 'http ', () => fetch(`${cfg.url}/api/cafes/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }))
      }
    }))
  }
}

export const exportFlood: Prepare = async (cfg, t) => {
  const target = cfg.exportCafe
  if (!target) throw new Error('export-flood needs a café to export')
  let slowestMs = 0
  return async (running) => {
    // Six at a time: one more than the export queue takes (4 waiting, 1 being made); fewer in the smoke run.
    await Promise.all(Array.from({ length: cfg.smoke ? 3 : 6 }, async (_, loop) => {
      for (let k = loop; running(); k++) {
        const format = k % 2 === 0 ? 'pdf' : 'zip'
        const started = Date.now()
        await tallyFetch(t, `${format} `, () => fetch(`${cfg.url}/api/cafes/${target.id}/export?format=${format}`, { headers: { authorization: `Bearer ${target.facilitatorKey}` } }))
        slowestMs = Math.max(slowestMs, Date.now() - started)
      }
    }))
    t['slowest export s'] = Math.round(slowestMs / 100) / 10
  }
}
