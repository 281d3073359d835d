/**
 * The fonts every export embeds, shipped by npm packages (never the system's): DejaVu Sans first (Latin,
 * Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic, many symbols), then fallbacks for what it lacks:
 * Noto Emoji (monochrome outlines: pdfkit cannot embed colour emoji), Noto Sans Hans (Chinese, Japanese
 * kana), Noto Sans KR (Korean), and Noto Sans Devanagari, Thai, Bengali, Tamil, Sinhala, Khmer and
 * Ethiopic. `fontRuns` splits a text into runs
 * by which font has its glyphs, one grapheme cluster (an emoji with its ZWJ, skin tone or variation
 * selector, a letter with its combining marks) never split across two fonts.
 * Also a tiny TrueType/OpenType metrics reader (cmap + hmtx) so the tablecloth image can wrap text without a browser.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export type FontStyle = 'regular' | 'bold' | 'oblique' | 'boldOblique'

const require = createRequire(import.meta.url)
const TTF_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf')
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))

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

/** The fallbacks, in the order they are tried. They have no italic: oblique text uses the upright face. */
export const FALLBACK_FACES = ['emoji', 'hans', 'korean', 'devanagari', 'thai', 'bengali', 'tamil', 'sinhala', 'khmer', 'ethiopic'] as const
export type FallbackFace = (typeof FALLBACK_FACES)[number]
export type Face = 'dejavu' | FallbackFace

/** `family`: the name resvg knows the font by (its typographic family). */
interface FallbackFont { family: string; regular: string; bold: string }
const emojiDir = () => packageDir('@expo-google-fonts/noto-emoji')
// These packages export only their index (dist/), with the fonts beside it.
const hansDir = () => join(dirname(require.resolve('@embedpdf/fonts-sc')), '..', 'fonts')
const koreanDir = () => join(dirname(require.resolve('@embedpdf/fonts-kr')), '..', 'fonts')
const devanagariDir = () => packageDir('@expo-google-fonts/noto-sans-devanagari')
const thaiDir = () => packageDir('@expo-google-fonts/noto-sans-thai')
/** A Noto Sans script font of @expo-google-fonts, regular and bold. */
const notoSans = (script: string): FallbackFont => {
  const dir = packageDir(`@expo-google-fonts/noto-sans-${script.toLowerCase()}`)
  return { family: `Noto Sans ${script}`, regular: join(dir, `400Regular/NotoSans${script}_400Regular.ttf`), bold: join(dir, `700Bold/NotoSans${script}_700Bold.ttf`) }
}

export const FALLBACK_FONTS: Readonly<Record<FallbackFace, FallbackFont>> = {
  emoji: { family: 'Noto Emoji', regular: join(emojiDir(), '400Regular/NotoEmoji_400Regular.ttf'), bold: join(emojiDir(), '700Bold/NotoEmoji_700Bold.ttf') },
  hans: { family: 'Noto Sans S Chinese', regular: join(hansDir(), 'NotoSansHans-Regular.otf'), bold: join(hansDir(), 'NotoSansHans-Bold.otf') },
  korean: { family: 'Noto Sans Korean', regular: join(koreanDir(), 'NotoSansKR-Regular.otf'), bold: join(koreanDir(), 'NotoSansKR-Bold.otf') },
  devanagari: { family: 'Noto Sans Devanagari', regular: join(devanagariDir(), '400Regular/NotoSansDevanagari_400Regular.ttf'), bold: join(devanagariDir(), '700Bold/NotoSansDevanagari_700Bold.ttf') },
  thai: { family: 'Noto Sans Thai', regular: join(thaiDir(), '400Regular/NotoSansThai_400Regular.ttf'), bold: join(thaiDir(), '700Bold/NotoSansThai_700Bold.ttf') },
  bengali: notoSans('Bengali'),
  tamil: notoSans('Tamil'),
  sinhala: notoSans('Sinhala'),
  khmer: notoSans('Khmer'),
  ethiopic: notoSans('Ethiopic'),
}

const isBold = (style: FontStyle) => style === 'bold' || style === 'boldOblique'

/** The file of a face in a style (fallbacks: regular or bold). */
export function fontFile(face: Face, style: FontStyle = 'regular'): string {
  if (face === 'dejavu') return DEJAVU_SANS[style]
  return isBold(style) ? FALLBACK_FONTS[face].bold : FALLBACK_FONTS[face].regular
}

/** The family name an SVG asks resvg for. */
export const faceFamily = (face: Face): string => (face === 'dejavu' ? DEJAVU_FAMILY : FALLBACK_FONTS[face].family)

const buffers = new Map<string, Buffer>()

