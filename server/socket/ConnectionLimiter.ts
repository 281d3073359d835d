/**
 * Per-address limits on Socket.IO connections: how many may be open at once and how fast new ones may
 * come. A conference shares one NAT address, so both are far above what a room joining at once needs.
 */
import type { IncomingMessage } from 'node:http'
import { isIPv6 } from 'node:net'
import type { SocketLimits } from './socketLimits'
import { TokenBuckets } from './TokenBuckets'

export class ConnectionLimiter {
  private readonly open = new Map<string, number>()
  private readonly arrivals: TokenBuckets

  constructor(private readonly limits: SocketLimits['connections'], now: () => number) {
    this.arrivals = new TokenBuckets(limits.perAddress, now)
  }

  /** May this address open one more connection now? Counts the arrival when it may. */
  admit(address: string): boolean {
    if ((this.open.get(address) ?? 0) >= this.limits.maxOpenPerAddress) return false
    return this.arrivals.take(address, 1)
  }

  opened(address: string): void {
    this.open.set(address, (this.open.get(address) ?? 0) + 1)
  }

  closed(address: string): void {
    const n = (this.open.get(address) ?? 1) - 1
    if (n <= 0) this.open.delete(address)
    else this.open.set(address, n)
  }

  openFrom(address: string): number {
    return this.open.get(address) ?? 0
  }
}

/**
 * The address a request comes from, as a limit key. Socket.IO has no `trust proxy` setting of its own:
 * with `trustProxy` (the server's TRUST_PROXY) the left-most X-Forwarded-For entry is taken, as Express
 * does with `trust proxy: true`; otherwise the TCP peer (`socket.handshake.address`).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? req.headers['x-forwarded-for'] : undefined
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
  return addressKey(first || req.socket.remoteAddress || '')
}

/**
 * One key per client: an IPv4 address as is (IPv4-mapped IPv6 too), an IPv6 address by its /64 prefix,
 * since one device or home gets a whole /64 and could otherwise take a new address per connection.
 */
export function addressKey(address: string): string {
  const a = address.split('%')[0]!.toLowerCase()
  // No colon: not IPv6 (isIPv6's expression costs ~20 µs on an IPv4 address: a storm of 1,000 upgrades paid 20 ms).
  if (!a.includes(':')) return a || 'unknown'
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)
  if (mapped) return mapped[1]!
  if (!isIPv6(a)) return a
  const [head = '', tail] = a.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}
