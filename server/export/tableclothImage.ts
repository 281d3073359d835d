/**
 * A tablecloth as a standalone image: an SVG drawn like the app (sticky notes, free text, freehand strokes
 * in their round's ink), cropped to what was written, under a header band with the title; and its PNG.
 *
 * Every piece of user text goes through `xml()`, colours must look like colours, and nothing refers to
 * anything outside the file (no href, no url(), no foreignObject), so hostile notes stay plain text.
 */
import { Resvg, renderAsync } from '@resvg/resvg-js'
import type { ResvgRenderOptions } from '@resvg/resvg-js'
import { getStroke } from 'perfect-freehand'
import type { TableclothItem } from '../../shared/tablecloth'
import { DEJAVU_FAMILY, DEJAVU_SANS_FILES, FALLBACK_FACES, FALLBACK_FONTS, faceFamily, fontRuns, graphemesOf, textWidth, type FontStyle } from './fonts'

/** Copied from client/src/tablecloth/inks.ts (the server never imports client code). */
const ROUND_INKS = [
  { inks: ['#1d4ed8', '#0e7490', '#1e293b'], note: '#fde68a' },
  { inks: ['#b91c1c', '#c2410c', '#7c2d12'], note: '#bbf7d0' },
  { inks: ['#15803d', '#4d7c0f', '#064e3b'], note: '#bfdbfe' },
  { inks: ['#7e22ce', '#a21caf', '#4c1d95'], note: '#fbcfe8' },
  { inks: ['#92400e', '#a16207', '#451a03'], note: '#fed7aa' },
] as const
const inkFamily = (round: number) => ROUND_INKS[(Math.max(1, Math.floor(round) || 1) - 1) % ROUND_INKS.length]!
const NOTE = { width: 200, height: 150, fontSize: 19, lineHeight: 1.25, pad: 8, top: 12 } as const

const MARGIN = 40
const MIN_WIDTH = 640
const EMPTY_HEIGHT = 240
const TITLE_SIZE = 26
const SUBTITLE_SIZE = 15
const CLOTH = '#f6f1e7'
const BAND = '#1f2937'

/** Strict XML escape for text content and attribute values. */
export function xml(text: string): string {
  return text
    // Characters XML 1.0 forbids (C0 controls except tab/newline/CR, lone surrogates, U+FFFE/U+FFFF).
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

/** Only #rgb(a) / #rrggbb(aa) or a plain colour name: never url(…) or anything that could reach out. */
const colour = (value: string, fallback: string) => (/^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(value) || /^[a-z]{3,20}$/i.test(value) ? value : fallback)
const finite = (n: number, fallback = 0) => (Number.isFinite(n) ? n : fallback)
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, finite(n, lo)))
const f1 = (n: number) => (Math.round(n * 10) / 10).toString()

/** Same outline as the app (client/src/tablecloth/ItemsLayer.tsx `strokePath`), as absolute outline points. */
function strokeOutline(flat: readonly number[], width: number): number[][] {
  const points: number[][] = []
  for (let i = 0; i + 2 < flat.length; i += 3) points.push([finite(flat[i]!), finite(flat[i + 1]!), clamp(flat[i + 2]!, 0, 1)])
  if (points.length === 1) points.push([points[0]![0]! + 0.5, points[0]![1]! + 0.5, points[0]![2]!])
  return getStroke(points, { size: width, thinning: 0.55, smoothing: 0.5, streamline: 0.4, simulatePressure: points.every((p) => p[2] === 0.5), last: true })
}

function outlinePath(outline: number[][]): string {
  if (outline.length === 0) return ''
  const d: string[] = ['M', f1(outline[0]![0]!), f1(outline[0]![1]!), 'Q']
  for (let i = 0; i < outline.length; i++) {
    const [x0, y0] = outline[i]!
    const [x1, y1] = outline[(i + 1) % outline.length]!
    d.push(f1(x0!), f1(y0!), f1((x0! + x1!) / 2), f1((y0! + y1!) / 2))
  }
  d.push('Z')
  return d.join(' ')
}

