/**
 * The attacks on the Yjs endpoint (see bench/attackList.ts): hand-made y-websocket clients of one
 * seated participant, sending what the UI never would. Each `prepare` does its costly work (building
 * frames) before the window, and returns the attack itself.
 */
import * as Y from 'yjs'
import { MAX_YJS_FRAME_BYTES } from '../shared/constants'
import { addNote, deleteItem, itemsMap, moveItem, setItemText } from '../shared/tablecloth'
import type { AttackerConfig, Tally } from './attackList'
import { count } from './attackList'
import type { RawConn } from './attackWire'
import { awarenessFrame, closeRaw, openRaw, sendFrame, step1Frame, until, updateFrame } from './attackWire'

/** The attack itself: runs while `running()` holds, then finishes what it has in hand. */
export type Run = (running: () => boolean) => Promise<void>
export type Prepare = (cfg: AttackerConfig, t: Tally) => Promise<Run>

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * `n` loops, each opening a connection, running `body` on it, and opening another when the server
 * closed it. Counts the connections that did not open (by outcome) and the server's close codes.
 */
async function connectionLoops(cfg: AttackerConfig, t: Tally, n: number, running: () => boolean, body: (conn: RawConn, loop: number, round: number) => Promise<void>, opts: { keepStep2?: boolean } = {}): Promise<void> {
  await Promise.all(Array.from({ length: n }, async (_, loop) => {
    for (let round = 0; running(); round++) {
      const conn = await openRaw(cfg.wsUrl, cfg.docName, cfg.attacker.token, opts)
      if (conn.outcome !== 'open') { count(t, `not opened (${conn.outcome})`); await sleep(50); continue }
      count(t, 'connections')
      await body(conn, loop, round)
      for (const r of conn.refusals) count(t, `refused ${r}`)
      if (conn.isOpen()) { await closeRaw(conn); continue }
      const { code, reason } = await conn.closed
      count(t, `closed ${code}${reason ? ` ${reason}` : ''}`)
    }
  }))
}

/** Gives the server a moment to answer what it still has to read, then stops. */
const settle = (conn: RawConn, running: () => boolean) => until(() => !conn.isOpen(), running() ? 0 : 1000)

/** A frame of as many small notes (the dearest content to decode per byte) as fit under the limit. */
function notesFrame(cfg: AttackerConfig): Uint8Array {
  const build = (n: number) => {
    const doc = new Y.Doc()
    const who = { author: cfg.attacker.id, authorName: cfg.attacker.name, round: cfg.round, now: Date.now() }
    doc.transact(() => { for (let i = 0; i < n; i++) addNote(doc, who, { text: `n${i}`, x: (i % 40) * 20, y: Math.floor(i / 40) * 20 }) })
    return updateFrame(Y.encodeStateAsUpdate(doc))
  }
  let n = Math.floor((MAX_YJS_FRAME_BYTES - 256) / (build(100).length / 100))
  let frame = build(n)
  while (frame.length > MAX_YJS_FRAME_BYTES - 256) frame = build((n = Math.floor(n * 0.98)))
  return frame
}

export const notesFrames: Prepare = async (cfg, t) => {
  const frames = [notesFrame(cfg), notesFrame(cfg), notesFrame(cfg)]
  t['frame KiB'] = Math.round(frames[0]!.length / 1024)
  return (running) => connectionLoops(cfg, t, 2, running, async (conn, loop) => {
    for (let k = loop; running() && conn.isOpen(); k++) if (await sendFrame(conn, frames[k % frames.length]!)) count(t, 'frames sent')
    await settle(conn, running)
  })
}

export const oversizeFrames: Prepare = async (cfg, t) => {
  const frames = [MAX_YJS_FRAME_BYTES + 1, 1024 * 1024].map((size) => {
    const f = new Uint8Array(size)
    f.set(updateFrame(new Uint8Array([0, 0])))
    return f
  })
  return (running) => connectionLoops(cfg, t, 4, running, async (conn, loop, round) => {
    if (await sendFrame(conn, frames[(loop + round) % 2]!)) count(t, 'frames sent')
    await Promise.race([conn.closed, sleep(3000)])
  })
}

