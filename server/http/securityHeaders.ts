/**
 * Every HTTP answer's security headers, in this one place, from helmet: a strict Content-Security-Policy
 * (scripts, styles, images and fonts from this origin only, no inline script or style, no plugins),
 * `nosniff`, `Referrer-Policy: no-referrer` (keys live in #fragments, but be strict), and no framing,
 * except for the projector view, which the origins in FRAME_ANCESTORS may embed.
 *
 * The built web app has no inline script or style (React sets `style` props through the CSSOM, which
 * CSP does not block), loads no data: or blob: image and no font; the downloads it makes from blob:
 * URLs are navigations, not loads. WebSockets to the same host and port match 'self'.
 */
import helmet from 'helmet'
import type { Request, RequestHandler } from 'express'

/** The client router's projector route (client/src/router.ts): `/projector/<cafeId>`. */
export const PROJECTOR_PATH = /^\/projector\/[A-Za-z0-9_-]{1,40}\/?$/

export interface SecurityHeadersOptions {
  /** Origins that may frame the projector view (CSP source expressions); empty: nobody may. */
  projectorFrameAncestors: readonly string[]
  /** Served over HTTPS (PUBLIC_URL says so): ask browsers to upgrade any http: sub-request. */
  https: boolean
}

export function securityHeaders(opts: SecurityHeadersOptions): RequestHandler {
  const build = (frameAncestors: readonly string[]) => helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: frameAncestors.length > 0 ? [...frameAncestors] : ["'none'"],
        // Not on plain HTTP (a laptop on the room's wifi): it would send every request to https://.
        ...(opts.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // CSP frame-ancestors is what browsers follow; X-Frame-Options can only say "nobody" or "same origin".
    xFrameOptions: frameAncestors.length > 0 ? false : { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: opts.https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
  })
  const everywhere = build([])
  const projector = opts.projectorFrameAncestors.length > 0 ? build(opts.projectorFrameAncestors) : everywhere
  return (req: Request, res, next) => (PROJECTOR_PATH.test(req.path) ? projector : everywhere)(req, res, next)
}
