/**
 * The synthesis as a PDF: A4, DejaVu Sans embedded (so accents and œ ’ « » render and copy out right),
 * headings, bullet lists with a hanging indent, bold/italic runs, page numbers, title and language metadata,
 * and optionally tablecloth images appended one per page with a caption.
 */
import PDFDocument from 'pdfkit'
import type { Block, Inline } from '../../shared/markdown'
import { startsWithTitle } from '../../shared/markdown'
import { ascenderOf, faceBuffer, fontBuffer, fontRuns, fontStyleOf, graphemesOf, textWidth, type Face, type FontStyle } from './fonts'
import type { ExportImage } from './exportImages'
import { fitInto } from './exportImages'

export interface PdfInput {
  title: string
  language: 'fr' | 'en'
  blocks: Block[]
  /** Pictures appended one per page (JPEG or PNG bytes, despite the name). */
  images?: Array<{ caption: string; png: Buffer | Uint8Array }>
  /** The files the synthesis's image blocks may name, by path; a block naming another path shows its caption. */
  files?: ReadonlyMap<string, ExportImage>
  /** Fixes the creation date (and so the file id): the same input then gives the same bytes. */
  creationDate?: Date
}

export const PDF_LANGUAGE = { fr: 'fr-FR', en: 'en-GB' } as const

const MARGIN = { top: 64, bottom: 72, left: 64, right: 64 }
const BODY = { size: 11, lineGap: 3, color: '#111827' }
const HEADING_SIZE = [20, 16, 13.5, 12, 11, 11] as const
const TITLE_SIZE = 24
const BULLET_INDENT = 18
const FOOTER_SIZE = 9

type Doc = PDFKit.PDFDocument

const STYLES: FontStyle[] = ['regular', 'bold', 'oblique', 'boldOblique']

function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right
}

/** Starts a new page unless `height` points still fit above the bottom margin. */
function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage()
}

/**
 * pdfkit's line breaking is quadratic in the length of a word: a pasted 20,000-character link would hold
 * the server for seconds. Zero-width spaces every 40 characters (grapheme clusters, so never inside an
 * emoji or between a letter and its accent) give it places to break.
 */
function breakable(text: string): string {
  if (!/[^\s\u200B]{41}/.test(text)) return text
  let out = '', run = 0
  for (const g of graphemesOf(text)) {
    if (/^[\s\u200B]+$/.test(g)) run = 0
    else if (run++ === 40) { out += '\u200B'; run = 1 }
    out += g
  }
  return out
}

/**
 * Selects the face (DejaVu Sans, or a fallback from fonts.ts, registered with this document the first time
 * it is needed: only the fonts a document uses are read and embedded). Fallbacks have no italic.
 */
function useFont(doc: Doc, face: Face, style: FontStyle): void {
  if (face === 'dejavu') { doc.font(style); return }
  const name = `${face}-${style === 'bold' || style === 'boldOblique' ? 'bold' : 'regular'}`
  const registered = fallbacksOf.get(doc) ?? new Set<string>()
  fallbacksOf.set(doc, registered)
  if (!registered.has(name)) { doc.registerFont(name, faceBuffer(face, style)); registered.add(name) }
  doc.font(name)
}
const fallbacksOf = new WeakMap<Doc, Set<string>>()

/**
 * pdfkit places each piece's baseline at its own font's ascender and advances each line by its own font's
 * height: a fallback piece gets DejaVu's baseline and a line gap that makes its line as tall as DejaVu's.
 */
function alignTo(doc: Doc, face: Face, style: FontStyle, size: number, lineGap: number): { baseline: number; lineGap: number } {
  doc.font(style)
  const reference = doc.currentLineHeight(true)
  useFont(doc, face, style)
  return { baseline: -ascenderOf('dejavu', style) * size, lineGap: lineGap + reference - doc.currentLineHeight(true) }
}

