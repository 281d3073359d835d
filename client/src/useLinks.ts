/** Where the server's links point (`GET /api/links`): the LAN address when the page is on localhost. */
import { useEffect, useState } from 'react'
import type { LinkBase, LinkSource } from '../../shared/links'
import { LINK_SOURCES } from '../../shared/links'

export async function fetchLinks(): Promise<LinkBase | null> {
  try {
    const res = await fetch('/api/links', { cache: 'no-store' })
    if (!res.ok) return null
    const data = (await res.json()) as { base?: unknown; source?: unknown }
    if (typeof data.base !== 'string' || !LINK_SOURCES.includes(data.source as LinkSource)) return null
    return { base: data.base.replace(/\/+$/, ''), source: data.source as LinkSource }
  } catch {
    return null
  }
}

/**
 * The links' base. `known`: the server answered. Until it does (or if it cannot), this page's own origin,
 * as `request`; `settled` says the question is over either way (printing waits for it).
 */
export function useLinks(): LinkBase & { known: boolean; settled: boolean } {
  const [links, setLinks] = useState<LinkBase | null | 'failed'>(null)
  useEffect(() => {
    let live = true
    void fetchLinks().then((l) => { if (live) setLinks(l ?? 'failed') })
    return () => { live = false }
  }, [])
  if (links && links !== 'failed') return { ...links, known: true, settled: true }
  return { base: location.origin, source: 'request', known: false, settled: links === 'failed' }
}

/** `http://192.168.1.20:3000` → `192.168.1.20:3000`: what a person types. */
export function typedAddress(base: string): string {
  try {
    const url = new URL(base)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.host : base
  } catch {
    return base
  }
}
