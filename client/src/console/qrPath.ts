/** A QR code as one SVG path, drawn in the browser: the facilitator's link never leaves the page. */
import QRCode from 'qrcode'

/** Modules of quiet zone around the code (the standard asks for 4; 2 is enough on a white card). */
export const QR_MARGIN = 2

export interface QrShape {
  /** Side of the square, in modules, quiet zone included. */
  size: number
  /** One `M x y h1 v1 h-1 z` square per dark module (runs of a row merged). */
  d: string
}

export function qrPath(text: string): QrShape {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const n = modules.size
  let d = ''
  for (let y = 0; y < n; y++) {
    let x = 0
    while (x < n) {
      if (!modules.get(y, x)) { x++; continue }
      const start = x
      while (x < n && modules.get(y, x)) x++
      d += `M${start + QR_MARGIN} ${y + QR_MARGIN}h${x - start}v1h${start - x}z`
    }
  }
  return { size: n + 2 * QR_MARGIN, d }
}