/** A font file's bytes, read once per process. */
function fileBuffer(path: string): Buffer {
  let buf = buffers.get(path)
  if (!buf) { buf = readFileSync(path); buffers.set(path, buf) }
  return buf
}

/** The DejaVu Sans face's bytes, read once. */
export function fontBuffer(style: FontStyle = 'regular'): Buffer {
  return fileBuffer(DEJAVU_SANS[style])
}

/** Any face's bytes, read once. */
export function faceBuffer(face: Face, style: FontStyle = 'regular'): Buffer {
  return fileBuffer(fontFile(face, style))
}

interface Metrics {
  unitsPerEm: number
  /** hhea ascender, in font units: where pdfkit puts the baseline below the top of a line. */
  ascender: number
  glyph: (codePoint: number) => number
  advance: (codePoint: number) => number
}

/** Reads the advance widths of a TrueType/OpenType font (no kerning, no shaping: plenty for wrapping text). */
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
  const ascender = buf.readInt16BE(table('hhea') + 4)
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
      // Groups are sorted by start code: binary search (a CJK font has thousands).
      let lo = 0, hi = buf.readUInt32BE(format12 + 12) - 1
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        const at = format12 + 16 + mid * 12
        const start = buf.readUInt32BE(at), end = buf.readUInt32BE(at + 4)
        if (cp < start) hi = mid - 1
        else if (cp > end) lo = mid + 1
        else return buf.readUInt32BE(at + 8) + cp - start
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

  const glyphs = new Map<number, number>()
  const widths = new Map<number, number>()
  const glyph = (cp: number) => {
    let g = glyphs.get(cp)
    if (g === undefined) { g = glyphOf(cp); glyphs.set(cp, g) }
    return g
  }
  return {
    unitsPerEm,
    ascender,
    glyph,
    advance: (cp) => {
      let w = widths.get(cp)
      if (w === undefined) { w = advanceOf(glyph(cp)); widths.set(cp, w) }
      return w
    },
  }
}

const metrics = new Map<string, Metrics>()
function metricsOf(face: Face, style: FontStyle): Metrics {
  const path = fontFile(face, style)
  let m = metrics.get(path)
  if (!m) { m = readMetrics(fileBuffer(path)); metrics.set(path, m) }
  return m
}

/** Where the baseline sits below the top of a line, as a fraction of the font size. */
export const ascenderOf = (face: Face, style: FontStyle = 'regular'): number => {
  const m = metricsOf(face, style)
  return m.ascender / m.unitsPerEm
}

/** Whether the face has a glyph for the code point (DejaVu Sans by default). */
export function faceHasGlyph(face: Face, codePoint: number, style: FontStyle = 'regular'): boolean {
  return metricsOf(face, style).glyph(codePoint) !== 0
}

/** Whether DejaVu Sans has a glyph for the character (false: it would show as a box). */
export function hasGlyph(ch: string, style: FontStyle = 'regular'): boolean {
  return faceHasGlyph('dejavu', ch.codePointAt(0) ?? 0, style)
}

/**
 * A grapheme cluster, near enough for choosing fonts and breaking lines: a code point (or a pair of
 * regional indicators: a flag) with the marks, skin tones, tags and variation selectors that follow it,
 * and whatever a zero-width joiner ties on. (Intl.Segmenter does this by the book, but costs a hundred
 * times more, and wrapping a tablecloth's notes measures thousands of strings.)
 */
const CLUSTER = /(?:\p{Regional_Indicator}{2}|[^])(?:[\p{M}\u{1F3FB}-\u{1F3FF}\u{E0020}-\u{E007F}]|\u200D[^]?)*/gu

/** The grapheme clusters of a text: what a reader sees as one character. */
export function graphemesOf(text: string): string[] {
  return text.match(CLUSTER) ?? []
}

/**
 * Code points that need no glyph of their own: joiners, variation selectors, tags, skin tones (which
 * the emoji font folds into the emoji before them), the zero-width space.
 */
const IGNORABLE = /^[\u200B-\u200D\u2060\uFE00-\uFE0F\u{E0020}-\u{E007F}\u{E0100}-\u{E01EF}\u{1F3FB}-\u{1F3FF}]$/u
/** A cluster shown as an emoji: default emoji presentation, or asked for with VS16, a keycap, a flag. */
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}|\uFE0F|\u20E3|\p{Regional_Indicator}/u
const SCRIPTS: readonly Face[] = ['hans', 'korean', 'devanagari', 'thai', 'bengali', 'tamil', 'sinhala', 'khmer', 'ethiopic']
const FALLBACK_ORDER: readonly Face[] = ['dejavu', ...SCRIPTS, 'emoji']
const EMOJI_ORDER: readonly Face[] = ['emoji', 'dejavu', ...SCRIPTS]

