import { randomBytes } from 'node:crypto'
import { connect as tcpConnect } from 'node:net'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { addNote, readItems } from '../../shared/tablecloth'
import { eventually } from '../helpers/eventually'
import { startBuiltServer } from '../helpers/child'
import { authProtocols, openCafeOfThree, openTablecloth, startRoundOne } from '../helpers/server'

const cleanups: Array<() => void> = []
afterEach(() => { for (const c of cleanups.splice(0).reverse()) c() })

const ARRIVALS = 300

describe('a wave of arrivals (a rotation), on the built server', () => {
  it('does not hold up the notes of those already at their table: they go out while the arrivals are still being let in, and every arrival is let in', async () => {
    const { port, url, wsUrl } = await startBuiltServer(cleanups, { LOG_LEVEL: 'warn' })
    const three = await openCafeOfThree(url, cleanups)
    const { cafe, a, c } = three
    const { docName } = await startRoundOne(three)
    const A = await openTablecloth(wsUrl, docName, { participantToken: a.participantToken })
    const C = await openTablecloth(wsUrl, docName, { participantToken: c.participantToken })
    cleanups.push(() => { A.destroy(); C.destroy() })

    // The arrivals' connections are opened first, then their upgrade requests written in one go (with the
    // facilitator's key: no per-person limit), so that the server reads them all at once; Amélie writes
    // just after.
    const sockets = await Promise.all(Array.from({ length: ARRIVALS }, () => new Promise<Socket>((resolve, reject) => {
      const socket = tcpConnect(port, '127.0.0.1', () => resolve(socket))
      socket.on('error', reject)
      cleanups.push(() => socket.destroy())
    })))
    const answers: string[] = []
    for (const socket of sockets) socket.once('data', (d: Buffer) => { answers.push(d.toString('latin1').split('\r\n')[0]!) })
    let letInWhenSeen = -1
    C.doc.on('update', () => { if (letInWhenSeen < 0 && readItems(C.doc).length > 0) letInWhenSeen = answers.length })
    const protocols = authProtocols({ facilitatorKey: cafe.facilitatorKey }).join(', ')
    for (const socket of sockets) {
      socket.write(`GET /yjs/${docName} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Protocol: ${protocols}\r\n\r\n`)
    }
    addNote(A.doc, { author: a.participantId, authorName: 'Amélie', round: 1, now: Date.now() }, { text: 'pendant la rotation', x: 0, y: 0 })

    await eventually(() => expect(answers).toHaveLength(ARRIVALS), { timeoutMs: 30_000 })
    expect(new Set(answers)).toEqual(new Set(['HTTP/1.1 101 Switching Protocols']))
    await eventually(() => expect(letInWhenSeen).toBeGreaterThanOrEqual(0))
    // Chloé had Amélie's note while most arrivals were still waiting (measured: a fifth of them let in).
    // All let in at once, she has it after most or all of them.
    expect(letInWhenSeen).toBeLessThan(ARRIVALS / 2)
  })
})
