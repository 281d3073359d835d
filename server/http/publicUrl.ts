/**
 * The base of the links the server hands out (join link, facilitator link, QR codes), so that they work
 * on the phones in the room:
 *
 * 1. `PUBLIC_URL` is set: it (`public_url`).
 * 2. The request reached the server on a loopback host (localhost, 127.x, ::1), the server listens on
 *    every interface (HOST 0.0.0.0 or ::) and the machine has a network IPv4 address: that address, with
 *    the request's protocol and port (`lan`).
 * 3. The request came to another host (a LAN address, a name): that host (`request`).
 * 4. Otherwise (loopback only): the request's own host, and the console warns that phones cannot use it
 *    (`loopback`).
 *
 * The machine's addresses are read at each call (a laptop joins the room's wifi after starting Nappe), from
 * an injected `os.networkInterfaces` so tests can fake them.
 */
import type { NetworkInterfaceInfo } from 'node:os'
import type { LinkBase } from '../../shared/links'
import type { Config } from '../config'

export type NetworkInterfaces = () => NodeJS.Dict<NetworkInterfaceInfo[]>

/** Virtual bridges and tunnels (Docker, VirtualBox, VMware, libvirt, VPNs): phones in the room are not on them. */
const VIRTUAL_INTERFACE = /^(docker|br-|veth|virbr|vboxnet|vmnet|lxc|lxd|cni|flannel|podman|tun|tap|utun|wg|zt|tailscale)/i

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (/^127(?:\.\d{1,3}){3}$/.test(h)) return true
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  // IPv4-mapped 127.x, as written and as URL parsing rewrites it (::ffff:7f00:1).
  return /^::ffff:127(?:\.\d{1,3}){3}$/.test(h) || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)
}

/** HOST values that mean "every interface": the machine's network addresses reach the server. */
export function listensOnEveryInterface(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '' || host === '[::]'
}

/** Private ranges first (the room's wifi), then anything else that is not link-local. */
function rank(address: string): number {
  if (address.startsWith('192.168.')) return 0
  if (address.startsWith('10.')) return 1
  if (/^172\.(1[6-9]|2\d|3[01])\./.test(address)) return 2
  return 3
}

/**
 * The machine's address on the local network: a non-internal IPv4 address, preferring real network
 * cards to virtual bridges, then private ranges (192.168/16, 10/8, 172.16/12); link-local (169.254/16)
 * never. Null when there is none (no network, or only loopback).
 */
export function lanAddress(interfaces: NetworkInterfaces): string | null {
  const found: Array<{ address: string; virtual: boolean }> = []
  let all: NodeJS.Dict<NetworkInterfaceInfo[]>
  try { all = interfaces() } catch { return null }
  for (const [name, infos] of Object.entries(all)) {
    for (const info of infos ?? []) {
      // Node 18.0-18.3 said family 4 (a number); every later version says 'IPv4'.
      const v4 = info.family === 'IPv4' || (info.family as unknown) === 4
      if (!v4 || info.internal || info.address.startsWith('169.254.') || info.address.startsWith('127.')) continue
      found.push({ address: info.address, virtual: VIRTUAL_INTERFACE.test(name) })
    }
  }
  found.sort((a, b) => Number(a.virtual) - Number(b.virtual) || rank(a.address) - rank(b.address))
  return found[0]?.address ?? null
}

export interface LinkRequest {
  /** `http` or `https`, as the request came. */
  protocol: string
  /** The request's Host header (with its port), if any. */
  host: string | undefined
}

export interface LinkRule {
  /** PUBLIC_URL without a trailing slash, or null. */
  publicUrl: string | null
  /** The HOST the server listens on. */
  listenHost: string
  /** The port it listens on: used when the request has no Host header. */
  port: number
  interfaces: NetworkInterfaces
}

/** The rule as configured: PUBLIC_URL, HOST, and the port actually listened on (PORT may be 0). */
export function linkRule(config: Pick<Config, 'publicUrl' | 'host' | 'port'>, interfaces: NetworkInterfaces, port = config.port): LinkRule {
  return { publicUrl: config.publicUrl, listenHost: config.host, port, interfaces }
}

/** The base of the links handed out for this request, and which case of the rule gave it. */
export function linkBase(rule: LinkRule, req: LinkRequest): LinkBase {
  if (rule.publicUrl) return { base: rule.publicUrl, source: 'public_url' }
  const protocol = req.protocol === 'https' ? 'https' : 'http'
  let url: URL
  try {
    url = new URL(`${protocol}://${req.host || `localhost:${rule.port}`}`)
  } catch {
    url = new URL(`${protocol}://localhost:${rule.port}`)
  }
  if (!isLoopbackHost(url.hostname)) return { base: url.origin, source: 'request' }
  const lan = listensOnEveryInterface(rule.listenHost) ? lanAddress(rule.interfaces) : null
  if (lan) return { base: `${protocol}://${lan}${url.port ? `:${url.port}` : ''}`, source: 'lan' }
  return { base: url.origin, source: 'loopback' }
}

/** The address to announce at start ("open this address on phones"): the rule applied to a request on localhost. */
export function startupLinkBase(rule: LinkRule): LinkBase {
  return linkBase(rule, { protocol: 'http', host: `localhost:${rule.port}` })
}
