/**
 * Fallback files: the writes the database still refused when the server stopped (`DurableWriter.backlog`),
 * saved in the data folder's `backlog/` (or, if that cannot be written either, a second folder), and
 * replayed into the store at the next start, before anything is served.
 *
 * A file is JSON: `{ format, version, createdAt, pid, writes }`, records as the SQLite store keeps them
 * and Yjs updates and snapshot states in base64, in the order they were written. It is written to a
 * temporary name, fsync'ed, then renamed, so a file under its final name is always whole.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { basename, join } from 'node:path'
import { z } from 'zod'
import type { Logger } from '../log'
import type { DurableWriter } from './DurableWriter'
import type { CafeRecord, ParticipantRecord, SnapshotRecord } from './Store'

export const BACKLOG_FORMAT = 'nappe-backlog'
export const BACKLOG_VERSION = 1
const BACKLOG_FILE = /^backlog-.+\.nappe$/
/** What a file that cannot be read is renamed to: kept for a person to look at, never replayed. */
export const BAD_SUFFIX = '.bad'

export type BacklogWrite =
  | { kind: 'cafe'; cafe: CafeRecord }
  | { kind: 'participant'; participant: ParticipantRecord }
  | { kind: 'update'; docName: string; update: Uint8Array }
  | { kind: 'snapshot'; cafeId: string; snapshot: SnapshotRecord }

/** Where fallback files go, first choice first, and where a start looks for them. */
export function backlogDirs(dataDir: string, secondDir: string): string[] {
  const first = join(dataDir, 'backlog')
  return first === secondDir ? [first] : [first, secondDir]
}

/** Sorts by name, and the name starts with the time: oldest first, across folders. */
export function backlogFileName(now: number, pid: number): string {
  return `backlog-${new Date(now).toISOString().replace(/[:.]/g, '-')}-${pid}.nappe`
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'base64'))

export function encodeBacklog(writes: readonly BacklogWrite[], createdAt: number, pid: number): string {
  const out = writes.map((w) => {
    switch (w.kind) {
      case 'cafe': return { kind: w.kind, cafe: w.cafe }
      case 'participant': return { kind: w.kind, participant: w.participant }
      case 'update': return { kind: w.kind, docName: w.docName, update: b64(w.update) }
      case 'snapshot': return { kind: w.kind, cafeId: w.cafeId, snapshot: { ...w.snapshot, state: b64(w.snapshot.state) } }
      default: { const never: never = w; throw new Error(`unknown write ${String(never)}`) }
    }
  })
  return JSON.stringify({ format: BACKLOG_FORMAT, version: BACKLOG_VERSION, createdAt, pid, writes: out })
}

// Records are checked for what replay relies on; the rest is kept as it was written.
const writeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cafe'), cafe: z.looseObject({ id: z.string(), joinCode: z.string(), updatedAt: z.number(), lifecycle: z.looseObject({ phase: z.string() }) }) }),
  z.object({ kind: z.literal('participant'), participant: z.looseObject({ id: z.string(), cafeId: z.string(), joinedAt: z.number() }) }),
  z.object({ kind: z.literal('update'), docName: z.string(), update: z.base64() }),
  z.object({ kind: z.literal('snapshot'), cafeId: z.string(), snapshot: z.object({ docName: z.string(), round: z.number().int(), takenAt: z.number(), state: z.base64() }) }),
])
const fileSchema = z.object({ format: z.literal(BACKLOG_FORMAT), version: z.number().int(), createdAt: z.number(), pid: z.number(), writes: z.array(z.unknown()) })

/** The writes of a fallback file, in order. Throws, naming the problem, when the file is not one. */
export function decodeBacklog(text: string): BacklogWrite[] {
  const file = fileSchema.parse(JSON.parse(text))
  if (file.version !== BACKLOG_VERSION) throw new Error(`backlog file version ${file.version}, this Nappe reads ${BACKLOG_VERSION}`)
  return file.writes.map((raw): BacklogWrite => {
    const w = writeSchema.parse(raw)
    switch (w.kind) {
      case 'cafe': return { kind: 'cafe', cafe: w.cafe as unknown as CafeRecord }
      case 'participant': return { kind: 'participant', participant: w.participant as unknown as ParticipantRecord }
      case 'update': return { kind: 'update', docName: w.docName, update: bytes(w.update) }
      case 'snapshot': return { kind: 'snapshot', cafeId: w.cafeId, snapshot: { ...w.snapshot, state: bytes(w.snapshot.state) } }
      default: { const never: never = w; throw new Error(`unknown write ${String(never)}`) }
    }
  })
}

