/**
 * Multi-node: `POST /api/join` carries its café's code in its body, where the proxy cannot see it, so
 * it may reach any node. The node looks the code up in PostgreSQL; when the café is served elsewhere,
 * it answers 307 to the café's own join path (`/api/cafes/<id>/join`), which the proxy routes to the
 * café's node (a 307 is repeated with the same method and body). The web app posts there directly.
 */
import express from 'express'
import type { RequestHandler } from 'express'
import { MAX_FRAME_BYTES } from '../../shared/constants'
import { normalizeJoinCode } from '../cafes/secrets'
import { sendError } from '../http/api'
import type { Logger } from '../log'
import type { ClusterNode } from './ClusterNode'

export function joinRedirect(node: ClusterNode, log: Logger): RequestHandler[] {
  const find: RequestHandler = (req, res, next) => {
    const raw = (req.body as { code?: unknown } | undefined)?.code
    const code = typeof raw === 'string' && raw.length <= 64 ? normalizeJoinCode(raw) : ''
    if (!code) return next()
    node.cafeIdByJoinCode(code).then(async (id) => {
      if (!id) return next()
      const placement = await node.place(id)
      if (placement.kind === 'unavailable') {
        // A right code, for a café between two nodes: not "unknown", and not counted as a wrong code.
        const seconds = Math.max(1, Math.ceil(placement.retryAfterMs / 1000))
        res.set('Retry-After', String(seconds))
        return sendError(res, 'cafe_moving', `This café is moving to another server: try again in ${seconds} s.`, { params: { seconds } })
      }
      if (placement.kind !== 'elsewhere') return next()
      res.redirect(307, `/api/cafes/${encodeURIComponent(id)}/join`)
    }).catch((err: unknown) => {
      log.warn('cluster: cannot look a join code up', { err })
      next()
    })
  }
  const json = express.json({ limit: MAX_FRAME_BYTES })
  // A body that is not JSON gets the API's own answer (the API's error handler is not on this route).
  const parse: RequestHandler = (req, res, next) => json(req, res, (err?: unknown) => (err ? sendError(res, 'bad_json', 'The request body is not valid JSON.') : next()))
  return [parse, find]
}
