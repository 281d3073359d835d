/**
 * The synthesis as a Word document: real heading styles, bold/italic runs and bullet lists, so it can be
 * edited, outlined and restyled in Word or LibreOffice. Text only ever goes in as text runs (docx escapes XML).
 */
import { AlignmentType, Document, HeadingLevel, LevelFormat, Packer, Paragraph, TextRun } from 'docx'
import type { Block, Inline } from '../../shared/markdown'
import { startsWithTitle } from '../../shared/markdown'

/** Characters XML 1.0 forbids (a pasted vertical tab, other controls): Word refuses a file with them. */
const xmlSafe = (text: string): string => text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')

export interface DocxInput { title: string; language: 'fr' | 'en'; blocks: Block[] }

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

function paragraphs(blocks: Block[]): Paragraph[] {
  const out: Paragraph[] = []
  for (const block of blocks) {
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
  const children = paragraphs(doc.blocks)
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
