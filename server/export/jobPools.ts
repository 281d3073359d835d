/**
 * The two job threads: one for archive imports (anyone may send one), one for exports (facilitators
 * only), so that a queue of anonymous imports never makes a facilitator's export wait. Each has its
 * own queue, time limit and memory limit (documented in docs/api.md).
 */
import type { Logger } from '../log'
import type { PrepareResult } from './archive'
import type { ExportJob, ExportedFile, ImportJob } from './jobs'
import type { PoolLimits } from './WorkerPool'
import { WorkerPool } from './WorkerPool'

/** Reading a 20 MB archive takes about 4 s and 300 MB of heap; a minute and 1.5 GB leave room for 50 MB on a busy machine. */
export const IMPORT_LIMITS: PoolLimits = { maxQueue: 2, jobTimeoutMs: 60_000, maxHeapMb: 1536 }
/** The zip of a 40-table café that drew a lot (320 tablecloth images) takes about a minute. */
export const EXPORT_LIMITS: PoolLimits = { maxQueue: 4, jobTimeoutMs: 180_000, maxHeapMb: 1536 }

export interface JobPools {
  imports: WorkerPool<ImportJob, PrepareResult>
  exports: WorkerPool<ExportJob, ExportedFile>
  close(): Promise<void>
}

export function createJobPools(log: Logger, limits: { imports?: Partial<PoolLimits>; exports?: Partial<PoolLimits> } = {}): JobPools {
  const imports = new WorkerPool<ImportJob, PrepareResult>({ name: 'import', log, ...IMPORT_LIMITS, ...limits.imports })
  const exports = new WorkerPool<ExportJob, ExportedFile>({ name: 'export', log, ...EXPORT_LIMITS, ...limits.exports })
  return { imports, exports, close: async () => { await Promise.all([imports.close(), exports.close()]) } }
}