/** Words, with French spaced punctuation kept on the word it belongs to (no line starting with "?" or "»"). */
function frenchWords(paragraph: string): string[] {
  const words: string[] = []
  let glueNext = false
  for (const word of paragraph.split(/[ \t]+/).filter(Boolean)) {
    if (words.length > 0 && (glueNext || /^[:;!?»›]/.test(word))) words[words.length - 1] += ` ${word}`
    else words.push(word)
    glueNext = /[«‹]$/.test(word)
  }
  return words
}

/** Greedy wrap (newlines kept, over-long words broken anywhere); past `maxLines` the last line ends with "…". */
export function wrapText(text: string, width: number, size: number, style: FontStyle = 'regular', maxLines = Infinity): string[] {
  const fits = (s: string) => textWidth(s, size, style) <= width
  const lines: string[] = []
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let line = ''
    for (const word of frenchWords(paragraph)) {
      const candidate = line ? `${line} ${word}` : word
      if (fits(candidate)) { line = candidate; continue }
      if (line) lines.push(line)
      line = ''
      // Broken between grapheme clusters: never inside an emoji or between a letter and its accent.
      for (const ch of graphemesOf(word)) {
        if (line && !fits(line + ch)) { lines.push(line); line = '' }
        line += ch
      }
    }
    lines.push(line)
  }
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  if (lines.length <= maxLines) return lines
  const kept = lines.slice(0, maxLines)
  let last = kept[maxLines - 1]!
  while (last && !fits(`${last}\u2026`)) last = graphemesOf(last).slice(0, -1).join('')
  kept[maxLines - 1] = `${last.trimEnd()}\u2026`
  return kept
}

interface Drawn { svg: string; box: [number, number, number, number] }

/**
 * A line's text, what DejaVu Sans lacks in a tspan naming the fallback that has it (fonts.ts `fontRuns`, the
 * same cut as the width measures), so resvg draws emoji and other scripts with the fonts we ship. Each run
 * after the first starts at its own x (measured here): resvg shapes a text chunk with one font and patches
 * in the others, which loses emoji sequences (👩‍💻) mixed with other text; separate chunks keep them whole.
 */
function lineContent(line: string, x: number, size: number, style: FontStyle): string {
  let at = x
  return fontRuns(line, style).map((r, i) => {
    const start = i === 0 ? '' : ` x="${f1(at)}"`
    at += textWidth(r.text, size, style)
    if (r.face === 'dejavu') return i === 0 ? xml(r.text) : `<tspan${start}>${xml(r.text)}</tspan>`
    return `<tspan${start} font-family="${xml(faceFamily(r.face))}">${xml(r.text)}</tspan>`
  }).join('')
}

function textLines(lines: string[], x: number, y: number, size: number, lineHeight: number, attrs: string, style: FontStyle = 'regular'): string {
  // y is the top of the first line; the baseline sits ~0.8em below the top of the line box.
  return lines.map((line, i) => `<text x="${f1(x)}" y="${f1(y + i * lineHeight + (lineHeight - size) / 2 + size * 0.8)}" font-size="${f1(size)}" ${attrs}>${lineContent(line, x, size, style)}</text>`).join('')
}

function badges(item: TableclothItem, x: number, y: number, font: string): string {
  if (item.stars.length === 0 && item.votes <= 0) return ''
  let out = `<g transform="translate(${f1(x - 8)} ${f1(y - 8)})">`
  if (item.stars.length > 0) {
    out += `<g transform="translate(-34 0)"><circle r="15" fill="#facc15" stroke="#a16207"/><text text-anchor="middle" y="5" font-size="15" font-weight="bold" fill="#422006" font-family="${font}">\u2605${item.stars.length > 1 ? item.stars.length : ''}</text></g>`
  }
  if (item.votes > 0) out += `<g><circle r="15" fill="#dc2626"/><text text-anchor="middle" y="5" font-size="14" font-weight="bold" fill="#fff" font-family="${font}">${Math.floor(item.votes)}</text></g>`
  return `${out}</g>`
}

