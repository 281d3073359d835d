/**
 * The attacks of the attack benchmark (bench/attack.ts), and what the benchmark hands the attacker
 * process (bench/attackWorker.ts). Every attack is bounded in time (the window, then a grace for work
 * already asked of the server) and sends only to the benchmark's own server on 127.0.0.1.
 */

export const ATTACKS = [
  { name: 'notes-frames', what: 'a seated participant sends frames of ~1,000 small notes, just under MAX_YJS_FRAME_BYTES, as fast as the socket takes them (2 connections, reopened when closed)' },
  { name: 'oversize-frames', what: 'frames over MAX_YJS_FRAME_BYTES (256 KiB + 1 byte, 1 MiB), a new connection for each (4 at a time)' },
  { name: 'hostile-edits', what: 'deletes, rewrites, re-authors and moves of a tablemate\'s notes, in a loop (3 connections, reopened when closed; one of them reads nothing, not even its refusals or its closing)' },
  { name: 'step1-flood', what: 'SyncStep1 with an empty state vector against a ~1 MB tablecloth: 6 connections churning (20 requests, 5 answers, close, reopen) and 2 that never read' },
  { name: 'awareness-flood', what: '16 KiB awareness states as fast as possible, more ids than allowed, and a tablemate\'s id forged (3 connections, reopened when closed)' },
  { name: 'profile-burst', what: 'participant:update (a new name and organisation each time) as fast as possible on 3 Socket.IO connections, reopened when closed' },
  { name: 'yjs-500-conns', what: 'waves of 500 Yjs connections opened at once by one participant from one address' },
  { name: 'wrong-codes', what: 'wrong join codes (POST /api/join, GET /api/join/:code), 8 at a time; a valid code joins in the middle and at the end' },
  { name: 'import-flood', what: 'POST /api/cafes/import of a 21 MB archive (160 tablecloths), 4 at a time' },
  { name: 'export-flood', what: 'GET /api/cafes/:id/export?format=pdf|zip as the facilitator of a café of 16 tablecloths drawn on (8 in --smoke), 6 at a time (3 in --smoke)' },
] as const

export type AttackName = (typeof ATTACKS)[number]['name']

export interface Person { id: string; name: string; token: string }

export interface AttackerConfig {
  attack: AttackName
  url: string
  wsUrl: string
  cafeId: string
  joinCode: string
  round: number
  /** The attacker, seated at `docName`'s table. */
  attacker: Person
  docName: string
  /** How long to keep starting new requests, and how long to wait for those in flight after that. */
  windowMs: number
  graceMs: number
  smoke: boolean
  /** The café the exports are asked of (export-flood). */
  exportCafe: { id: string; facilitatorKey: string } | null
}

/** What the attacker got: counts by outcome ("refused too-many-items", "closed 4429", "http 429", …). */
export type Tally = Record<string, number>

export function count(t: Tally, key: string, n = 1): void {
  t[key] = (t[key] ?? 0) + n
}

/** Messages between the benchmark and the attacker process. */
export type ToAttacker = { type: 'go' }
export type FromAttacker = { type: 'ready' } | { type: 'done'; tally: Tally; cpuMs: number; wallMs: number }
