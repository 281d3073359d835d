/**
 * The heavy work that runs on the job threads (see WorkerPool.ts and jobThread.ts): reading an
 * archive for an import, and drawing an export. Both take and give plain data only. The renderers
 * (DOCX, PDF, XLSX, images and their fonts: tens of megabytes) load with the first export, not for an import.
 */
import type { PrepareResult } from './archive'
import { prepareImport } from './archive'
import type { CafeSource } from './cafeData'
import { cafeDataFromSource } from './cafeData'
import type { ExportFormat } from './exportFormats'

export interface ImportJob { kind: 'import'; body: Uint8Array }
export interface ExportJob { kind: 'export'; format: ExportFormat; source: CafeSource }
export type Job = ImportJob | ExportJob

/** An export as it comes back from the thread (a Buffer crosses threads as a plain Uint8Array). */
export interface ExportedFile { body: Uint8Array; contentType: string; filename: string }

export async function runJob(job: Job): Promise<{ result: PrepareResult | ExportedFile; transfer: ArrayBuffer[] }> {
  switch (job.kind) {
    case 'import': {
      const result = prepareImport(job.body)
      const states = result.ok ? [result.prepared.harvest, ...result.prepared.tablecloths.map((t) => t.update), ...result.prepared.snapshots.map((s) => s.state), ...result.prepared.photos.map((p) => p.data)] : []
      return { result, transfer: transferable(states) }
    }
    case 'export': {
      const { exportCafe } = await import('./exporter')
      const file = await exportCafe(job.format, cafeDataFromSource(job.source))
      return { result: { body: file.body, contentType: file.contentType, filename: file.filename }, transfer: transferable([file.body]) }
    }
  }
  const never: never = job
  throw new Error(`unknown job ${(never as { kind: string }).kind}`)
}

/** The buffers that can be handed over whole (not views into a shared pool); the others are copied. */
function transferable(arrays: Uint8Array[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>()
  const seen = new Set<ArrayBufferLike>()
  for (const a of arrays) {
    const whole = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer
    if (whole && !seen.has(a.buffer)) out.add(a.buffer as ArrayBuffer)
    else out.delete(a.buffer as ArrayBuffer)
    seen.add(a.buffer)
  }
  return [...out]
}
