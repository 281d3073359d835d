import { useEffect, useState } from 'react'

/** What `GET /api/links` answers: the origin of the links the server hands out (and why, unused here). */
async function fetchLinkBase(signal: AbortSignal): Promise<string | null> {
  const res = await fetch('/api/links', { signal, headers: { accept: 'application/json' } })
  if (!res.ok) return null
  const body: unknown = await res.json()
  if (!body || typeof body !== 'object' || typeof (body as { base?: unknown }).base !== 'string') return null
  try {
    return new URL((body as { base: string }).base).origin
  } catch {
    return null
  }
}

/**
 * The address phones must open, as the server gives it to every link and QR code (its LAN address when
 * this page was opened on localhost); this page's own origin while the server does not say (older server, 404).
 */
export function useLinkBase(): string {
  const [base, setBase] = useState(() => location.origin)
  useEffect(() => {
    const controller = new AbortController()
    fetchLinkBase(controller.signal).then((b) => { if (b) setBase(b) }, () => {})
    return () => controller.abort()
  }, [])
  return base
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
