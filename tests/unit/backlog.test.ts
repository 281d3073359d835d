import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ManualClock } from '../../server/clock'
import type { Logger } from '../../server/log'
import { silentLogger } from '../../server/log'
import { BAD_SUFFIX, backlogDirs, backlogFileName, decodeBacklog, encodeBacklog, listBacklogFiles, replayBacklogs, saveBacklog } from '../../server/store/Backlog'
import type { BacklogWrite } from '../../server/store/Backlog'
import { DurableWriter } from '../../server/store/DurableWriter'
import { MemoryStore } from '../../server/store/MemoryStore'
import { SqliteStore } from '../../server/store/SqliteStore'
import type { CafeRecord, ParticipantRecord, Store } from '../../server/store/Store'
import { parseCafeInput } from '../../shared/cafe'
import { FlakyStore } from '../helpers/FlakyStore'
import { tempDir, twoTableCafe } from '../helpers/server'

const definition = (() => { const r = parseCafeInput(twoTableCafe); if (!r.ok) throw new Error('fixture'); return r.value })()
const cafe = (updatedAt: number, message: string | null = null): CafeRecord => ({
  id: 'c1', joinCode: 'AAAA2222', facilitatorKeyHash: 'ab'.repeat(32), definition,
  lifecycle: { phase: 'round', round: 1, timer: { status: 'running', endsAt: 99, durationMs: 5 } },
  seating: { p1: 't1' }, history: [{ p1: 't2' }], nextSeating: null, lockedDocs: ['c1.t1.q1'], roundEndedAt: null,
  message: message === null ? null : { text: message, at: updatedAt }, snapshotRounds: 0, seed: 42, createdAt: 1, updatedAt,
})
const participant = (displayName: string): ParticipantRecord => ({
  id: 'p1', cafeId: 'c1', tokenHash: 'h', displayName, organisation: 'CLPS « Brabant »', sector: null, hostOf: 't1', joinedAt: 1, leftAt: null, absent: false,
})
/** Yjs updates that each add one note's text, as a tablecloth would produce them. */
function noteUpdates(...texts: string[]): Uint8Array[] {
  const doc = new Y.Doc()
  const out: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => out.push(u))
  for (const t of texts) doc.getArray<string>('notes').push([t])
  return out
}
function notesIn(store: Store, docName: string): string[] {
  const doc = new Y.Doc()
  for (const u of store.loadDoc(docName).updates) Y.applyUpdate(doc, u)
  return doc.getArray<string>('notes').toArray()
}
function recordingLog(): Logger & { lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = []
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => { lines.push({ level, msg, fields }) }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

const dirs: string[] = []
const dir = () => { const d = tempDir('nappe-backlog-test-'); dirs.push(d); return d }
const stores: Store[] = []
const sqlite = () => { const s = new SqliteStore(join(dir(), 'nappe.sqlite')); stores.push(s); return s }
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const writerOn = (store: Store) => new DurableWriter(store, new ManualClock(), silentLogger)

describe('backlog file', () => {
  it('round-trips every kind of write exactly, in order', () => {
    const [u1, u2] = noteUpdates('idée 1', 'idée 2')
    const writes: BacklogWrite[] = [
      { kind: 'update', docName: 'c1.t1.q1', update: u1! },
      { kind: 'cafe', cafe: cafe(7, 'Pause café ☕ dans 5 min') },
      { kind: 'participant', participant: participant('Amélie') },
      { kind: 'snapshot', cafeId: 'c1', snapshot: { docName: 'c1.t1.q1', round: 1, state: new Uint8Array([0, 255, 1, 128]), takenAt: 5 } },
      { kind: 'update', docName: 'c1.t1.q1', update: u2! },
      { kind: 'update', docName: 'c1.t2.q2', update: new Uint8Array(0) },
    ]
    const text = encodeBacklog(writes, 1000, 42)
    expect(JSON.parse(text)).toMatchObject({ format: 'nappe-backlog', version: 1, createdAt: 1000, pid: 42 })
    const back = decodeBacklog(text)
    expect(back).toEqual(writes)
    for (const w of back) if (w.kind === 'update') expect(w.update).toBeInstanceOf(Uint8Array)
  })

  it('refuses what is not a backlog file, naming the problem', () => {
    const good = encodeBacklog([{ kind: 'participant', participant: participant('A') }], 1, 1)
    expect(() => decodeBacklog(good.slice(0, -10))).toThrow(/JSON/)
    expect(() => decodeBacklog('{"format":"other"}')).toThrow()
    expect(() => decodeBacklog(good.replace('"version":1', '"version":2'))).toThrow(/version 2/)
    expect(() => decodeBacklog(good.replace('"kind":"participant"', '"kind":"nope"'))).toThrow()
    expect(() => decodeBacklog(encodeBacklog([{ kind: 'update', docName: 'd', update: new Uint8Array([1]) }], 1, 1).replace('"AQ=="', '"**"'))).toThrow()
  })

  it('is saved whole in the first folder that takes it, else in the second, else says why for each', () => {
    const data = dir()
    const second = join(dir(), 'second')
    const writes: BacklogWrite[] = [{ kind: 'update', docName: 'd', update: new Uint8Array([1, 2, 3]) }]
    const [first] = backlogDirs(data, second)

    const a = saveBacklog(writes, backlogDirs(data, second), Date.UTC(2026, 10, 23, 9, 0, 0), 7)
    expect(a).toEqual({ ok: true, file: join(first!, 'backlog-2026-11-23T09-00-00-000Z-7.nappe') })
    expect(readdirSync(first!)).toEqual(['backlog-2026-11-23T09-00-00-000Z-7.nappe']) // no temporary file left
    expect(decodeBacklog(readFileSync(join(first!, readdirSync(first!)[0]!), 'utf8'))).toEqual(writes)

    // The data folder cannot be written (here: its backlog folder is a file, which even root cannot write into).
    const full = dir()
    writeFileSync(join(full, 'backlog'), 'not a folder')
    const b = saveBacklog(writes, backlogDirs(full, second), 2000, 7)
    expect(b).toEqual({ ok: true, file: join(second, backlogFileName(2000, 7)) })

    const c = saveBacklog(writes, backlogDirs(full, join(full, 'backlog', 'x')), 3000, 7)
    expect(c.ok).toBe(false)
    if (c.ok) return
    expect(c.failures.map((f) => f.dir)).toEqual([join(full, 'backlog'), join(full, 'backlog', 'x')])
    for (const f of c.failures) expect(f.error).toMatch(/EEXIST|ENOTDIR/)
  })
})

describe('replaying backlog files at start', () => {
  it('replays every file, oldest first across both folders, then deletes them', () => {
    const data = dir()
    const second = join(dir(), 'second')
    const folders = backlogDirs(data, second)
    const [u1, u2, u3] = noteUpdates('un', 'deux', 'trois')
    // Oldest in the second folder, newest in the data folder: time decides, not the folder.
    saveBacklog([{ kind: 'participant', participant: participant('Ancien nom') }, { kind: 'update', docName: 'd', update: u1! }], [second], 1000, 1)
    saveBacklog([{ kind: 'update', docName: 'd', update: u2! }, { kind: 'participant', participant: participant('Nouveau nom') }, { kind: 'update', docName: 'd', update: u3! }], folders, 2000, 2)
    expect(listBacklogFiles(folders).map((f) => f.endsWith(backlogFileName(1000, 1)))).toEqual([true, false])

    const store = sqlite()
    const log = recordingLog()
    const report = replayBacklogs(folders, writerOn(store), log)
    expect(report).toMatchObject({ writes: 5, olderCafes: 0, bad: [] })
    expect(report.replayed).toHaveLength(2)
    expect(notesIn(store, 'd')).toEqual(['un', 'deux', 'trois'])
    expect(store.listParticipants('c1').map((p) => p.displayName)).toEqual(['Nouveau nom'])
    expect(listBacklogFiles(folders)).toEqual([])
    expect(log.lines.filter((l) => l.msg.includes('replayed'))).toHaveLength(2)
  })

  it('never replaces a newer café record with an older one from a file', () => {
    const data = dir()
    const folders = backlogDirs(data, join(data, 'second'))
    const store = sqlite()
    store.saveCafe(cafe(200, 'plus récent'))
    saveBacklog([{ kind: 'cafe', cafe: cafe(100, 'ancien') }], folders, 1000, 1)
    expect(replayBacklogs(folders, writerOn(store), silentLogger)).toMatchObject({ writes: 1, olderCafes: 1 })
    expect(store.getCafe('c1')?.message?.text).toBe('plus récent')

    saveBacklog([{ kind: 'cafe', cafe: cafe(300, 'du fichier') }], folders, 2000, 1)
    expect(replayBacklogs(folders, writerOn(store), silentLogger)).toMatchObject({ writes: 1, olderCafes: 0 })
    expect(store.getCafe('c1')).toEqual(cafe(300, 'du fichier'))
  })

  it('keeps a file it cannot read (renamed .bad, logged) and replays the others', () => {
    const data = dir()
    const folders = backlogDirs(data, join(data, 'second'))
    saveBacklog([{ kind: 'participant', participant: participant('Avant') }], folders, 1000, 1)
    const broken = saveBacklog([{ kind: 'participant', participant: participant('Cassé') }], folders, 2000, 1)
    if (!broken.ok) throw new Error('not saved')
    writeFileSync(broken.file, readFileSync(broken.file, 'utf8').slice(0, 30)) // cut short
    saveBacklog([{ kind: 'participant', participant: participant('Après') }], folders, 3000, 1)

    const store = sqlite()
    const log = recordingLog()
    const report = replayBacklogs(folders, writerOn(store), log)
    expect(report.replayed).toHaveLength(2)
    expect(report.bad).toEqual([`${broken.file}${BAD_SUFFIX}`])
    expect(existsSync(`${broken.file}${BAD_SUFFIX}`)).toBe(true)
    expect(store.listParticipants('c1').map((p) => p.displayName)).toEqual(['Après'])
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: expect.stringContaining('cannot be read'), fields: expect.objectContaining({ file: `${broken.file}${BAD_SUFFIX}` }) }))
    // A second start leaves it alone.
    expect(replayBacklogs(folders, writerOn(store), silentLogger)).toEqual({ replayed: [], writes: 0, olderCafes: 0, bad: [] })
    expect(existsSync(`${broken.file}${BAD_SUFFIX}`)).toBe(true)
  })

  it('keeps the file when the store refuses writes midway, and a later replay loses nothing', () => {
    const data = dir()
    const folders = backlogDirs(data, join(data, 'second'))
    const updates = noteUpdates('a', 'b', 'c', 'd')
    saveBacklog([
      ...updates.slice(0, 2).map((update): BacklogWrite => ({ kind: 'update', docName: 'd', update })),
      { kind: 'cafe', cafe: cafe(5) },
      ...updates.slice(2).map((update): BacklogWrite => ({ kind: 'update', docName: 'd', update })),
      { kind: 'participant', participant: participant('Amélie') },
    ], folders, 1000, 1)

    // The disk fills up after three writes: like a crash in the middle of a replay.
    const inner = new MemoryStore()
    const store = new FlakyStore(inner)
    let left = 2
    const appendUpdate = store.appendUpdate.bind(store)
    store.appendUpdate = (doc, u) => { if (left-- <= 0) store.failing = true; return appendUpdate(doc, u) }
    expect(() => replayBacklogs(folders, writerOn(store), silentLogger)).toThrow(/refused the writes.*kept/)
    expect(listBacklogFiles(folders)).toHaveLength(1)
    expect(notesIn(inner, 'd')).toEqual(['a', 'b'])

    store.failing = false
    left = Infinity
    expect(replayBacklogs(folders, writerOn(store), silentLogger)).toMatchObject({ writes: 6 })
    // 'a' and 'b' were appended twice: Yjs merges them once.
    expect(notesIn(inner, 'd')).toEqual(['a', 'b', 'c', 'd'])
    expect(inner.getCafe('c1')).toEqual(cafe(5))
    expect(inner.listParticipants('c1').map((p) => p.displayName)).toEqual(['Amélie'])
    expect(listBacklogFiles(folders)).toEqual([])
  })

  it('finds nothing, and fails nothing, when the folders do not exist or are files', () => {
    const data = dir()
    writeFileSync(join(data, 'backlog'), 'x')
    expect(listBacklogFiles(backlogDirs(data, join(data, 'none')))).toEqual([])
  })
})
