/**
 * Plain user text with its http(s) links made clickable. Nothing is ever injected as HTML; any other
 * scheme (javascript:, data:, …) stays text.
 */
const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi

export function Linkified({ text }: { text: string }) {
  const parts: Array<string | { href: string }> = []
  let last = 0
  for (const m of text.matchAll(URL_RE)) {
    const href = safeHttpUrl(m[0])
    if (!href) continue
    if (m.index! > last) parts.push(text.slice(last, m.index))
    parts.push({ href })
    last = m.index! + m[0].length
  }
  if (last < text.length) parts.push(text.slice(last))
  return <>{parts.map((p, i) => (typeof p === 'string' ? p : <a key={i} href={p.href} target="_blank" rel="noopener noreferrer nofollow" onPointerDown={(e) => e.stopPropagation()}>{p.href}</a>))}</>
}

export function safeHttpUrl(candidate: string): string | null {
  try {
    const url = new URL(candidate)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}
