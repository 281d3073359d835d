/**
 * In front of everything a node serves (Express, Socket.IO, the Yjs endpoint): each HTTP request and
 * WebSocket upgrade that names a café goes to the node serving it. Installed last on the HTTP server,
 * it takes over the `request` and `upgrade` listeners the others attached, and calls them only for
 * what is served here.
 *
 * Why proxy rather than redirect: a WebSocket upgrade cannot follow a redirect, Socket.IO's polling
 * requests would each pay one, and the owner's internal address is not one a phone can reach. HAProxy
 * already sends a café's traffic to one node, so proxying only happens in the short while after a node
 * came back (its cafés stay with whoever took them) or after a café was created on another node.
 */
import type { ClientRequest, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { createProxyServer } from 'http-proxy-3'
import { appError } from '../../shared/errors'
import type { AppError } from '../../shared/errors'
import { HTTP_STATUS } from '../../shared/errors'
import { normalizeJoinCode } from '../cafes/secrets'
import type { Logger } from '../log'
import { cafeIdOfPath } from '../socket/cafePath'
import type { ClusterNode, Placement } from './ClusterNode'

/** A request a peer already forwarded carries this (the forwarding node's id): it is never forwarded again. */
export const FORWARDED_HEADER = 'x-nappe-forwarded-by'

const JOIN_LOOKUP = /^\/api\/join\/([A-Za-z0-9 -]{1,32})$/

/** The café a request is about, as named by its path: by id (socket/cafePath.ts), or by join code. Null: any node can answer. */
export function cafeOfPath(url: string): { id: string } | { code: string } | null {
  const id = cafeIdOfPath(url)
  if (id) return { id }
  const code = JOIN_LOOKUP.exec(decodeURIComponentSafe(url.split('?')[0] ?? ''))?.[1]
  return code ? { code: normalizeJoinCode(code) } : null
}

const decodeURIComponentSafe = (s: string): string => { try { return decodeURIComponent(s) } catch { return s } }

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

export function installClusterRouter(http: HttpServer, node: ClusterNode, log: Logger): { close(): void } {
  const requestListeners = http.listeners('request') as RequestListener[]
  const upgradeListeners = http.listeners('upgrade') as UpgradeListener[]
  http.removeAllListeners('request')
  http.removeAllListeners('upgrade')
  const serveRequest = (req: IncomingMessage, res: ServerResponse) => { for (const l of requestListeners) l.call(http, req, res) }
  const serveUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => { for (const l of upgradeListeners) l.call(http, req, socket, head) }

  // xfwd: the owner sees who the client is (X-Forwarded-For grows by this node's view of it).
  const proxy = createProxyServer({ xfwd: true, ws: true })
  // What is forwarded right now: upgraded connections are not the HTTP server's to close at shutdown.
  const forwarded = new Set<Duplex>()
  const track = (socket: Duplex) => { forwarded.add(socket); socket.once('close', () => forwarded.delete(socket)) }
  // A WebSocket handshake is answered in milliseconds; a frozen node never answers it (http-proxy-3 has
  // no time limit for upgrades: this one ends when the connection becomes a WebSocket).
  proxy.on('proxyReqWs', (proxyReq: ClientRequest) => {
    proxyReq.setTimeout(UPGRADE_TIMEOUT_MS, () => proxyReq.destroy(new Error('the café\'s node did not answer the WebSocket handshake')))
    proxyReq.once('upgrade', (_res: IncomingMessage, upgraded: Socket) => upgraded.setTimeout(0))
  })
  proxy.on('error', (err: Error, _req: IncomingMessage, target: ServerResponse | Duplex) => {
    log.warn('cluster: proxying to the café\'s node failed', { err: err.message })
    if (!('setHeader' in target)) return refuseUpgrade(target, moving(2000), 2000)
    if (target.headersSent) target.destroy()
    else sendJson(target, moving(2000), 2000)
  })

  const where = async (req: IncomingMessage): Promise<Placement> => {
    const named = cafeOfPath(req.url ?? '')
    if (!named) return { kind: 'here' }
    const id = 'id' in named ? named.id : named.code ? await node.cafeIdByJoinCode(named.code) : null
    if (!id) return { kind: 'here' } // an unknown code: this node says so
    const placement = await node.place(id)
    // A peer sent it here believing this node serves it: never bounce it on (no loops), retry instead.
    if (placement.kind === 'elsewhere' && req.headers[FORWARDED_HEADER]) return { kind: 'unavailable', retryAfterMs: 1000 }
    return placement
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    where(req).then((p) => {
      if (p.kind === 'here' || p.kind === 'missing') return serveRequest(req, res)
      if (p.kind === 'unavailable') return sendJson(res, moving(p.retryAfterMs), p.retryAfterMs)
      req.headers[FORWARDED_HEADER] = node.nodeId
      track(req.socket)
      // Above Socket.IO's long-polling hold (25 s); a node that stopped answering is not waited on for ever.
      proxy.web(req, res, { target: p.address, proxyTimeout: WEB_TIMEOUT_MS })
    }, (err: unknown) => {
      log.warn('cluster: cannot tell where a café is served', { err })
      sendJson(res, moving(2000), 2000)
    })
  }
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    where(req).then((p) => {
      if (socket.destroyed) return
      if (p.kind === 'here' || p.kind === 'missing') return serveUpgrade(req, socket, head)
      if (p.kind === 'unavailable') return refuseUpgrade(socket, moving(p.retryAfterMs), p.retryAfterMs)
      req.headers[FORWARDED_HEADER] = node.nodeId
      track(socket)
      proxy.ws(req, socket, head, { target: p.address })
    }, (err: unknown) => {
      log.warn('cluster: cannot tell where a café is served', { err })
      refuseUpgrade(socket, moving(2000), 2000)
    })
  }
  http.on('request', onRequest)
  http.on('upgrade', onUpgrade)
  return {
    close: () => {
      proxy.close()
      for (const s of forwarded) s.destroy()
      forwarded.clear()
    },
  }
}

/** The longest a forwarded request waits for the serving node's answer. */
const WEB_TIMEOUT_MS = 40_000
/** The longest a forwarded WebSocket waits for the serving node's handshake. */
const UPGRADE_TIMEOUT_MS = 5000

const moving = (ms: number): AppError => {
  const seconds = Math.max(1, Math.ceil(ms / 1000))
  return appError('cafe_moving', `This café is moving to another server: try again in ${seconds} s.`, { params: { seconds } })
}

function sendJson(res: ServerResponse, error: AppError, retryAfterMs: number): void {
  const body = JSON.stringify({ error })
  res.writeHead(HTTP_STATUS[error.code], { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))), 'Cache-Control': 'no-store' })
  res.end(body)
}

function refuseUpgrade(socket: Duplex, error: AppError, retryAfterMs: number): void {
  const body = JSON.stringify({ error })
  socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: ${Math.max(1, Math.ceil(retryAfterMs / 1000))}\r\nConnection: close\r\n\r\n${body}`)
}
