/**
 * WebSocket close codes of the Yjs endpoint (`/yjs/<docName>`). 1009 is the standard "message too big";
 * the 44xx ones are ours, in the private range, modelled on HTTP statuses.
 */
export const CLOSE_CODES = {
  messageTooBig: { code: 1009, reason: 'message-too-big' },
  serverShutdown: { code: 1012, reason: 'server-restart' },
  malformed: { code: 4400, reason: 'malformed-message' },
  unauthorized: { code: 4401, reason: 'unauthorized' },
  forbidden: { code: 4403, reason: 'forbidden' },
  notFound: { code: 4404, reason: 'document-not-found' },
  protocolMismatch: { code: 4426, reason: 'protocol-mismatch-reload' },
  removed: { code: 4410, reason: 'participant-removed' },
  rateLimited: { code: 4429, reason: 'rate-limited' },
} as const
export type CloseCodeName = keyof typeof CLOSE_CODES

/** Prefix of the WebSocket subprotocol that carries the credential (never a query string). */
export const YJS_SUBPROTOCOL = 'nappe.v1'
export const YJS_AUTH_PREFIX = 'nappe.auth.'