export const hostileEdits: Prepare = async (cfg, t) => (running) => connectionLoops(cfg, t, 3, running, async (conn, loop) => {
  // The tablecloth as the server has it, then edits of other people's notes on copies of it.
  await sendFrame(conn, step1Frame())
  if (!(await until(() => conn.lastStep2 !== null, 5000))) return
  // The first connection reads nothing more: it never sees its refusals, nor the server closing it.
  const deaf = loop === 0
  if (deaf) conn.ws.pause()
  const base = new Y.Doc()
  Y.applyUpdate(base, conn.lastStep2!)
  const targets = [...itemsMap(base).entries()].filter(([, item]) => item.get('author') !== cfg.attacker.id).map(([id]) => id)
  if (targets.length === 0) { count(t, 'no note to attack'); await sleep(500); return }
  const state = Y.encodeStateAsUpdate(base)
  const sv = Y.encodeStateVector(base)
  for (let k = loop; running() && conn.isOpen(); k++) {
    const copy = new Y.Doc()
    Y.applyUpdate(copy, state)
    const id = targets[k % targets.length]!
    switch (k % 4) {
      case 0: deleteItem(copy, id); break
      case 1: setItemText(copy, id, 'réécrit par un voisin'); break
      case 2: itemsMap(copy).get(id)!.set('author', cfg.attacker.id); break
      default: moveItem(copy, id, 5000, 5000)
    }
    if (await sendFrame(conn, updateFrame(Y.encodeStateAsUpdate(copy, sv)))) count(t, 'edits sent')
    copy.destroy()
  }
  if (deaf) { conn.ws.resume(); await sleep(200) }
  await settle(conn, running)
}, { keepStep2: true })

export const step1Flood: Prepare = async (cfg, t) => {
  const ask = step1Frame()
  const tallyAnswers = (conn: RawConn) => { count(t, 'answers', conn.step2Count); count(t, 'answer MB', conn.step2Bytes / 1048576) }
  return async (running) => {
    // Churn: each new connection has a fresh allowance of answers.
    const churn = connectionLoops(cfg, t, 6, running, async (conn) => {
      for (let i = 0; i < 20 && conn.isOpen(); i++) if (await sendFrame(conn, ask)) count(t, 'requests sent')
      await until(() => conn.step2Count >= 5 || !conn.isOpen(), 5000)
      tallyAnswers(conn)
    })
    // Never reading: the server's queued output for these grows until it cuts them.
    const deaf = connectionLoops(cfg, t, 2, running, async (conn) => {
      conn.ws.pause()
      while (running() && conn.isOpen()) {
        if (await sendFrame(conn, ask)) count(t, 'requests sent')
        await sleep(1)
      }
      conn.ws.resume()
      await sleep(500)
      tallyAnswers(conn)
    })
    await Promise.all([churn, deaf])
    t['answer MB'] = Math.round(t['answer MB'] ?? 0)
  }
}

export const awarenessFlood: Prepare = async (cfg, t) => {
  const pad = 'x'.repeat(16 * 1024)
  const newId = () => 1 + Math.floor(Math.random() * 0x7ffffffe)
  return (running) => connectionLoops(cfg, t, 3, running, async (conn, loop, round) => {
    await sleep(100) // the presence the server sends on connect
    const own = newId()
    for (let clock = 1; clock <= 200 && running() && conn.isOpen(); clock++) {
      if (await sendFrame(conn, awarenessFrame([{ clientId: own, clock, state: { cursor: { x: clock, y: loop }, pad } }]))) count(t, 'states sent')
    }
    if (!running() || !conn.isOpen()) return
    // Then a forgery: another person's presence id with a newer clock, or more ids than a connection may own.
    const victim = [...conn.presence].find(([id, p]) => id !== own && p.person !== cfg.attacker.id)
    if (round % 2 === 0 && victim) {
      count(t, 'forged ids sent')
      await sendFrame(conn, awarenessFrame([{ clientId: victim[0], clock: victim[1].clock + 1, state: { user: { name: 'not me' } } }]))
    } else {
      count(t, 'extra ids sent')
      await sendFrame(conn, awarenessFrame(Array.from({ length: 5 }, (_, i) => ({ clientId: newId(), clock: 1, state: { cursor: { x: i, y: i } } }))))
    }
    await Promise.race([conn.closed, sleep(2000)])
  })
}

export const yjs500: Prepare = async (cfg, t) => async (running) => {
  for (let wave = 0; running() && (!cfg.smoke || wave < 2); wave++) {
    count(t, 'waves')
    const conns = await Promise.all(Array.from({ length: 500 }, () => openRaw(cfg.wsUrl, cfg.docName, cfg.attacker.token)))
    await sleep(300)
    await Promise.all(conns.map(async (c) => {
      if (c.outcome !== 'open') return count(t, c.outcome)
      if (c.isOpen()) { count(t, 'stayed open'); await closeRaw(c); return }
      count(t, `closed ${(await c.closed).code}`)
    }))
  }
}
