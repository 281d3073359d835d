/**
 * The synthesis as a Word document: real heading styles, bold/italic runs and bullet lists, so it can be
 * edited, outlined and restyled in Word or LibreOffice. Text only ever goes in as text runs (docx escapes XML).
 */
import { AlignmentType, Document, HeadingLevel, ImageRun, LevelFormat, Packer, Paragraph, TextRun } from 'docx'
import type { Block, Inline } from '../../shared/markdown'
import { startsWithTitle } from '../../shared/markdown'
import type { ExportImage } from './exportImages'
import { fitInto } from './exportImages'

/** Characters XML 1.0 forbids (a pasted vertical tab, other controls): Word refuses a file with them. */
const xmlSafe = (text: string): string => text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')

export interface DocxInput {
  title: string
  language: 'fr' | 'en'
  blocks: Block[]
  /** The files the synthesis's image blocks may name, by path; a block naming another path shows its caption. */
  images?: ReadonlyMap<string, ExportImage>
  /** Pictures after the synthesis (final tablecloths, photos), under a heading of their own. */
  appendix?: { title: string; images: readonly ExportImage[] }
}

/** A4 with the default margins leaves 6.27 in: 600 px at 96 dpi. Tall pictures stop at 800 px. */
const IMAGE_BOX = { width: 600, height: 800 } as const

export const DOCX_LANGUAGE = { fr: 'fr-FR', en: 'en-GB' } as const

const HEADINGS = [
  HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3,
  HeadingLevel.HEADING_4, HeadingLevel.HEADING_5, HeadingLevel.HEADING_6,
] as const

const BULLETS = 'nappe-bullets'

/** Heading styles: bold, kept with the next paragraph, and outline levels so Word's navigation pane lists them. */
const HEADING_SIZES = [32, 28, 24, 22, 22, 22] as const // half-points
const headingStyle = (level: number) => ({
  run: { bold: true, size: HEADING_SIZES[level]!, color: level < 2 ? '1E3A8A' : '1F2937', ...(level >= 4 ? { italics: true } : {}) },
  paragraph: { keepNext: true, keepLines: true, outlineLevel: level, spacing: { before: level < 2 ? 360 : 240, after: 120 } },
})

function runs(content: Inline[]): TextRun[] {
  // Only ever `true`: an explicit bold=false would override the heading styles' own bold.
  return content.map((i) => new TextRun({ text: xmlSafe(i.text), ...(i.bold ? { bold: true } : {}), ...(i.italic ? { italics: true } : {}) }))
}

/** A picture on its own paragraph, fitted to the page, with its caption as alt text and below it. */
function picture(image: ExportImage): Paragraph[] {
  const size = fitInto(image, IMAGE_BOX.width, IMAGE_BOX.height, 1)
  return [
    new Paragraph({
      keepNext: true,
      alignment: AlignmentType.CENTER,
      children: [new ImageRun({
        type: image.type === 'image/png' ? 'png' : 'jpg',
        data: image.data,
        transformation: size,
        altText: { name: xmlSafe(image.path), title: xmlSafe(image.caption), description: xmlSafe(image.caption) },
      })],
    }),
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 240 }, children: [new TextRun({ text: xmlSafe(image.caption), italics: true, size: 20 })] }),
  ]
}

function paragraphs(blocks: Block[], images: ReadonlyMap<string, ExportImage>): Paragraph[] {
  const out: Paragraph[] = []
  for (const block of blocks) {
    if (block.type === 'image') {
      const image = images.get(block.path)
      if (image) out.push(...picture({ ...image, caption: block.alt || image.caption }))
      else out.push(new Paragraph({ children: [new TextRun({ text: xmlSafe(block.alt || block.path), italics: true })], spacing: { after: 120 } }))
      continue
    }
    if (block.type === 'heading') {
      out.push(new Paragraph({ heading: HEADINGS[block.level - 1], children: runs(block.content) }))
    } else if (block.type === 'paragraph') {
      out.push(new Paragraph({ children: runs(block.content), spacing: { after: 120 } }))
    } else {
      for (const item of block.items) {
        out.push(new Paragraph({ numbering: { reference: BULLETS, level: 0 }, children: runs(item), spacing: { after: 60 } }))
      }
    }
  }
  return out
}

export async function renderDocx(doc: DocxInput): Promise<Buffer> {
  const lang = DOCX_LANGUAGE[doc.language]
  const children = paragraphs(doc.blocks, doc.images ?? new Map())
  if (doc.appendix && doc.appendix.images.length > 0) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, pageBreakBefore: true, children: [new TextRun({ text: xmlSafe(doc.appendix.title) })] }))
    for (const image of doc.appendix.images) children.push(...picture(image))
  }
  if (!startsWithTitle(doc.blocks, doc.title)) {
    children.unshift(new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun({ text: xmlSafe(doc.title) })] }))
  }
  const document = new Document({
    title: doc.title,
    creator: 'Nappe',
    lastModifiedBy: 'Nappe',
    styles: {
      default: {
        document: { run: { font: 'Calibri', size: 22, language: { value: lang } } },
        title: { run: { bold: true, size: 44, color: '1E3A8A' }, paragraph: { spacing: { after: 240 } } },
        heading1: headingStyle(0), heading2: headingStyle(1), heading3: headingStyle(2),
        heading4: headingStyle(3), heading5: headingStyle(4), heading6: headingStyle(5),
      },
    },
    numbering: {
      config: [{
        reference: BULLETS,
        levels: [{
          level: 0,
          format: LevelFormat.BULLET,
          text: '\u2022',
          alignment: AlignmentType.LEFT,
          style: { paragraph: { indent: { left: 720, hanging: 360 } } },
        }],
      }],
    },
    sections: [{ children }],
  })
  return Packer.toBuffer(document)
}
