import { useMemo } from 'react'
import { qrPath } from './qrPath'

/** A QR code built as SVG elements by React (no HTML injected, no request, no data: URL). */
export function QrCode({ text, label, size = 200, className = '' }: { text: string; label: string; size?: number; className?: string }) {
  const shape = useMemo(() => qrPath(text), [text])
  return (
    <svg className={`qr-code ${className}`.trim()} role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${shape.size} ${shape.size}`} shapeRendering="crispEdges" data-qr-text-length={text.length}>
      <rect width={shape.size} height={shape.size} fill="#fff" />
      <path d={shape.d} fill="#000" />
    </svg>
  )
}
