/**
 * The synthesis as a PDF: A4, DejaVu Sans embedded (so accents and œ ’ « » render and copy out right),
 * headings, bullet lists with a hanging indent, bold/italic runs, page numbers, title and language metadata,
 * and optionally tablecloth images appended one per page with a caption.
 */
import PDFDocument from 'pdfkit'
import type { Block, Inline } from '../../shared/markdown'
import { startsWithTitle } from '../../shared/markdown'
import { fontBuffer, fontStyleOf, type FontStyle } from './fonts'

export interface PdfInput {
  title: string
  language: 'fr' | 'en'
  blocks: Block[]
  images?: Array<{ caption: string; png: Buffer }>
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

/** Writes runs of mixed bold/italic as one flowing paragraph at (x, current y). */
/**
 * pdfkit's line breaking is quadratic in the length of a word: a pasted 20,000-character link would hold
 * the server for seconds. Zero-width spaces every 40 characters give it places to break.
 */
const breakable = (text: string): string => text.replace(/[^\s\u200B]{40}(?=[^\s])/g, '$&\u200B')

function richText(doc: Doc, content: Inline[], x: number, width: number, size: number, opts: { bold?: boolean; color?: string } = {}): void {
  const runs = content.filter((r) => r.text !== '').map((r) => ({ ...r, text: breakable(r.text) }))
  if (runs.length === 0) return
  doc.fillColor(opts.color ?? BODY.color).fontSize(size)
  runs.forEach((run, i) => {
    const options = { width, lineGap: BODY.lineGap, continued: i < runs.length - 1 }
    doc.font(fontStyleOf(run.bold || opts.bold, run.italic))
    if (i === 0) doc.text(run.text, x, doc.y, options)
    else doc.text(run.text, options)
  })
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

function blocksToPdf(doc: Doc, blocks: Block[], first: boolean): void {
  const left = doc.page.margins.left
  for (const block of blocks) {
    if (block.type === 'heading') {
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
    doc.image(image.png, left, doc.y, { fit: [width, height], align: 'center' })
  }
}

function pageNumbers(doc: Doc, title: string): void {
  const range = doc.bufferedPageRange()
  doc.font('regular').fontSize(FOOTER_SIZE)
  let footerTitle = title.replace(/\s+/g, ' ')
  const room = contentWidth(doc) - 60
  while (footerTitle && doc.widthOfString(`${footerTitle}\u2026`) > room) footerTitle = Array.from(footerTitle).slice(0, -1).join('')
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
    doc.text(footerTitle, margins.left, y, { width: width - 60, align: 'left', lineBreak: false })
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
  blocksToPdf(doc, hasTitle ? input.blocks.slice(1) : input.blocks, true)
  if (input.images?.length) await images(doc, input.images)
  pageNumbers(doc, input.title)
  doc.end()
  return done
}