/** Writes runs of mixed bold/italic as one flowing paragraph at (x, current y), each piece in a face that has its characters. */
function richText(doc: Doc, content: Inline[], x: number, width: number, size: number, opts: { bold?: boolean; color?: string } = {}): void {
  const pieces: Array<{ text: string; face: Face; style: FontStyle }> = []
  for (const r of content) {
    if (r.text === '') continue
    const style = fontStyleOf(r.bold || opts.bold, r.italic)
    for (const run of fontRuns(breakable(r.text), style)) pieces.push({ ...run, style })
  }
  if (pieces.length === 0) return
  doc.fillColor(opts.color ?? BODY.color).fontSize(size)
  pieces.forEach((piece, i) => {
    const options = { width, continued: i < pieces.length - 1, ...alignTo(doc, piece.face, piece.style, size, BODY.lineGap) }
    if (i === 0) doc.text(piece.text, x, doc.y, options)
    else doc.text(piece.text, options)
  })
}

/** One line at (x, y) that never wraps, each piece in a face that has its characters. */
function lineOfText(doc: Doc, text: string, x: number, y: number, size: number): void {
  for (const run of fontRuns(text)) {
    doc.fontSize(size)
    const options = { lineBreak: false, ...alignTo(doc, run.face, 'regular', size, 0) }
    doc.text(run.text, x, y, options)
    x += doc.widthOfString(run.text)
  }
}

function heading(doc: Doc, content: Inline[], level: number, first: boolean): void {
  const size = HEADING_SIZE[level - 1] ?? BODY.size
  // Keep a heading with at least two lines of what follows it.
  ensureSpace(doc, size * 1.6 + (BODY.size + BODY.lineGap) * 3)
  if (!first) doc.moveDown(level <= 2 ? 0.9 : 0.6)
  const color = level <= 2 ? '#1e3a8a' : BODY.color
  const italic = level >= 5
  richText(doc, content.map((c) => ({ ...c, italic: c.italic || italic })), doc.page.margins.left, contentWidth(doc), size, { bold: true, color })
  doc.moveDown(0.35)
}

/** Tallest picture inside the synthesis: about half a page, so that its text flows around it. */
const INLINE_IMAGE_MAX_HEIGHT = 420

/** A picture inside the synthesis, centred and fitted to the text width, its caption below; or the caption alone. */
function inlineImage(doc: Doc, alt: string, image: ExportImage | undefined): void {
  const left = doc.page.margins.left
  const width = contentWidth(doc)
  if (!image) {
    ensureSpace(doc, BODY.size * 2)
    richText(doc, [{ text: alt, italic: true }], left, width, BODY.size)
    doc.moveDown(0.6)
    return
  }
  const size = fitInto(image, width, INLINE_IMAGE_MAX_HEIGHT, 1)
  ensureSpace(doc, size.height + BODY.size * 3)
  const top = doc.y
  doc.image(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), left + (width - size.width) / 2, top, { width: size.width, height: size.height })
  doc.y = top + size.height + 4
  richText(doc, [{ text: alt || image.caption, italic: true }], left, width, BODY.size - 1, { color: '#4b5563' })
  doc.x = left
  doc.moveDown(0.8)
}

function blocksToPdf(doc: Doc, blocks: Block[], first: boolean, files: ReadonlyMap<string, ExportImage> = new Map()): void {
  const left = doc.page.margins.left
  for (const block of blocks) {
    if (block.type === 'image') {
      inlineImage(doc, block.alt, files.get(block.path))
    } else if (block.type === 'heading') {
      heading(doc, block.content, block.level, first)
    } else if (block.type === 'paragraph') {
      ensureSpace(doc, BODY.size * 2)
      richText(doc, block.content, left, contentWidth(doc), BODY.size)
      doc.moveDown(0.6)
    } else {
      for (const item of block.items) {
        ensureSpace(doc, BODY.size * 1.5)
        const y = doc.y
        doc.font('regular').fontSize(BODY.size).fillColor(BODY.color).text('\u2022', left + 4, y, { lineBreak: false })
        doc.y = y
        richText(doc, item, left + BULLET_INDENT, contentWidth(doc) - BULLET_INDENT, BODY.size)
        doc.moveDown(0.25)
      }
      doc.x = left
      doc.moveDown(0.4)
    }
    first = false
  }
}

