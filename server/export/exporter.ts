/**
 * `GET /api/cafes/:id/export?format=…`: the synthesis (Markdown, DOCX, PDF), the contributions (CSV),
 * the archive (JSON), the tablecloth images, or all of it in one zip.
 */
import { strToU8, zipSync } from 'fflate'
import type { Zippable } from 'fflate'
import type { Language } from '../../shared/cafe'
import { parseMarkdown } from '../../shared/markdown'
import type { CafeData } from './cafeData'
import { contributionsOf, synthesisMarkdown } from './cafeData'
import { archiveJson, buildArchive } from './archive'
import { contributionsCsv } from './csv'
import { renderDocx } from './docx'
import { renderPdf } from './pdf'
import { svgToPngAsync, tableclothSvg } from './tableclothImage'

export const EXPORT_FORMATS = ['md', 'docx', 'pdf', 'csv', 'json', 'zip'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
export const isExportFormat = (v: unknown): v is ExportFormat => typeof v === 'string' && (EXPORT_FORMATS as readonly string[]).includes(v)

export interface ExportFile { body: Buffer; contentType: string; filename: string }

const CONTENT_TYPES: Record<ExportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  zip: 'application/zip',
}

const WORDS: Record<Language, { synthesis: string; contributions: string; archive: string; endOfRound: (n: number) => string; final: string; round: string; tablecloths: string }> = {
  fr: { synthesis: 'synthese', contributions: 'contributions', archive: 'archive', endOfRound: (n) => `Fin du tour ${n}`, final: 'État final', round: 'tour', tablecloths: 'nappes' },
  en: { synthesis: 'synthesis', contributions: 'contributions', archive: 'archive', endOfRound: (n) => `End of round ${n}`, final: 'Final state', round: 'round', tablecloths: 'tablecloths' },
}

/** A safe file-name part: no accents, lowercase letters, digits and dashes. */
export function slug(text: string, max = 60): string {
  const s = text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
  return s.slice(0, max).replace(/-+$/, '') || 'cafe'
}

export interface TableclothImage { path: string; title: string; subtitle: string; svg: string; final: boolean }

/** An SVG of every tablecloth at the end of each round it was written in (unless `rounds` is false), and as it is now. */
export function tableclothImages(data: CafeData, opts: { rounds?: boolean } = {}): TableclothImage[] {
  const W = WORDS[data.definition.language]
  const table = new Map(data.definition.tables.map((t) => [t.id, t.name]))
  const qIndex = new Map(data.definition.questions.map((q, i) => [q.id, i]))
  const question = new Map(data.definition.questions.map((q) => [q.id, q.text]))
  const out: TableclothImage[] = []
  const name = (t: { tableId: string; questionId: string }) => `${slug(table.get(t.tableId) ?? t.tableId, 30)}_q${(qIndex.get(t.questionId) ?? 0) + 1}`
  const add = (t: { tableId: string; questionId: string; items: CafeData['tablecloths'][number]['items'] }, suffix: string, subtitle: string, final: boolean) => {
    const title = `${table.get(t.tableId) ?? t.tableId} — ${question.get(t.questionId) ?? ''}`
    out.push({ path: `${W.tablecloths}/${name(t)}_${suffix}`, title, subtitle, final, svg: tableclothSvg(t.items, { title, subtitle }) })
  }
  for (const s of opts.rounds === false ? [] : data.snapshots) add(s, `${W.round}-${s.round}`, W.endOfRound(s.round), false)
  for (const t of data.tablecloths) if (t.items.length > 0) add(t, 'final', W.final, true)
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
  const doc = () => ({ title: def.title, language: def.language, blocks: parseMarkdown(markdown()) })
  const csv = () => contributionsCsv({ title: def.title, language: def.language, questions: def.questions, contributions, harvest: data.harvest })
  const json = () => archiveJson(buildArchive(data))
  /** The synthesis, then the final tablecloths (their PNGs given, or drawn here). */
  const pdf = async (images: TableclothImage[], pngs?: Array<Buffer | null>) => {
    const drawn = pngs ?? await Promise.all(images.map((i) => png(i, 1200)))
    const pages = images.flatMap((i, n) => (i.final && drawn[n] ? [{ caption: `${i.title} (${i.subtitle})`, png: drawn[n] }] : []))
    return renderPdf({ ...doc(), images: pages })
  }

  switch (format) {
    case 'md': return file(Buffer.from(markdown(), 'utf8'), `${base}-${W.synthesis}.md`)
    case 'docx': return file(await renderDocx(doc()), `${base}-${W.synthesis}.docx`)
    case 'pdf': return file(await pdf(tableclothImages(data, { rounds: false })), `${base}-${W.synthesis}.pdf`)
    case 'csv': return file(Buffer.from(csv(), 'utf8'), `${base}-${W.contributions}.csv`)
    case 'json': return file(Buffer.from(json(), 'utf8'), `${base}-${W.archive}.json`)
    case 'zip': {
      const images = tableclothImages(data)
      // Each PNG is drawn once, for the images folder and the PDF alike.
      const pngs = await Promise.all(images.map((img) => png(img)))
      const entries: Zippable = {
        [`${W.synthesis}.md`]: strToU8(markdown()),
        [`${W.synthesis}.docx`]: [await renderDocx(doc()), { level: 0 }],
        [`${W.synthesis}.pdf`]: [await pdf(images, pngs), { level: 0 }],
        [`${W.contributions}.csv`]: strToU8(csv()),
        [`${W.archive}.json`]: strToU8(json()),
      }
      images.forEach((img, n) => {
        entries[`${img.path}.svg`] = strToU8(img.svg)
        const p = pngs[n]
        if (p) entries[`${img.path}.png`] = [p, { level: 0 }]
      })
      // Zip dates run from 1980 to 2099.
      const mtime = new Date(Math.min(Math.max(data.createdAt, Date.UTC(1980, 0, 2)), Date.UTC(2099, 11, 30)))
      return file(Buffer.from(zipSync(entries, { level: 6, mtime })), `${base}.zip`)
    }
  }
}
