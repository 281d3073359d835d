/**
 * Where the links the server hands out point (join link, facilitator link, QR codes), and why: the answer
 * of `GET /api/links`. No secret in it. The rule is in server/http/publicUrl.ts.
 */
export const LINK_SOURCES = ['public_url', 'lan', 'request', 'loopback'] as const
/**
 * - `public_url`: PUBLIC_URL is set.
 * - `lan`: the page was opened on this machine (localhost); links use its address on the local network.
 * - `request`: the address the page was opened with (it is not loopback).
 * - `loopback`: only this machine can open the links (no network address, or the server listens on loopback only).
 */
export type LinkSource = (typeof LINK_SOURCES)[number]

export interface LinkBase {
  /** Origin of every link, without a trailing slash: `http://192.168.1.20:3000`. */
  base: string
  source: LinkSource
}
