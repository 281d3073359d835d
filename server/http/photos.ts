/**
 * Photos of paper tablecloths (docs/api.md, "Photos"):
 *
 *   POST   /api/cafes/:id/photos?tableId=…&round=…   the image itself as the body (JPEG or PNG, ≤ 4 MB)
 *   GET    /api/cafes/:id/photos                      what is known of each photo (facilitator)
 *   GET    /api/cafes/:id/photos/:photoId             its bytes (facilitator)
 *   DELETE /api/cafes/:id/photos/:photoId             (facilitator)
 *
 * Credentials travel in `Authorization: Bearer <facilitator key | participant token>`, never in a URL.
 * The facilitator may add a photo of any table for any round begun; a table's host only of their own
 * table, for the round being played or the one that just ended. The type is read from the bytes.
 */
import express from 'express'
import type { NextFunction, Request, Response } from 'express'
import { nanoid } from 'nanoid'
import { questionAt } from '../../shared/cafe'
import { photoNames } from '../../shared/pictureNames'
import { zodFieldErrors } from '../../shared/cafe'
import { zodFieldKinds } from '../../shared/errorReasons'
import type { PhotoBy, PhotoMeta } from '../../shared/photos'
import {
  MAX_PHOTOS_PER_CAFE, MAX_PHOTO_BYTES, MAX_PHOTO_BYTES_PER_CAFE, MAX_PHOTO_SIDE_PX, photoIdSchema, photoRound, readPhoto,
  photoUploadSchema, roundsBegun, sortPhotos,
} from '../../shared/photos'
import type { CafeRegistry } from '../cafes/CafeRegistry'
import type { CafeRuntime } from '../cafes/CafeRuntime'
import type { Clock } from '../clock'
import type { Logger } from '../log'
import type { ParticipantRecord, Store } from '../store/Store'
import { askForCredential, bearerCredential, sendError } from './api'

/** A host's photos of one table and round: enough for a retake or two, not a way to fill the café's quota. */
export const MAX_HOST_PHOTOS_PER_ROUND = 5

export interface PhotoApiDeps { registry: CafeRegistry; store: Store; clock: Clock; log: Logger }

type Caller = { kind: 'facilitator' } | { kind: 'participant'; participant: ParticipantRecord }

/** What a host may photograph: their own table, the round being played or just ended. Pure. */
export function hostRefusal(cafe: Pick<CafeRuntime, 'lifecycle'>, p: Pick<ParticipantRecord, 'hostOf'>, tableId: string, round: number):
  'facilitator_only' | 'cafe_over' | 'wrong_phase' | null {
  const lc = cafe.lifecycle
  if (lc.phase === 'closed') return 'cafe_over'
  if (p.hostOf !== tableId) return 'facilitator_only'
  const now = photoRound(lc)
  if (now === null) return 'wrong_phase'
  return now === round ? null : 'facilitator_only'
}

const meta = ({ cafeId: _c, data: _d, ...m }: PhotoMeta & { cafeId?: string; data?: Uint8Array }): PhotoMeta => m

