/**
 * "Durable before told", for HTTP: with a store that writes behind (PostgreSQL), the answer to a
 * request that may have changed something (a join hands out a token, a café is created, a photo is
 * kept) leaves only once what the request wrote is committed. A node killed before the commit never
 * told anyone it had kept something; the client retries. Reads (GET, HEAD) answer at once.
 */
import type { RequestHandler } from 'express'
import { appError, HTTP_STATUS } from '../../shared/errors'
import type { AppError } from '../../shared/errors'
import type { Logger } from '../log'
import { cafeIdOfPath } from '../socket/cafePath'
import type { DurableWriter } from '../store/DurableWriter'

/**
 * `servedHere(cafeId)`: whether this node still serves the café the answer tells of (`res.locals.cafeId`,
 * set by the handlers that create or join a café, else the one the request's path names). A café lost to
 * another node while its commit was waiting had its writes dropped (the new node never saw them): its
 * answer says to try again, never that something was kept.
 */
/** The longest an answer waits for its commit. */
const ANSWER_BUDGET_MS = 10_000

export function durableAnswers(writer: DurableWriter, log: Logger, servedHere: (cafeId: string) => boolean): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next()
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res
    const replace = (error: AppError, retryAfterS?: number) => {
      if (res.headersSent) return void res.destroy()
      const body = JSON.stringify({ error })
      res.removeHeader('ETag')
      if (retryAfterS) res.set('Retry-After', String(retryAfterS))
      res.status(HTTP_STATUS[error.code]).type('application/json').set('Content-Length', String(Buffer.byteLength(body)))
      end(body)
    }
    res.end = ((...args: unknown[]) => {
      const durable = writer.whenDurable()
      if (!durable) return end(...args)
      // The café the answer tells of: the one its handler names (a join by code, a café created), else its path's.
      const cafeId = (res.locals.cafeId as string | undefined) ?? cafeIdOfPath(req.originalUrl)
      // PostgreSQL away: the client is not kept waiting past its patience (what it wrote may still land).
      let timer: ReturnType<typeof setTimeout> | undefined
      const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), ANSWER_BUDGET_MS) })
      Promise.race([durable, late]).then((outcome) => {
        clearTimeout(timer)
        if (outcome === 'late') return replace(appError('not_saved_yet', 'The server could not save this in time: check in a moment whether it was kept, or try again.'))
        if (cafeId === null || servedHere(cafeId) || res.statusCode >= 400) return end(...args)
        replace(appError('cafe_moving', 'This café is moving to another server: try again in 2 s.', { params: { seconds: 2 } }), 2)
      }, (err: unknown) => {
        clearTimeout(timer)
        log.error('an answer was held back: what the request wrote could not be committed', { path: req.path, err })
        replace(appError('server_error', 'Something went wrong on the server.'))
      })
      return res
    }) as typeof res.end
    next()
  }
}
