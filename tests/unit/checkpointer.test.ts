import { rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { Checkpointer } from '../../server/store/Checkpointer'
import { eventually } from '../helpers/eventually'
import { tempDir } from '../helpers/server'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

function wal(): { file: string; db: Database.Database } {
  const d = tempDir(); dirs.push(d)
  const file = join(d, 'c.sqlite')
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('wal_autocheckpoint = 0')
  db.exec('CREATE TABLE t (x BLOB)')
  return { file, db }
}

/** NOOP: how much of the log is in the database file, without copying any. */
const walState = (db: Database.Database) => (db.pragma('wal_checkpoint(NOOP)') as [{ log: number; checkpointed: number }])[0]

const busy = (ms: number): void => { const until = performance.now() + ms; while (performance.now() < until) { /* a slow disk */ } }

describe('Checkpointer', () => {
  it('checkpoints on the event loop while each takes less than its budget, and copies the log into the file', async () => {
    const { file, db } = wal()
    let inline = 0
    const c = new Checkpointer(file, { inline: () => { inline++; db.pragma('wal_checkpoint(PASSIVE)') }, onFailure: () => {}, idleMs: 10_000, budgetMs: 1_000, intervalMs: 20 })
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(10_000))
    c.wrote()
    expect(c.mode).toBe('inline')
    await eventually(() => expect(inline).toBeGreaterThanOrEqual(3))
    expect(c.mode).toBe('inline')
    const { log, checkpointed } = walState(db)
    expect(log).toBeGreaterThan(0)
    expect(checkpointed).toBe(log)
    await c.close()
    expect(c.mode).toBe(null)
    db.close()
  })

  it('moves to a thread, while written, as soon as one checkpoint holds the event loop longer than its budget', async () => {
    const { file, db } = wal()
    let inline = 0
    const c = new Checkpointer(file, { inline: () => { inline++; busy(inline === 2 ? 30 : 0) }, onFailure: () => {}, idleMs: 10_000, budgetMs: 10, intervalMs: 20 })
    c.wrote()
    await eventually(() => expect(c.mode).toBe('thread'))
    expect(inline).toBe(2)
    // The thread checkpoints what is written from then on; the event loop no longer does.
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(10_000))
    c.wrote()
    await eventually(() => {
      const { log, checkpointed } = walState(db)
      expect(log).toBeGreaterThan(0)
      expect(checkpointed).toBe(log)
    }, { timeoutMs: 10_000 })
    expect(inline).toBe(2)
    await c.close()
    expect(c.mode).toBe(null)
    db.close()
  })
})
