/** A tiny router over the History API: the app has a handful of screens, no need for a library. */
import { useSyncExternalStore } from 'react'

export type Route =
  | { name: 'home' }
  | { name: 'join'; code: string }
  | { name: 'cafe'; cafeId: string }
  | { name: 'new' }
  | { name: 'facilitate'; cafeId: string; key: string | null }
  | { name: 'projector'; cafeId: string; key: string | null }
  | { name: 'harvest'; cafeId: string; key: string | null }
  | { name: 'print'; cafeId: string; key: string | null; kind: PrintKind }
  | { name: 'notFound' }

/** What /print shows: itinerary cards, the table plan, or the facilitator's card (its link and QR code). */
export type PrintKind = 'cards' | 'tables' | 'facilitator'

const ID = '([A-Za-z0-9_-]{1,40})'

export function parseRoute(pathname: string, hash: string): Route {
  const fragment = new URLSearchParams(hash.replace(/^#/, ''))
  const key = fragment.get('key')
  let m: RegExpExecArray | null
  if (pathname === '/' || pathname === '') return { name: 'home' }
  if (pathname === '/new') return { name: 'new' }
  if ((m = /^\/join\/([^/]{1,32})\/?$/.exec(pathname))) return { name: 'join', code: decodeURIComponent(m[1]!) }
  if ((m = new RegExp(`^/cafe/${ID}/?$`).exec(pathname))) return { name: 'cafe', cafeId: m[1]! }
  if ((m = new RegExp(`^/facilitate/${ID}/?$`).exec(pathname))) return { name: 'facilitate', cafeId: m[1]!, key }
  if ((m = new RegExp(`^/projector/${ID}/?$`).exec(pathname))) return { name: 'projector', cafeId: m[1]!, key }
  if ((m = new RegExp(`^/harvest/${ID}/?$`).exec(pathname))) return { name: 'harvest', cafeId: m[1]!, key }
  if ((m = new RegExp(`^/print/${ID}/?$`).exec(pathname))) return { name: 'print', cafeId: m[1]!, key, kind: printKind(fragment.get('kind')) }
  return { name: 'notFound' }
}

function printKind(kind: string | null): PrintKind {
  return kind === 'tables' || kind === 'facilitator' ? kind : 'cards'
}

const listeners = new Set<() => void>()
let current = typeof location === 'undefined' ? '/' : location.pathname + location.hash
if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => { current = location.pathname + location.hash; listeners.forEach((fn) => fn()) })
}

export function navigate(path: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  current = location.pathname + location.hash
  listeners.forEach((fn) => fn())
  window.scrollTo(0, 0)
}

export function useRoute(): Route {
  const path = useSyncExternalStore((fn) => { listeners.add(fn); return () => listeners.delete(fn) }, () => current, () => current)
  const hashAt = path.indexOf('#')
  return parseRoute(hashAt >= 0 ? path.slice(0, hashAt) : path, hashAt >= 0 ? path.slice(hashAt) : '')
}
