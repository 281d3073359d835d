/** Bumped whenever the Socket.IO or Yjs wire contract changes; a client with another one is asked to reload. */
export const PROTOCOL_VERSION = 1

/** Largest Socket.IO packet or Yjs WebSocket frame the server accepts. */
export const MAX_FRAME_BYTES = 1024 * 1024

/**
 * Largest Yjs WebSocket frame. Decoding costs about 0.4 ms per KiB of small items (Yjs itself), so a
 * bigger frame would hold the event loop for everyone; a table's hour of writing, sent at once after
 * being offline, stays far below (see docs/protocol.md, "Tablecloth limits").
 */
export const MAX_YJS_FRAME_BYTES = 128 * 1024

/** Join codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V). */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTWXYZ'
export const JOIN_CODE_LENGTH = 8

/** Random bytes behind each secret: 32 bytes = 256 bits, far above the 128-bit floor. */
export const SECRET_BYTES = 32

/** Warnings sent before a round ends, in milliseconds before `endsAt`. */
export const ROUND_WARNINGS_MS = [60_000, 10_000] as const

/** Everyone learns their next table this long before a move, so the client can preload it. */
export const NEXT_TABLE_NOTICE_MS = 30_000

/**
 * After a round ends, its tablemates may still write to its tablecloth for this long, so that a note
 * finished in the last second (or still in flight on a slow network) is not refused.
 */
export const ROUND_END_GRACE_MS = 15_000

export const DEFAULT_ROUND_MS = 20 * 60_000
export const DEFAULT_TRANSITION_MS = 60_000
export const MIN_ROUND_MS = 10_000
export const MAX_ROUND_MS = 4 * 60 * 60_000
export const MAX_ADD_TIME_MS = 60 * 60_000

export const MAX_TABLES = 500
export const MAX_QUESTIONS = 50
export const MAX_ROUNDS = 50
export const MAX_TABLE_CAPACITY = 50
export const MAX_PARTICIPANTS_PER_CAFE = 5_000

export const MAX_NAME_CHARS = 60
export const MAX_BROADCAST_CHARS = 500
export const MAX_TITLE_CHARS = 200
export const MAX_QUESTION_CHARS = 500
export const MAX_DESCRIPTION_CHARS = 5_000