function drawItem(item: TableclothItem, font: string): Drawn | null {
  const x = finite(item.x), y = finite(item.y)
  const at = `transform="translate(${f1(x)} ${f1(y)})"`
  const family = inkFamily(item.round)
  if (item.kind === 'stroke') {
    const outline = strokeOutline(item.points, clamp(item.width, 0.5, 80))
    if (outline.length === 0) return null
    // Loops, not Math.min(...xs): a stroke of 100k points would overflow the stack.
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity]
    for (const p of outline) { x0 = Math.min(x0, p[0]!); y0 = Math.min(y0, p[1]!); x1 = Math.max(x1, p[0]!); y1 = Math.max(y1, p[1]!) }
    return {
      svg: `<g ${at}><path d="${outlinePath(outline)}" fill="${xml(colour(item.color, family.inks[0]))}"/></g>`,
      box: [x + x0, y + y0, x + x1, y + y1],
    }
  }
  if (item.kind === 'note') {
    const lineHeight = NOTE.fontSize * NOTE.lineHeight
    const maxLines = Math.floor((NOTE.height - NOTE.top - NOTE.pad) / lineHeight)
    const lines = wrapText(item.text, NOTE.width - 2 * NOTE.pad, NOTE.fontSize, 'regular', maxLines)
    const paper = colour(item.color, family.note)
    return {
      svg: `<g ${at}><rect x="1" y="3" width="${NOTE.width}" height="${NOTE.height}" rx="4" fill="#000" opacity="0.12"/>`
        + `<rect width="${NOTE.width}" height="${NOTE.height}" rx="4" fill="${xml(paper)}"/>`
        + `<rect width="${NOTE.width}" height="6" fill="${family.inks[0]}" opacity="0.7"/>`
        + textLines(lines, NOTE.pad, NOTE.top, NOTE.fontSize, lineHeight, `fill="${family.inks[2]}" font-family="${font}"`)
        + `${badges(item, NOTE.width, NOTE.height, font)}</g>`,
      box: [x, y, x + NOTE.width + 4, y + NOTE.height + 8],
    }
  }
  const size = clamp(item.size, 6, 160)
  // The app's width, widened (up to its 640 cap) when DejaVu Sans Bold needs more room than the app's estimate.
  let longest = 0
  for (const l of item.text.split(/\r\n|\r|\n/, 50)) longest = Math.max(longest, textWidth(l, size, 'bold'))
  const width = Math.max(160, Math.min(640, Math.max(item.text.length * size * 0.55 + 24, longest + 8)))
  const lineHeight = size * 1.2
  const lines = wrapText(item.text, width - 8, size, 'bold', 5)
  const height = Math.max(1, lines.length) * lineHeight
  return {
    svg: `<g ${at}>${textLines(lines, 0, 0, size, lineHeight, `fill="${xml(colour(item.color, family.inks[0]))}" font-weight="bold" font-family="${font}"`, 'bold')}`
      + `${badges(item, width, size * 1.6, font)}</g>`,
    box: [x, y, x + width, y + Math.max(height, size * 1.6 + 8)],
  }
}

export interface TableclothSvgOptions {
  title: string
  subtitle?: string
  fontFamily?: string
  /** Shown when nothing is on the tablecloth. */
  emptyText?: string
}

