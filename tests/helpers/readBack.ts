/**
 * Reads exported documents back, for tests: the paragraphs of a .docx and the text of a PDF.
 * Deliberately small and dependency-light (fflate for the zip, regexes for WordprocessingML, pdfjs for PDF).
 */
import { strFromU8, unzipSync } from 'fflate'

export interface DocxRun { text: string; bold: boolean; italic: boolean }
export interface DocxParagraph {
  /** Paragraph style id (Heading1, Title, ListParagraph…), null when none is set. */
  style: string | null
  text: string
  /** One entry per run with text: whether that run is bold itself (w:b; bold inherited from the style, e.g. headings, not counted). */
  bold: boolean[]
  /** Whether the paragraph is numbered / bulleted (has w:numPr, directly or through its style). */
  list: boolean
  runs: DocxRun[]
}

const u8 = (buf: Buffer | Uint8Array) => (buf instanceof Uint8Array ? buf : new Uint8Array(buf))

/** Any part of a .docx (a zip), as text: word/document.xml by default. */
export function docxPart(buf: Buffer | Uint8Array, part: string): string {
  const files = unzipSync(u8(buf), { filter: (f) => f.name === part })
  const file = files[part]
  if (!file) throw new Error(`${part} is not in the document`)
  return strFromU8(file)
}

export function docxXml(buf: Buffer | Uint8Array): string {
  return docxPart(buf, 'word/document.xml')
}

export function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e === 'lt') return '<'
    if (e === 'gt') return '>'
    if (e === 'amp') return '&'
    if (e === 'quot') return '"'
    if (e === 'apos') return "'"
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
  })
}

/** Whether a toggle property (w:b, w:i) is on in some run properties. */
function toggle(props: string, name: string): boolean {
  const m = new RegExp(`<w:${name}(?:\\s+w:val="([^"]*)")?\\s*/>`).exec(props)
  return !!m && !['false', '0', 'off'].includes(m[1] ?? 'true')
}

function parseRun(xml: string): DocxRun {
  const props = /<w:rPr>([\s\S]*?)<\/w:rPr>/.exec(xml)?.[1] ?? ''
  let text = ''
  for (const m of xml.matchAll(/<w:t(?:\s[^>]*)?>([\s\S]*?)<\/w:t>|<w:(tab|br|cr)(?:\s[^>]*)?\/>/g)) {
    text += m[1] !== undefined ? decodeXml(m[1]) : m[2] === 'tab' ? '\t' : '\n'
  }
  return { text, bold: toggle(props, 'b'), italic: toggle(props, 'i') }
}

/** Paragraph style ids whose definition carries numbering (e.g. ListBullet), from word/styles.xml. */
function numberedStyles(buf: Buffer | Uint8Array): Set<string> {
  let xml = ''
  try { xml = docxPart(buf, 'word/styles.xml') } catch { return new Set() }
  const out = new Set<string>()
  for (const m of xml.matchAll(/<w:style\b[^>]*w:styleId="([^"]+)"[^>]*>([\s\S]*?)<\/w:style>/g)) {
    if (m[2]!.includes('<w:numPr>')) out.add(m[1]!)
  }
  return out
}

/** Every body paragraph, in order (paragraphs in tables included, in document order). */
export function docxParagraphs(buf: Buffer | Uint8Array): DocxParagraph[] {
  const xml = docxXml(buf)
  const listStyles = numberedStyles(buf)
  const out: DocxParagraph[] = []
  for (const m of xml.matchAll(/<w:p(?:\s[^>]*)?\/>|<w:p(?:\s[^>]*)?>([\s\S]*?)<\/w:p>/g)) {
    const body = m[1] ?? ''
    const pPr = /<w:pPr>([\s\S]*?)<\/w:pPr>/.exec(body)?.[1] ?? ''
    const style = /<w:pStyle\s+w:val="([^"]*)"/.exec(pPr)?.[1] ?? null
    const runs = [...body.matchAll(/<w:r(?:\s[^>]*)?>([\s\S]*?)<\/w:r>/g)].map((r) => parseRun(r[1]!)).filter((r) => r.text !== '')
    out.push({
      style,
      text: runs.map((r) => r.text).join(''),
      bold: runs.map((r) => r.bold),
      list: pPr.includes('<w:numPr>') || (style !== null && listStyles.has(style)),
      runs,
    })
  }
  return out
}

/** The text of every page, pages joined with a newline; a line break inside a page is a newline too. */
export async function pdfText(buf: Buffer | Uint8Array): Promise<string> {
  const pages = await pdfPages(buf)
  return pages.join('\n')
}

async function openPdf<T>(buf: Buffer | Uint8Array, use: (pdf: import('pdfjs-dist').PDFDocumentProxy) => Promise<T>): Promise<T> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
  // pdfjs keeps (and may detach) the buffer it is given: hand it a copy.
  const data = new Uint8Array(u8(buf))
  const pdf = await pdfjs.getDocument({ data, useWorkerFetch: false, isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise
  try {
    return await use(pdf)
  } finally {
    await pdf.destroy()
  }
}

/** The text of each page. */
export async function pdfPages(buf: Buffer | Uint8Array): Promise<string[]> {
  return openPdf(buf, async (pdf) => {
    const pages: string[] = []
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n)
      const content = await page.getTextContent()
      let text = ''
      for (const item of content.items) {
        if (!('str' in item)) continue
        text += item.str
        if (item.hasEOL) text += '\n'
      }
      pages.push(text.replace(/\n+$/, ''))
      page.cleanup()
    }
    return pages
  })
}

/** Document metadata: info-dictionary title, catalog language (/Lang), page count. */
export async function pdfInfo(buf: Buffer | Uint8Array): Promise<{ title: string | null; language: string | null; pages: number }> {
  return openPdf(buf, async (pdf) => {
    const { info } = await pdf.getMetadata()
    const dict = info as { Title?: unknown; Language?: unknown }
    return {
      title: typeof dict.Title === 'string' ? dict.Title : null,
      language: typeof dict.Language === 'string' ? dict.Language : null,
      pages: pdf.numPages,
    }
  })
}

export interface PdfTextRun { page: number; text: string; /** PostScript name without the subset tag, e.g. DejaVuSans-Bold */ font: string; x: number; y: number }

/** Every piece of text with its font and position (PDF points, origin bottom-left): to check bold runs or indents. */
export async function pdfTextRuns(buf: Buffer | Uint8Array): Promise<PdfTextRun[]> {
  return openPdf(buf, async (pdf) => {
    const out: PdfTextRun[] = []
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n)
      await page.getOperatorList() // loads the fonts into commonObjs
      const content = await page.getTextContent()
      for (const item of content.items) {
        if (!('str' in item) || item.str === '') continue
        let font = item.fontName
        try { font = String((page.commonObjs.get(item.fontName) as { name?: string }).name ?? font) } catch { /* not loaded */ }
        out.push({ page: n, text: item.str, font: font.replace(/^[A-Z]{6}\+/, ''), x: item.transform[4] as number, y: item.transform[5] as number })
      }
      page.cleanup()
    }
    return out
  })
}
