/**
 * DejaVu Sans, embedded in every export so accents, œ, ’, « » render the same everywhere with no system fonts.
 * Also a tiny TrueType metrics reader (cmap + hmtx) so the tablecloth image can wrap text without a browser.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export type FontStyle = 'regular' | 'bold' | 'oblique' | 'boldOblique'

const require = createRequire(import.meta.url)
const TTF_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf')

export const DEJAVU_FAMILY = 'DejaVu Sans'

/** Absolute paths of the four DejaVu Sans faces. */
export const DEJAVU_SANS: Readonly<Record<FontStyle, string>> = {
  regular: join(TTF_DIR, 'DejaVuSans.ttf'),
  bold: join(TTF_DIR, 'DejaVuSans-Bold.ttf'),
  oblique: join(TTF_DIR, 'DejaVuSans-Oblique.ttf'),
  boldOblique: join(TTF_DIR, 'DejaVuSans-BoldOblique.ttf'),
}

export const DEJAVU_SANS_FILES: readonly string[] = Object.values(DEJAVU_SANS)

export const fontStyleOf = (bold?: boolean, italic?: boolean): FontStyle =>
  bold ? (italic ? 'boldOblique' : 'bold') : italic ? 'oblique' : 'regular'

const buffers = new Map<FontStyle, Buffer>()

/** The font file's bytes, read once. */
export function fontBuffer(style: FontStyle = 'regular'): Buffer {
  let buf = buffers.get(style)
  if (!buf) { buf = readFileSync(DEJAVU_SANS[style]); buffers.set(style, buf) }
  return buf
}

interface Metrics { unitsPerEm: number; glyph: (codePoint: number) => number; advance: (codePoint: number) => number }

/** Reads the advance widths of a TrueType font (no kerning, no shaping: plenty for wrapping text). */
function readMetrics(buf: Buffer): Metrics {
  const tables = new Map<string, number>()
  const numTables = buf.readUInt16BE(4)
  for (let i = 0; i < numTables; i++) {
    const at = 12 + i * 16
    tables.set(buf.toString('latin1', at, at + 4), buf.readUInt32BE(at + 8))
  }
  const table = (tag: string) => {
    const offset = tables.get(tag)
    if (offset === undefined) throw new Error(`font has no ${tag} table`)
    return offset
  }
  const unitsPerEm = buf.readUInt16BE(table('head') + 18)
  const numberOfHMetrics = buf.readUInt16BE(table('hhea') + 34)
  const hmtx = table('hmtx')
  const advanceOf = (glyph: number) => buf.readUInt16BE(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1))

  const cmap = table('cmap')
  let format4 = -1, format12 = -1
  for (let i = 0; i < buf.readUInt16BE(cmap + 2); i++) {
    const at = cmap + 4 + i * 8
    const platform = buf.readUInt16BE(at), encoding = buf.readUInt16BE(at + 2)
    const sub = cmap + buf.readUInt32BE(at + 4)
    const format = buf.readUInt16BE(sub)
    if (format === 12 && (platform === 3 || platform === 0)) format12 = sub
    if (format === 4 && ((platform === 3 && encoding === 1) || platform === 0)) format4 = sub
  }

  const glyphOf = (cp: number): number => {
    if (format12 >= 0) {
      const groups = buf.readUInt32BE(format12 + 12)
      for (let g = 0; g < groups; g++) {
        const at = format12 + 16 + g * 12
        const start = buf.readUInt32BE(at), end = buf.readUInt32BE(at + 4)
        if (cp >= start && cp <= end) return buf.readUInt32BE(at + 8) + cp - start
      }
      return 0
    }
    if (format4 < 0 || cp > 0xffff) return 0
    const segX2 = buf.readUInt16BE(format4 + 6)
    const ends = format4 + 14, starts = ends + segX2 + 2, deltas = starts + segX2, ranges = deltas + segX2
    for (let s = 0; s < segX2; s += 2) {
      if (cp > buf.readUInt16BE(ends + s)) continue
      const start = buf.readUInt16BE(starts + s)
      if (cp < start) return 0
      const delta = buf.readInt16BE(deltas + s), range = buf.readUInt16BE(ranges + s)
      if (range === 0) return (cp + delta) & 0xffff
      const glyph = buf.readUInt16BE(ranges + s + range + 2 * (cp - start))
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff
    }
    return 0
  }

  const cache = new Map<number, number>()
  return {
    unitsPerEm,
    glyph: glyphOf,
    advance: (cp) => {
      let w = cache.get(cp)
      if (w === undefined) { w = advanceOf(glyphOf(cp)); cache.set(cp, w) }
      return w
    },
  }
}

const metrics = new Map<FontStyle, Metrics>()
function metricsOf(style: FontStyle): Metrics {
  let m = metrics.get(style)
  if (!m) { m = readMetrics(fontBuffer(style)); metrics.set(style, m) }
  return m
}

/** Width of `text` set in DejaVu Sans at `size` (same units as size). */
export function textWidth(text: string, size: number, style: FontStyle = 'regular'): number {
  const m = metricsOf(style)
  let units = 0
  for (const ch of text) units += m.advance(ch.codePointAt(0)!)
  return (units * size) / m.unitsPerEm
}

/** Whether DejaVu Sans has a glyph for the character (false: it would show as a box). */
export function hasGlyph(ch: string, style: FontStyle = 'regular'): boolean {
  return metricsOf(style).glyph(ch.codePointAt(0) ?? 0) !== 0
}