export function tableclothSvg(items: TableclothItem[], opts: TableclothSvgOptions): string {
  const font = xml(opts.fontFamily ?? DEJAVU_FAMILY)
  const drawn = items.map((item) => drawItem(item, font)).filter((d): d is Drawn => d !== null)
  const empty = drawn.length === 0
  const [minX, minY, maxX, maxY] = empty
    ? [0, 0, MIN_WIDTH - 2 * MARGIN, EMPTY_HEIGHT - 2 * MARGIN]
    : drawn.reduce<[number, number, number, number]>((b, d) => [Math.min(b[0], d.box[0]), Math.min(b[1], d.box[1]), Math.max(b[2], d.box[2]), Math.max(b[3], d.box[3])], [Infinity, Infinity, -Infinity, -Infinity])
  const width = Math.ceil(Math.max(MIN_WIDTH, maxX - minX + 2 * MARGIN))

  const titleLines = wrapText(opts.title, width - 2 * MARGIN, TITLE_SIZE, 'bold', 2)
  const subtitleLines = opts.subtitle ? wrapText(opts.subtitle, width - 2 * MARGIN, SUBTITLE_SIZE, 'regular', 2) : []
  const band = 24 + titleLines.length * TITLE_SIZE * 1.2 + (subtitleLines.length ? 6 + subtitleLines.length * SUBTITLE_SIZE * 1.3 : 0) + 20
  const height = Math.ceil(band + maxY - minY + 2 * MARGIN)
  const dx = MARGIN - minX, dy = band + MARGIN - minY

  const body = empty
    ? `<text x="${width / 2}" y="${f1(band + (height - band) / 2 + 7)}" text-anchor="middle" font-size="20" font-style="italic" fill="#5b6472" font-family="${font}">${xml(opts.emptyText ?? 'Nothing written on this tablecloth.')}</text>`
    : `<g transform="translate(${f1(dx)} ${f1(dy)})">${drawn.map((d) => d.svg).join('')}</g>`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="${CLOTH}"/>`,
    `<rect width="${width}" height="${f1(band)}" fill="${BAND}"/>`,
    textLines(titleLines, MARGIN, 24, TITLE_SIZE, TITLE_SIZE * 1.2, `font-weight="bold" fill="#ffffff" font-family="${font}"`, 'bold'),
    textLines(subtitleLines, MARGIN, 24 + titleLines.length * TITLE_SIZE * 1.2 + 6, SUBTITLE_SIZE, SUBTITLE_SIZE * 1.3, `fill="#d1d5db" font-family="${font}"`),
    body,
    '</svg>',
  ].join('\n')
}

/** Longest side of a PNG unless asked otherwise: a tablecloth dragged far away must not make a 100 MB image. */
const MAX_SIDE = 4096

/** The files of the fallback fonts an SVG names (resvg reads every file it is given, for every image: only those). */
export function fallbackFilesFor(svg: string): string[] {
  return FALLBACK_FACES.filter((face) => svg.includes(`font-family="${xml(FALLBACK_FONTS[face].family)}"`))
    .flatMap((face) => [FALLBACK_FONTS[face].regular, FALLBACK_FONTS[face].bold])
}

/** resvg options: our fonts only (accents right with no system fonts), at `width` or the natural size capped at MAX_SIDE. */
export function pngOptions(svg: string, width?: number): ResvgRenderOptions {
  const font = { loadSystemFonts: false, fontFiles: [...DEJAVU_SANS_FILES, ...fallbackFilesFor(svg)], defaultFontFamily: DEJAVU_FAMILY }
  // Our SVGs always carry their size on the root element. Whatever width is asked, neither side of the
  // PNG exceeds MAX_SIDE (an item dragged far away makes a very tall tablecloth).
  const m = /^<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/.exec(svg)
  const w = Math.max(1, Number(m?.[1] ?? MAX_SIDE)), h = Math.max(1, Number(m?.[2] ?? MAX_SIDE))
  width = Math.min(width ?? w, w * (MAX_SIDE / w), w * (MAX_SIDE / h))
  return { font, fitTo: { mode: 'width', value: Math.max(1, Math.round(width)) } }
}

/** A PNG of a tablecloth SVG, rendered on this thread (small images, tests). */
export function svgToPng(svg: string, opts: { width?: number } = {}): Buffer {
  return new Resvg(svg, pngOptions(svg, opts.width)).render().asPng()
}

/** The same, rendered on libuv's thread pool: exports of a whole café must not stall the live tables. */
export async function svgToPngAsync(svg: string, opts: { width?: number } = {}): Promise<Buffer> {
  return (await renderAsync(svg, pngOptions(svg, opts.width))).asPng()
}
