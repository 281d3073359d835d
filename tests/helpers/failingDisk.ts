/**
 * Preloaded into a server child process (`startChild(…, ['./tests/helpers/failingDisk.ts'])`, that is `--import tsx --import ./tests/helpers/failingDisk.ts`):
 * while `<DATA_DIR>/FAIL_WRITES` exists, every SQLite write throws SQLITE_FULL, like a full disk. Reads
 * work. The server itself has no test hook; this patches the store class from the outside. Only for a
 * preload: importing it anywhere else would patch that process's store.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { SqliteStore } from '../../server/store/SqliteStore'

const flag = join(process.env.DATA_DIR ?? '.', 'FAIL_WRITES')
const proto = SqliteStore.prototype as unknown as Record<string, (...args: unknown[]) => unknown>
for (const method of ['saveCafe', 'saveParticipant', 'appendUpdate', 'saveSnapshot'] as const) {
  const real = proto[method]!
  proto[method] = function (this: unknown, ...args: unknown[]) {
    if (existsSync(flag)) throw Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' })
    return real.apply(this, args)
  }
}
