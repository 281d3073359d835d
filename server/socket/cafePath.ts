/**
 * The café id in the URL path, so that a proxy (deploy/haproxy.cfg) can send every request and
 * connection of one café to the same node. A café's clients open:
 *
 * - Socket.IO at `/c/<cafeId>/socket.io/` (served here by rewriting it to `/socket.io/`, which old
 *   clients still use on a single node);
 * - Yjs at `/yjs/<cafeId>.<tableId>.<questionId>` and `/yjs/<cafeId>.harvest`;
 * - the API at `/api/cafes/<cafeId>/…`.
 *
 * `cafeIdOfPath` reads the id from any of them, with the same rule as the proxy's configuration.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http'
import { appError } from '../../shared/errors'
import { DOC_PART } from '../../shared/tablecloth'

/** A café id as `nanoid(12)` makes it, within the limits every handshake and doc name accepts. */
const CAFE_ID_PATTERN = DOC_PART

/** The one path under `/api/cafes/` that names no café. */
const NOT_A_CAFE = new Set(['import'])

const SOCKET_IO_PATH = '/socket.io/'
/** `/c/<id>/socket.io/<rest>`: the id (any characters up to a slash, checked afterwards) and what follows. */
const CAFE_SOCKET_PATH = /^\/c\/([^/?]*)\/socket\.io(\/[^?]*)?(\?.*)?$/

/**
 * The café a request path belongs to, or null when it names none (the web app, `/healthz`,
 * `POST /api/cafes`, `/api/cafes/import`, `/api/join…`, `/api/links`, `/socket.io/`): any node can answer those.
 */
export function cafeIdOfPath(url: string): string | null {
  const path = url.split('?')[0] ?? ''
  const parts = path.split('/')
  let id: string | undefined
  if (parts[1] === 'c') id = parts[2]
  else if (parts[1] === 'yjs') id = parts[2]?.split('.')[0]
  else if (parts[1] === 'api' && parts[2] === 'cafes') id = parts[3]
  if (id === undefined || (parts[1] === 'api' && NOT_A_CAFE.has(id))) return null
  return CAFE_ID_PATTERN.test(id) ? id : null
}

/** What a `/c/<id>/socket.io/…` URL says: not one, a valid café id with the plain Socket.IO URL, or a bad id. */
export type CafeSocketUrl = { kind: 'none' } | { kind: 'cafe'; cafeId: string; url: string } | { kind: 'bad' }

export function parseCafeSocketUrl(url: string): CafeSocketUrl {
  const m = CAFE_SOCKET_PATH.exec(url)
  if (!m) return { kind: 'none' }
  const [, id = '', rest = '/', query = ''] = m
  if (!CAFE_ID_PATTERN.test(id)) return { kind: 'bad' }
  return { kind: 'cafe', cafeId: id, url: `${SOCKET_IO_PATH}${rest.slice(1)}${query}` }
}

/** The café id the Socket.IO request came in under (`/c/<id>/socket.io/`), null on the plain path. */
const cafeOfRequest = new WeakMap<IncomingMessage, string>()

export function pathCafeId(req: IncomingMessage): string | null {
  return cafeOfRequest.get(req) ?? null
}

/**
 * Serves Socket.IO on `/c/<cafeId>/socket.io/` as well as `/socket.io/`: call it once Socket.IO is
 * attached to `http`. It rewrites the URL to `/socket.io/…` before Socket.IO's listeners look at it
 * and remembers the café id for the handshake (`pathCafeId`), which refuses a session for another café.
 * A malformed id gets a 400 (an upgrade: closed, as any upgrade on an unknown path) and reaches nobody.
 */
export function serveCafeSocketPath(http: HttpServer): void {
  // Wrapped rather than prepended, the way Socket.IO wraps Express: a refused request must reach no one else.
  const listeners = http.listeners('request').slice() as Array<(req: IncomingMessage, res: ServerResponse) => void>
  http.removeAllListeners('request')
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const parsed = parseCafeSocketUrl(req.url ?? '')
    if (parsed.kind === 'bad') {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' })
      return void res.end(JSON.stringify({ error: appError('bad_data', 'The café id in this path is not valid.') }))
    }
    if (parsed.kind === 'cafe') {
      cafeOfRequest.set(req, parsed.cafeId)
      req.url = parsed.url
    }
    for (const listener of listeners) listener.call(http, req, res)
  })
  http.prependListener('upgrade', (req: IncomingMessage) => {
    const parsed = parseCafeSocketUrl(req.url ?? '')
    if (parsed.kind !== 'cafe') return
    cafeOfRequest.set(req, parsed.cafeId)
    req.url = parsed.url
  })
}