/** One image per page; the event loop gets a turn between images (decoding a PNG takes tens of ms). */
async function images(doc: Doc, list: NonNullable<PdfInput['images']>): Promise<void> {
  for (const image of list) {
    await new Promise((resolve) => setImmediate(resolve))
    doc.addPage()
    const left = doc.page.margins.left
    const width = contentWidth(doc)
    richText(doc, [{ text: image.caption }], left, width, HEADING_SIZE[2], { bold: true })
    doc.moveDown(0.5)
    const height = doc.page.height - doc.page.margins.bottom - doc.y
    const bytes = Buffer.isBuffer(image.png) ? image.png : Buffer.from(image.png.buffer, image.png.byteOffset, image.png.byteLength)
    doc.image(bytes, left, doc.y, { fit: [width, height], align: 'center' })
  }
}

function pageNumbers(doc: Doc, title: string): void {
  const range = doc.bufferedPageRange()
  doc.font('regular').fontSize(FOOTER_SIZE)
  let footerTitle = title.replace(/\s+/g, ' ')
  const room = contentWidth(doc) - 60
  while (footerTitle && textWidth(`${footerTitle}\u2026`, FOOTER_SIZE) > room) footerTitle = graphemesOf(footerTitle).slice(0, -1).join('')
  if (footerTitle !== title.replace(/\s+/g, ' ')) footerTitle = `${footerTitle.trimEnd()}\u2026`
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i)
    const { margins } = doc.page
    const bottom = margins.bottom
    margins.bottom = 0 // writing inside the bottom margin must not add a page
    const y = doc.page.height - bottom / 2 - FOOTER_SIZE / 2
    const width = contentWidth(doc)
    doc.font('regular').fontSize(FOOTER_SIZE).fillColor('#6b7280')
    doc.text(`${i + 1} / ${range.count}`, margins.left, y, { width, align: 'right', lineBreak: false })
    lineOfText(doc, footerTitle, margins.left, y, FOOTER_SIZE)
    margins.bottom = bottom
  }
}

export async function renderPdf(input: PdfInput): Promise<Buffer> {
  const info: PDFKit.DocumentInfo = { Title: input.title, Creator: 'Nappe', Producer: 'Nappe' }
  if (input.creationDate) { info.CreationDate = input.creationDate; info.ModDate = input.creationDate }
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    info,
    lang: PDF_LANGUAGE[input.language],
    displayTitle: true,
    bufferPages: true,
    pdfVersion: '1.7',
    // No default font: otherwise a standard-14 Helvetica is declared even if nothing uses it.
    font: null as unknown as string,
  })
  const chunks: Buffer[] = []
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  for (const style of STYLES) doc.registerFont(style, fontBuffer(style))
  doc.font('regular').fontSize(BODY.size)

  // The title opens the document, whether the Markdown starts with it as a level-1 heading or not.
  const first = input.blocks[0]
  const hasTitle = startsWithTitle(input.blocks, input.title) && first?.type === 'heading'
  const titleContent = hasTitle ? first.content : [{ text: input.title }]
  richText(doc, titleContent, doc.page.margins.left, contentWidth(doc), TITLE_SIZE, { bold: true, color: '#1e3a8a' })
  doc.moveDown(0.6)
  blocksToPdf(doc, hasTitle ? input.blocks.slice(1) : input.blocks, true, input.files)
  if (input.images?.length) await images(doc, input.images)
  pageNumbers(doc, input.title)
  doc.end()
  return done
}
