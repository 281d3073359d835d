/**
 * Short-lived TURN credentials, in the scheme coturn checks with `use-auth-secret` and
 * `static-auth-secret` (the "TURN REST API"): the username is `<expiry, unix seconds>:<who>` and the
 * password base64(HMAC-SHA1(secret, username)). Each `call:join` gets its own, so what reaches a browser
 * stops working at its expiry and names whose it was; the secret itself never leaves the server. Pure.
 */
import { createHmac } from 'node:crypto'
import type { IceServer } from '../../shared/calls'

export interface TurnConfig {
  /** `turn:` / `turns:` addresses of the relay. */
  urls: string[]
  /** Shared with the TURN server (`static-auth-secret`). */
  secret: string
  /** How long a credential works after it is given (a call lasts a round, joined again at the next). */
  ttlMs: number
}

export function turnCredentials(turn: TurnConfig, who: string, now: number): IceServer {
  const username = `${Math.floor((now + turn.ttlMs) / 1000)}:${who}`
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64')
  return { urls: turn.urls, username, credential }
}
