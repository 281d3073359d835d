/**
 * `GET /api/cafes/:id/export?format=…`: the synthesis (Markdown, DOCX, PDF), the contributions (CSV, XLSX),
 * the archive (JSON), the tablecloth images, or all of it in one zip.
 */
import { strToU8, zipSync } from 'fflate'
import type { Zippable } from 'fflate'
import type { Language } from '../../shared/cafe'
import type { Block } from '../../shared/markdown'
import { parseMarkdown } from '../../shared/markdown'
import type { CafeData } from './cafeData'
import { contributionsOf, synthesisMarkdown } from './cafeData'
import { archiveJson, buildArchive } from './archive'
import { contributionsCsv, exportTimeZone } from './csv'
import { contributionsXlsx } from './xlsx'
import { renderDocx } from './docx'
import type { ExportImage } from './exportImages'
import { exportImage } from './exportImages'
import { PICTURE_WORDS, pictureNaming, slug } from '../../shared/pictureNames'
import { photoEntries } from './imagePaths'
import { renderPdf } from './pdf'
import { svgToPngAsync, tableclothSvg } from './tableclothImage'

import type { ExportFormat } from './exportFormats'
export { EXPORT_FORMATS, isExportFormat } from './exportFormats'
export type { ExportFormat } from './exportFormats'

export interface ExportFile { body: Buffer; contentType: string; filename: string }

const CONTENT_TYPES: Record<ExportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
  zip: 'application/zip',
}

const WORDS: Record<Language, { synthesis: string; contributions: string; archive: string }> = {
  fr: { synthesis: 'synthese', contributions: 'contributions', archive: 'archive' },
  en: { synthesis: 'synthesis', contributions: 'contributions', archive: 'archive' },
}


export interface TableclothImage { path: string; title: string; subtitle: string; svg: string; final: boolean }

/** An SVG of every tablecloth at the end of each round it was written in (unless `rounds` is false), and as it is now. */
export function tableclothImages(data: CafeData, opts: { rounds?: boolean } = {}): TableclothImage[] {
  const W = PICTURE_WORDS[data.definition.language]
  const naming = pictureNaming(data.definition)
  const out: TableclothImage[] = []
  const add = (t: { tableId: string; questionId: string; items: CafeData['tablecloths'][number]['items'] }, round: number | 'final', subtitle: string) => {
    const title = naming.title(t)
    out.push({ path: naming.tableclothPath(t, round), title, subtitle, final: round === 'final', svg: tableclothSvg(t.items, { title, subtitle }) })
  }
  for (const s of opts.rounds === false ? [] : data.snapshots) add(s, s.round, W.endOfRound(s.round))
  for (const t of data.tablecloths) if (t.items.length > 0) add(t, 'final', W.final)
  return out
}

/** Tablecloth pictures with their PNG (drawn once), by path with `.png`. */
type Drawn = Map<string, { image: TableclothImage; png: Buffer | null }>

/**
 * The pictures the synthesis's image blocks name, found among the export's own files (a drawn
 * tablecloth, drawn here if not yet, or a photo); a path that is neither stays out, and its block
 * shows its caption.
 */
async function blockImages(blocks: Block[], data: CafeData, drawn: Drawn): Promise<Map<string, ExportImage>> {
  const wanted = new Set(blocks.flatMap((b) => (b.type === 'image' ? [b.path] : [])))
  const out = new Map<string, ExportImage>()
  if (wanted.size === 0) return out
  const missing = [...wanted].filter((p) => p.endsWith('.png') && !drawn.has(p))
  if (missing.length > 0) {
    const all = new Map(tableclothImages(data).map((i) => [`${i.path}.png`, i]))
    for (const p of missing) { const image = all.get(p); if (image) drawn.set(p, { image, png: await png(image, 1200) }) }
  }
  for (const p of wanted) {
    const d = drawn.get(p)
    const file = d?.png ? exportImage(p, `${d.image.title} (${d.image.subtitle})`, d.png) : null
    if (file) out.set(p, file)
  }
  for (const e of photoEntries(data)) {
    if (!wanted.has(e.path)) continue
    const file = exportImage(e.path, e.shortCaption, e.photo.data)
    if (file) out.set(e.path, file)
  }
  return out
}

/** What follows the synthesis in the DOCX and the PDF: the final tablecloths, then the photos, captioned. */
function appendixImages(data: CafeData, drawn: Drawn): ExportImage[] {
  const out: ExportImage[] = []
  for (const [path, d] of drawn) {
    const file = d.image.final && d.png ? exportImage(path, `${d.image.title} (${d.image.subtitle})`, d.png) : null
    if (file) out.push(file)
  }
  for (const e of photoEntries(data)) {
    const file = exportImage(e.path, e.caption, e.photo.data)
    if (file) out.push(file)
  }
  return out
}