/** Per style, for each BMP code point: 1 when DejaVu has it and it is no emoji (the common case), 2 when not, 0 not known yet. */
const plainBmp = new Map<FontStyle, Uint8Array>()
/** Whether the code point is set in DejaVu whatever surrounds it (controls count as plain). */
function plain(cp: number, style: FontStyle): boolean {
  if (cp > 0xffff) return false
  let table = plainBmp.get(style)
  if (!table) { table = new Uint8Array(0x10000); plainBmp.set(style, table) }
  if (table[cp] === 0) {
    const ok = cp < 0x20 || (faceHasGlyph('dejavu', cp, style) && !(cp > 0x2000 && EMOJI_PRESENTATION.test(String.fromCharCode(cp))))
    table[cp] = ok ? 1 : 2
  }
  return table[cp] === 1
}

const faces = new Map<string, Face>()
/** The face a grapheme cluster is set in: the first (emoji font first for emoji) that has all its glyphs. */
export function faceOf(cluster: string, style: FontStyle = 'regular'): Face {
  const first = cluster.codePointAt(0) ?? 0
  // Fast path: one code point DejaVu has, not an emoji.
  if (cluster.length === 1 && plain(first, style)) return 'dejavu'
  const key = `${style}|${cluster}`
  let face = faces.get(key)
  if (face === undefined) {
    face = chooseFace(cluster, first, style)
    if (faces.size >= 10_000) faces.clear() // hostile text must not grow it without bound
    faces.set(key, face)
  }
  return face
}

function chooseFace(cluster: string, first: number, style: FontStyle): Face {
  const needed: number[] = []
  for (const ch of cluster) if (!IGNORABLE.test(ch) || needed.length === 0) needed.push(ch.codePointAt(0)!)
  const order = EMOJI_PRESENTATION.test(cluster) ? EMOJI_ORDER : FALLBACK_ORDER
  for (const face of order) if (needed.every((cp) => faceHasGlyph(face, cp, style))) return face
  // None has all of it: the one with its first character, else DejaVu (a box, as before).
  return order.find((face) => faceHasGlyph(face, first, style)) ?? 'dejavu'
}

export interface FontRun { face: Face; text: string }

/**
 * A text cut into runs of one face each. Spaces and line breaks stay in the run they follow when its
 * face has them (DejaVu's after an emoji), so runs are not cut more often than needed.
 */
export function fontRuns(text: string, style: FontStyle = 'regular'): FontRun[] {
  const runs: FontRun[] = []
  if (isPlain(text, style)) return text === '' ? [] : [{ face: 'dejavu', text }]
  for (const cluster of graphemesOf(text)) {
    const last = runs[runs.length - 1]
    const blank = /^[\s]+$/.test(cluster)
    // (Not an emoji run: the emoji font's space is an emoji wide.)
    const keep = blank && last && last.face !== 'emoji' && (cluster.codePointAt(0)! < 0x20 || faceHasGlyph(last.face, cluster.codePointAt(0)!, style))
    const face = keep ? last.face : blank ? 'dejavu' : faceOf(cluster, style)
    if (last && last.face === face) last.text += cluster
    else runs.push({ face, text: cluster })
  }
  return runs
}

/** Whether all of the text is set in DejaVu (no emoji, nothing it lacks): then no cutting is needed. */
function isPlain(text: string, style: FontStyle): boolean {
  for (let i = 0; i < text.length; i++) if (!plain(text.charCodeAt(i), style)) return false
  return true
}

/** Width of `text` at `size` (same units as size), each cluster measured in the face it is set in. */
export function textWidth(text: string, size: number, style: FontStyle = 'regular'): number {
  if (isPlain(text, style)) {
    const m = metricsOf('dejavu', style)
    let units = 0
    for (let i = 0; i < text.length; i++) units += m.advance(text.charCodeAt(i))
    return (units * size) / m.unitsPerEm
  }
  let width = 0
  for (const run of fontRuns(text, style)) {
    const m = metricsOf(run.face, style)
    let units = 0
    // An emoji sequence (with its joiners, skin tone, second flag letter) is one glyph wide; elsewhere every
    // code point counts (marks have no advance; conjuncts come out a little wide, never too narrow).
    if (run.face === 'emoji') for (const cluster of graphemesOf(run.text)) units += m.advance(cluster.codePointAt(0)!)
    else for (const ch of run.text) units += m.advance(ch.codePointAt(0)!)
    width += (units * size) / m.unitsPerEm
  }
  return width
}