export type SaveResult = { ok: true; file: string } | { ok: false; failures: Array<{ dir: string; error: string }> }

/** Writes the backlog into the first folder that takes it. Synchronous: no timer can cut it short. */
export function saveBacklog(writes: readonly BacklogWrite[], dirs: readonly string[], now: number, pid: number): SaveResult {
  const text = encodeBacklog(writes, now, pid)
  const name = backlogFileName(now, pid)
  const failures: Array<{ dir: string; error: string }> = []
  for (const dir of dirs) {
    const file = join(dir, name)
    const tmp = `${file}.tmp`
    try {
      mkdirSync(dir, { recursive: true })
      const fd = openSync(tmp, 'w')
      try {
        writeSync(fd, text)
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(tmp, file)
      syncDir(dir)
      return { ok: true, file }
    } catch (err) {
      failures.push({ dir, error: err instanceof Error ? err.message : String(err) })
      try { unlinkSync(tmp) } catch { /* never created */ }
    }
  }
  return { ok: false, failures }
}

/** The fallback files in these folders, oldest first. A folder that does not exist has none. */
export function listBacklogFiles(dirs: readonly string[]): string[] {
  const files: string[] = []
  for (const dir of dirs) {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') continue
      throw err
    }
    for (const name of names) if (BACKLOG_FILE.test(name)) files.push(join(dir, name))
  }
  return files.sort((a, b) => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0))
}

export interface ReplayReport {
  /** Files replayed (and deleted), oldest first. */
  replayed: string[]
  writes: number
  /** Café records not replayed because the store had a newer one. */
  olderCafes: number
  /** Files that could not be read, renamed with `BAD_SUFFIX`. */
  bad: string[]
}

/**
 * Replays every fallback file into the store through `writer`, oldest first, and deletes each one once
 * its writes are committed. Replaying a file twice is harmless (Yjs updates are idempotent, a café record
 * never replaces a newer one), so a crash in the middle loses nothing. Throws, keeping the file, when
 * the store refuses a write.
 */
export function replayBacklogs(dirs: readonly string[], writer: DurableWriter, log: Logger): ReplayReport {
  const report: ReplayReport = { replayed: [], writes: 0, olderCafes: 0, bad: [] }
  for (const file of listBacklogFiles(dirs)) {
    let writes: BacklogWrite[]
    try {
      writes = decodeBacklog(readFileSync(file, 'utf8'))
    } catch (err) {
      const bad = `${file}${BAD_SUFFIX}`
      renameSync(file, bad)
      report.bad.push(bad)
      log.error('a backlog file cannot be read: kept, not replayed', { file: bad, error: err instanceof Error ? err.message : String(err) })
      continue
    }
    let olderCafes = 0
    for (const w of writes) {
      switch (w.kind) {
        case 'cafe': {
          const stored = writer.store.getCafe(w.cafe.id)
          if (stored && stored.updatedAt > w.cafe.updatedAt) olderCafes++
          else writer.saveCafe(w.cafe)
          break
        }
        case 'participant': writer.saveParticipant(w.participant); break
        case 'update': writer.appendUpdate(w.docName, w.update); break
        case 'snapshot': writer.saveSnapshot(w.cafeId, w.snapshot); break
        default: { const never: never = w; throw new Error(`unknown write ${String(never)}`) }
      }
    }
    if (!writer.flush()) {
      writer.stop()
      throw new Error(`the database refused the writes of ${file} (${writer.health.lastError ?? 'unknown error'}); the file is kept for the next start`)
    }
    unlinkSync(file)
    report.replayed.push(file)
    report.writes += writes.length
    report.olderCafes += olderCafes
    log.info('replayed a backlog file saved at an earlier shutdown', { file, writes: writes.length, olderCafes })
  }
  return report
}

/** Makes a rename durable (where the platform lets a folder be synced). */
function syncDir(dir: string): void {
  let fd: number | null = null
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch { /* not supported here (Windows): the rename is as durable as the platform makes it */ }
  finally { if (fd !== null) closeSync(fd) }
}