export function createPhotoApi(deps: PhotoApiDeps): express.Router {
  const router = express.Router()
  const { registry, store, clock, log } = deps

  /** The café and who calls, or an answer already sent. */
  const caller = (req: Request, res: Response): { cafe: CafeRuntime; who: Caller } | null => {
    const cafe = registry.get(String(req.params.id))
    if (!cafe) { sendError(res, 'no_cafe', 'No café with this id.'); return null }
    const credential = bearerCredential(req)
    if (credential === null) {
      askForCredential(res, 'Send the facilitator key (or a host\'s participant token) in an "Authorization: Bearer <credential>" header.')
      return null
    }
    if (cafe.isFacilitatorKey(credential)) return { cafe, who: { kind: 'facilitator' } }
    const participant = cafe.participantByToken(credential)
    if (participant && participant.leftAt === null) return { cafe, who: { kind: 'participant', participant } }
    sendError(res, 'bad_credential', 'This credential is neither the facilitator key nor a participant token of this café.')
    return null
  }
  const facilitator = (req: Request, res: Response): CafeRuntime | null => {
    const c = caller(req, res)
    if (!c) return null
    if (c.who.kind !== 'facilitator') { sendError(res, 'facilitator_only', 'Only the facilitator\'s team sees the photos.'); return null }
    return c.cafe
  }
  const photoId = (req: Request, res: Response): string | null => {
    const parsed = photoIdSchema.safeParse(req.params.photoId)
    if (parsed.success) return parsed.data
    sendError(res, 'no_endpoint', 'No photo with this id.')
    return null
  }

  router.get('/api/cafes/:id/photos', (req, res) => {
    const cafe = facilitator(req, res)
    if (!cafe) return
    const def = cafe.definition
    const sorted = sortPhotos(store.listPhotos(cafe.id), def.questions.map((q) => q.id), def.tables.map((t) => t.id))
    // Each with its path in the export zip: what the synthesis's image lines name.
    const photos = photoNames(def, sorted).map(({ photo, path }) => ({ ...photo, path }))
    // How many rounds' end-of-round tablecloths are kept: the studio names their pictures from it.
    const snapshotRounds = cafe.record.snapshotRounds
    res.set('Cache-Control', 'no-store').json({ photos, snapshotRounds, limits: { maxBytes: MAX_PHOTO_BYTES, maxPhotos: MAX_PHOTOS_PER_CAFE } })
  })

  router.get('/api/cafes/:id/photos/:photoId', (req, res) => {
    const cafe = facilitator(req, res)
    if (!cafe) return
    const id = photoId(req, res)
    if (!id) return
    const photo = store.getPhoto(cafe.id, id)
    if (!photo) return sendError(res, 'no_endpoint', 'No photo with this id.')
    res.type(photo.type)
      .set('Cache-Control', 'private, no-store')
      .set('Content-Security-Policy', "default-src 'none'")
      .set('Content-Length', String(photo.data.byteLength))
      .end(Buffer.from(photo.data.buffer, photo.data.byteOffset, photo.data.byteLength))
  })

  router.delete('/api/cafes/:id/photos/:photoId', (req, res) => {
    const cafe = facilitator(req, res)
    if (!cafe) return
    const id = photoId(req, res)
    if (!id) return
    let deleted: boolean
    try {
      deleted = store.deletePhoto(cafe.id, id)
    } catch (err) {
      log.error('photo delete failed', { cafeId: cafe.id, err })
      return sendError(res, 'server_error', 'The photo could not be deleted: the server cannot write to its database now.')
    }
    if (!deleted) return sendError(res, 'no_endpoint', 'No photo with this id.')
    log.info('photo deleted', { cafeId: cafe.id, photoId: id })
    res.status(204).end()
  })

  router.post('/api/cafes/:id/photos', (req, res, next) => {
    // Who and where first: nobody sends 4 MB to be told they may not.
    const c = caller(req, res)
    if (!c) return
    const query = photoUploadSchema.safeParse(req.query)
    if (!query.success) return sendError(res, 'bad_data', 'Give the table and the round: ?tableId=…&round=…', { fields: zodFieldErrors(query.error), fieldKinds: zodFieldKinds(query.error) })
    const { tableId, round } = query.data
    const def = c.cafe.definition
    if (!def.tables.some((t) => t.id === tableId)) return sendError(res, 'no_table', 'This table does not exist.')
    if (round > roundsBegun(c.cafe.lifecycle)) return sendError(res, 'no_round', `Round ${round} has not begun: a photo is of a round begun.`, { params: { round } })
    if (questionAt(def, round, tableId) === undefined) return sendError(res, 'no_tablecloth', 'This table has no question in this round.')
    if (c.who.kind === 'participant') {
      const refusal = hostRefusal(c.cafe, c.who.participant, tableId, round)
      if (refusal === 'wrong_phase') return sendError(res, refusal, 'No round has begun yet.', { params: { phase: c.cafe.lifecycle.phase } })
      if (refusal === 'cafe_over') return sendError(res, refusal, 'The café is over: only the facilitator adds photos now.')
      if (refusal) return sendError(res, refusal, 'A host adds photos of their own table, for the round being played or the one that just ended.')
      const mine = store.listPhotos(c.cafe.id).filter((p) => p.tableId === tableId && p.round === round && p.by.kind === 'host').length
      if (mine >= MAX_HOST_PHOTOS_PER_ROUND) return sendError(res, 'bad_data', `A host adds at most ${MAX_HOST_PHOTOS_PER_ROUND} photos of a table per round.`, { fields: { photo: `at most ${MAX_HOST_PHOTOS_PER_ROUND} photos per round` }, fieldKinds: { photo: 'too_many' } })
    }
    const usage = store.photoUsage(c.cafe.id)
    if (usage.count >= MAX_PHOTOS_PER_CAFE || usage.bytes >= MAX_PHOTO_BYTES_PER_CAFE) {
      return sendError(res, 'bad_data', `This café already holds ${MAX_PHOTOS_PER_CAFE} photos (or ${MAX_PHOTO_BYTES_PER_CAFE} bytes of them).`, { fields: { photo: `at most ${MAX_PHOTOS_PER_CAFE} photos per café` }, fieldKinds: { photo: 'too_many' } })
    }
    res.locals.photo = { cafe: c.cafe, who: c.who, tableId, round, questionId: questionAt(def, round, tableId)! }
    next()
  }, express.raw({ type: () => true, limit: MAX_PHOTO_BYTES }), (req, res) => {
    const { cafe, who, tableId, round, questionId } = res.locals.photo as { cafe: CafeRuntime; who: Caller; tableId: string; round: number; questionId: string }
    const body: Uint8Array = Buffer.isBuffer(req.body) ? req.body : new Uint8Array(0)
    const { info, problem } = readPhoto(body)
    if (problem === 'too_big') return sendError(res, 'body_too_large', `A photo is at most ${MAX_PHOTO_BYTES} bytes.`, { params: { bytes: MAX_PHOTO_BYTES } })
    if (problem === 'too_large') return sendError(res, 'bad_data', `A photo is at most ${MAX_PHOTO_SIDE_PX} pixels a side.`, { fields: { photo: `at most ${MAX_PHOTO_SIDE_PX} pixels a side` }, fieldKinds: { photo: 'out_of_range' } })
    if (problem) return sendError(res, 'bad_data', 'The body is not a JPEG or PNG image.', { fields: { photo: 'not a JPEG or PNG image' }, fieldKinds: { photo: 'invalid' } })
    const by: PhotoBy = who.kind === 'facilitator' ? { kind: 'facilitator' } : { kind: 'host', participantId: who.participant.id, name: who.participant.displayName }
    const record = { id: nanoid(16), cafeId: cafe.id, tableId, questionId, round, ...info, bytes: body.byteLength, by, createdAt: clock.now(), data: new Uint8Array(body) }
    try {
      store.savePhoto(record)
    } catch (err) {
      log.error('photo save failed', { cafeId: cafe.id, err })
      return sendError(res, 'server_error', 'The photo could not be saved: the server cannot write to its database now. Try again in a moment.')
    }
    log.info('photo added', { cafeId: cafe.id, tableId, round, bytes: body.byteLength, by: by.kind })
    res.status(201).json(meta(record))
  })

  // An oversized or unreadable body on these routes: a clear JSON error.
  router.use('/api/cafes/:id/photos', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    const e = err as { type?: string }
    if (e.type === 'entity.too.large') return sendError(res, 'body_too_large', `A photo is at most ${MAX_PHOTO_BYTES} bytes.`, { params: { bytes: MAX_PHOTO_BYTES } })
    next(err)
  })
  return router
}
