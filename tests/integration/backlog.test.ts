import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EXIT_CODE } from '../../server/exitCodes'
import type { HealthInfo } from '../../shared/protocol'
import { addNote, readItems, tableclothDocName } from '../../shared/tablecloth'
import type { ChildServer } from '../helpers/child'
import { freePort, startChild } from '../helpers/child'
import { eventually } from '../helpers/eventually'
import { connect, createCafe, joinCafe, openTablecloth, request, tempDir, twoTableCafe } from '../helpers/server'

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

/** The server runs on a disk that fills up when the test says so (see tests/helpers/failingDisk.ts). */
/** Loaded once, after tsx (tsx registered twice, through NODE_OPTIONS too, could hang the child's start). */
const FAILING_DISK = ['./tests/helpers/failingDisk.ts']
const fillDisk = (dataDir: string) => writeFileSync(join(dataDir, 'FAIL_WRITES'), '')

const notes = (doc: import('yjs').Doc) => readItems(doc).map((i) => ('text' in i ? i.text : '')).sort()
const pendingWrites = async (url: string) => ((await (await fetch(`${url}/healthz`)).json()) as { pendingWrites: number }).pendingWrites
const facilitator = { author: 'facilitator', authorName: 'Facilitator', round: 1, now: Date.now() }

/** A café with a facilitator and a tablecloth open, on a server whose disk fills up as soon as it is set up. */
async function cafeOnFullDisk(dataDir: string, env: Record<string, string> = {}) {
  const port = await freePort()
  const child: ChildServer = await startChild(port, dataDir, env, FAILING_DISK)
  cleanups.push(() => { child.proc.kill('SIGKILL') })
  const url = `http://127.0.0.1:${port}`
  const cafe = await createCafe(url, twoTableCafe)
  const fac = await connect(url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
  cleanups.push(() => { fac.socket.close() })
  const health: HealthInfo[] = []
  fac.socket.on('server:health', (h) => health.push(h))
  const docName = tableclothDocName(cafe.id, 't1', 'q1')
  const tc = await openTablecloth(`ws://127.0.0.1:${port}`, docName, { facilitatorKey: cafe.facilitatorKey })
  cleanups.push(() => tc.destroy())
  addNote(tc.doc, facilitator, { text: 'écrit avant', x: 0, y: 0 })
  await eventually(async () => {
    const fresh = await openTablecloth(`ws://127.0.0.1:${port}`, docName, { facilitatorKey: cafe.facilitatorKey })
    try { expect(notes(fresh.doc)).toEqual(['écrit avant']) } finally { fresh.destroy() }
  })

  fillDisk(dataDir)
  for (let i = 1; i <= 10; i++) addNote(tc.doc, facilitator, { text: `disque plein ${i}`, x: i, y: i })
  await eventually(() => expect(health.at(-1)).toMatchObject({ storage: 'degraded' }))
  return { port, url, child, cafe, fac, health, docName, tc, written: notes(tc.doc) }
}

describe('stopping with writes the database refused', () => {
  it('SIGTERM saves them to a fallback file (exit 3, facilitators told), and the next start replays them all', async () => {
    const dataDir = tempDir()
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const { port, url, child, cafe, fac, health, docName, tc, written } = await cafeOnFullDisk(dataDir)
    // Records too: a café opened and a person who joined while the disk is full.
    expect(fac.state().lifecycle.phase).toBe('draft')
    expect((await request(fac.socket, 'cafe:open')).ok).toBe(true)
    const bruno = await joinCafe(url, cafe.joinCode, 'Bruno')
    await eventually(async () => expect(await pendingWrites(url)).toBeGreaterThanOrEqual(12))
    // Every note reached the server (it serves them from memory) before it is stopped.
    await eventually(async () => {
      const fresh = await openTablecloth(`ws://127.0.0.1:${port}`, docName, { facilitatorKey: cafe.facilitatorKey })
      try { expect(notes(fresh.doc)).toEqual(written) } finally { fresh.destroy() }
    })
    expect(written).toHaveLength(11)

    const t0 = Date.now()
    child.proc.kill('SIGTERM')
    const exit = await child.exited
    expect(exit.code).toBe(EXIT_CODE.backlogSaved)
    expect(Date.now() - t0).toBeLessThan(6000)
    expect(health).toContainEqual(expect.objectContaining({ storage: 'degraded', savingToFallback: true }))
    expect(child.output()).toMatch(/stopped with \d+ writes the database refused: saved to .*backlog-.*\.nappe, replayed at the next start/)
    expect(child.output()).not.toContain(cafe.facilitatorKey)
    const files = readdirSync(join(dataDir, 'backlog'))
    expect(files).toEqual([expect.stringMatching(/^backlog-.*\.nappe$/)])
    tc.destroy()
    fac.socket.close()

    rmSync(join(dataDir, 'FAIL_WRITES')) // space freed; and this start runs on a plain disk
    const again = await startChild(port, dataDir)
    cleanups.push(() => { again.proc.kill('SIGKILL') })
    expect(again.output()).toMatch(/replayed from fallback files/)
    expect(readdirSync(join(dataDir, 'backlog'))).toEqual([])
    const reader = await openTablecloth(`ws://127.0.0.1:${port}`, docName, { facilitatorKey: cafe.facilitatorKey })
    cleanups.push(() => reader.destroy())
    expect(notes(reader.doc)).toEqual(written)
    const fac2 = await connect(url, cafe.id, { facilitatorKey: cafe.facilitatorKey })
    cleanups.push(() => { fac2.socket.close() })
    expect(fac2.state().lifecycle.phase).toBe('lobby')
    expect(fac2.state().participants.map((p) => p.displayName)).toContain('Bruno')
    const b = await connect(url, cafe.id, { participantToken: bruno.participantToken })
    cleanups.push(() => { b.socket.close() })

    // Stopped again with nothing held: exit 0, nothing left behind.
    again.proc.kill('SIGTERM')
    expect((await again.exited).code).toBe(EXIT_CODE.ok)
    expect(readdirSync(join(dataDir, 'backlog'))).toEqual([])
  }, 120_000)

  it('when no fallback file can be written either, exits 4 with a log line saying how many writes were lost and why', async () => {
    const dataDir = tempDir()
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    // Neither folder can take a file, even for root: each path runs through a regular file.
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(join(dataDir, 'backlog'), 'not a folder')
    const { child, url } = await cafeOnFullDisk(dataDir, { BACKLOG_DIR: join(dataDir, 'backlog', 'second') })
    await eventually(async () => expect(await pendingWrites(url)).toBe(10))

    child.proc.kill('SIGTERM')
    expect((await child.exited).code).toBe(EXIT_CODE.writesLost)
    const lost = child.output().split('\n').find((l) => l.includes('LOST'))
    expect(lost).toBeDefined()
    expect(JSON.parse(lost!)).toMatchObject({
      level: 'error',
      msg: expect.stringMatching(/^10 writes LOST: the database refused them \(SQLITE_FULL.*\) and no fallback file could be written \(.*backlog: .*; .*second: .*\)$/),
      writes: 10,
    })
    expect(existsSync(join(dataDir, 'backlog', 'second'))).toBe(false)
  }, 120_000)
})
