/** How `server/index.ts` ends, for service managers and scripts (listed in README.md). Never `ok` with a write dropped. */
export const EXIT_CODE = {
  /** Stopped, and every write is in the database. */
  ok: 0,
  /** Could not start (or stop) cleanly; no write was dropped. */
  failed: 1,
  /** Invalid configuration in the environment. */
  badConfig: 2,
  /** The database refused writes until the end: they are in a fallback file that the next start replays. */
  backlogSaved: 3,
  /** The database refused writes and no fallback file could be written: those writes are lost (logged). */
  writesLost: 4,
  /**
   * Multi-node: PostgreSQL could not be reached until the end, and writes were not committed. None was
   * acknowledged or shown to anyone else: their writers' clients still hold them and send them again
   * to the café's next node (logged with their number).
   */
  uncommitted: 5,
} as const
export type ExitCode = (typeof EXIT_CODE)[keyof typeof EXIT_CODE]