/** A PNG of a tablecloth image, or null when it cannot be drawn: one odd tablecloth must not sink the export (its SVG is still there). */
async function png(img: TableclothImage, width?: number): Promise<Buffer | null> {
  try {
    return await svgToPngAsync(img.svg, width === undefined ? {} : { width })
  } catch {
    return null
  }
}

export async function exportCafe(format: ExportFormat, data: CafeData): Promise<ExportFile> {
  const def = data.definition
  const W = WORDS[def.language]
  const base = `${slug(def.title)}${def.date ? `-${def.date}` : ''}`
  const file = (body: Buffer, name: string): ExportFile => ({ body, contentType: CONTENT_TYPES[format], filename: name })
  const contributions = contributionsOf(data)
  let md: string | null = null
  const markdown = () => (md ??= synthesisMarkdown(data, contributions))
  let blocks: Block[] | null = null
  const doc = () => ({ title: def.title, language: def.language, blocks: (blocks ??= parseMarkdown(markdown())) })
  const sheet = { title: def.title, language: def.language, questions: def.questions, contributions, harvest: data.harvest, timeZone: exportTimeZone() }
  const csv = () => contributionsCsv(sheet)
  const xlsx = () => contributionsXlsx({ ...sheet, createdAt: data.createdAt })
  const json = () => archiveJson(buildArchive(data))
  /** Tablecloth pictures by path: the PNGs given (the zip's), or the final ones drawn here. */
  const drawnOf = async (images: TableclothImage[], pngs?: Array<Buffer | null>): Promise<Drawn> => {
    const drawn = pngs ?? await Promise.all(images.map((i) => png(i, 1200)))
    return new Map(images.map((image, n) => [`${image.path}.png`, { image, png: drawn[n] ?? null }]))
  }
  /** The synthesis with its pictures, then the final tablecloths and the photos, one per page. */
  const pdf = async (drawn: Drawn) => {
    const files = await blockImages(doc().blocks, data, drawn)
    const pages = appendixImages(data, drawn).map((i) => ({ caption: i.caption, png: i.data }))
    return renderPdf({ ...doc(), files, images: pages })
  }
  /** The same for Word: the pictures inside the synthesis, then the tablecloths under a heading of their own. */
  const docx = async (drawn: Drawn) => {
    const images = await blockImages(doc().blocks, data, drawn)
    return renderDocx({ ...doc(), images, appendix: { title: PICTURE_WORDS[def.language].appendix, images: appendixImages(data, drawn) } })
  }

  switch (format) {
    case 'md': return file(Buffer.from(markdown(), 'utf8'), `${base}-${W.synthesis}.md`)
    case 'docx': return file(await docx(await drawnOf(tableclothImages(data, { rounds: false }))), `${base}-${W.synthesis}.docx`)
    case 'pdf': return file(await pdf(await drawnOf(tableclothImages(data, { rounds: false }))), `${base}-${W.synthesis}.pdf`)
    case 'csv': return file(Buffer.from(csv(), 'utf8'), `${base}-${W.contributions}.csv`)
    case 'xlsx': return file(await xlsx(), `${base}-${W.contributions}.xlsx`)
    case 'json': return file(Buffer.from(json(), 'utf8'), `${base}-${W.archive}.json`)
    case 'zip': {
      const images = tableclothImages(data)
      // Each PNG is drawn once, for the images folder and the PDF alike.
      const pngs = await Promise.all(images.map((img) => png(img)))
      const drawn = await drawnOf(images, pngs)
      const entries: Zippable = {
        [`${W.synthesis}.md`]: strToU8(markdown()),
        [`${W.synthesis}.docx`]: [await docx(drawn), { level: 0 }],
        [`${W.synthesis}.pdf`]: [await pdf(drawn), { level: 0 }],
        [`${W.contributions}.csv`]: strToU8(csv()),
        [`${W.contributions}.xlsx`]: [await xlsx(), { level: 0 }],
        [`${W.archive}.json`]: strToU8(json()),
      }
      images.forEach((img, n) => {
        entries[`${img.path}.svg`] = strToU8(img.svg)
        const p = pngs[n]
        if (p) entries[`${img.path}.png`] = [p, { level: 0 }]
      })
      // The photos of paper tablecloths, as they were sent (already compressed).
      for (const e of photoEntries(data)) entries[e.path] = [e.photo.data, { level: 0 }]
      // Zip dates run from 1980 to 2099.
      const mtime = new Date(Math.min(Math.max(data.createdAt, Date.UTC(1980, 0, 2)), Date.UTC(2099, 11, 30)))
      return file(Buffer.from(zipSync(entries, { level: 6, mtime })), `${base}.zip`)
    }
  }
}
