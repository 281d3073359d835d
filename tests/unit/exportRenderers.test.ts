import { mkdirSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { escapeMarkdown, parseMarkdown } from '../../shared/markdown'
import type { TableclothItem } from '../../shared/tablecloth'
import { renderDocx } from '../../server/export/docx'
import { renderPdf } from '../../server/export/pdf'
import { svgToPng, tableclothSvg, wrapText, xml } from '../../server/export/tableclothImage'
import { DEJAVU_SANS, hasGlyph, textWidth } from '../../server/export/fonts'
import { decodeXml, docxParagraphs, docxPart, docxXml, pdfInfo, pdfPages, pdfText, pdfTextRuns } from '../helpers/readBack'

const TITLE = 'Synthèse du café « Ralentir »'
const MD = [
  `# ${TITLE}`,
  '',
  '## Les freins',
  '',
  'Ce qui revient le plus : **Le temps** et *la peur de mal faire*, même à l’école. Comment ?',
  '',
  '- **Le temps** manque, on court après',
  '- Le cœur de l’œuvre : ça déçoit, c’est à voir',
  '  et ça continue sur deux lignes, parce qu’il faut bien voir ce qui se passe quand un point est long',
  '',
  '### Pistes à creuser',
  '',
  `Une note brute : ${escapeMarkdown('<img src=x onerror=alert(1)> **pas gras**')}`,
].join('\n')
const blocks = parseMarkdown(MD)
const EXPECTED_TEXT = [
  TITLE, 'Les freins',
  'Ce qui revient le plus : Le temps et la peur de mal faire, même à l’école. Comment ?',
  'Le temps manque, on court après',
  'Le cœur de l’œuvre : ça déçoit, c’est à voir et ça continue sur deux lignes, parce qu’il faut bien voir ce qui se passe quand un point est long',
  'Pistes à creuser',
  'Une note brute : <img src=x onerror=alert(1)> **pas gras**',
]
const squash = (s: string) => s.replace(/\s+/g, ' ')

describe('renderDocx', () => {
  it('writes real headings, bold runs and bullet lists, with accents intact', async () => {
    const buf = await renderDocx({ title: TITLE, language: 'fr', blocks })
    expect(buf.subarray(0, 2).toString()).toBe('PK')
    const paras = docxParagraphs(buf).filter((x) => x.text !== '')
    expect(paras.map((x) => x.text)).toEqual(EXPECTED_TEXT)
    expect(paras.map((x) => x.style)).toEqual(['Heading1', 'Heading2', null, 'ListParagraph', 'ListParagraph', 'Heading3', null])
    expect(paras.map((x) => x.list)).toEqual([false, false, false, true, true, false, false])
    const body = paras[2]!
    expect(body.runs.filter((r) => r.bold).map((r) => r.text)).toEqual(['Le temps'])
    expect(body.runs.filter((r) => r.italic).map((r) => r.text)).toEqual(['la peur de mal faire'])
    expect(paras[3]!.runs[0]).toEqual({ text: 'Le temps', bold: true, italic: false })
    expect(paras[6]!.bold.every((b) => !b)).toBe(true)
    expect(docxXml(buf)).not.toContain('w:val="false"') // would override the heading styles' bold
    // Title once (not duplicated), language and core properties set.
    expect(paras.filter((x) => x.text === TITLE)).toHaveLength(1)
    expect(docxPart(buf, 'word/styles.xml')).toContain('w:val="fr-FR"')
    expect(docxPart(buf, 'docProps/core.xml')).toContain('<dc:title>Synthèse du café « Ralentir »</dc:title>')
  })

  it('adds a Title paragraph when the Markdown does not start with the title, in English too', async () => {
    const buf = await renderDocx({ title: 'Harvest & <more>', language: 'en', blocks: parseMarkdown('## Part\n\nText') })
    const paras = docxParagraphs(buf)
    expect(paras.map((x) => [x.style, x.text])).toEqual([['Title', 'Harvest & <more>'], ['Heading2', 'Part'], [null, 'Text']])
    expect(docxPart(buf, 'word/styles.xml')).toContain('w:val="en-GB"')
  })
})

describe('renderPdf', () => {
  it('writes every text with its accents, in embedded DejaVu Sans, with metadata and page numbers', async () => {
    const buf = await renderPdf({ title: TITLE, language: 'fr', blocks, creationDate: new Date(Date.UTC(2024, 8, 17)) })
    expect(buf.subarray(0, 5).toString()).toBe('%PDF-')
    const text = squash(await pdfText(buf))
    for (const line of EXPECTED_TEXT) expect(text).toContain(line)
    expect(text.split(TITLE).length - 1).toBe(2) // once as the title, once in the footer
    expect(text).toContain('1 / 1')
    const raw = buf.toString('latin1')
    expect(raw).toContain('/FontFile2')
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans-Bold\b/)
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans-Oblique\b/)
    expect(raw).not.toMatch(/Helvetica|Times-Roman|Courier/)
    expect(await pdfInfo(buf)).toEqual({ title: TITLE, language: 'fr-FR', pages: 1 })
    // Bold and italic runs are set in the bold / oblique faces; list items hang after their bullet.
    const runs = (await pdfTextRuns(buf)).filter((r) => r.text.trim() !== '')
    const fontOf = (text: string) => runs.filter((r) => r.text.trim() === text).map((r) => r.font)
    expect(fontOf('Le temps')).toEqual(['DejaVuSans-Bold', 'DejaVuSans-Bold'])
    expect(fontOf('la peur de mal faire')).toEqual(['DejaVuSans-Oblique'])
    expect(runs.find((r) => r.text.startsWith('Ce qui revient'))!.font).toBe('DejaVuSans')
    expect(runs.find((r) => r.text.startsWith('Une note brute'))!.font).toBe('DejaVuSans')
    const bullets = runs.filter((r) => r.text === '\u2022')
    expect(bullets).toHaveLength(2)
    const itemLines = runs.filter((r) => r.y < bullets[0]!.y + 1 && r.y > bullets[1]!.y - 20 && r.text !== '\u2022')
    const left = runs.find((r) => r.text.startsWith('Ce qui revient'))!.x
    expect(new Set(itemLines.map((r) => r.y)).size).toBeGreaterThanOrEqual(3) // the second item wraps
    for (const line of itemLines) expect(line.x).toBeGreaterThan(bullets[0]!.x + 5)
    expect(bullets[0]!.x).toBeGreaterThan(left)
  })

  it('is deterministic given a creation date, and breaks long documents into numbered pages', async () => {
    const long = parseMarkdown(Array.from({ length: 40 }, (_, i) => `## Partie ${i + 1}\n\n${'Du texte à lire, encore et encore. '.repeat(12)}\n\n- un point\n- un autre`).join('\n\n'))
    const creationDate = new Date(Date.UTC(2024, 0, 1))
    const a = await renderPdf({ title: 'Long', language: 'en', blocks: long, creationDate })
    const b = await renderPdf({ title: 'Long', language: 'en', blocks: long, creationDate })
    expect(a.equals(b)).toBe(true)
    const pages = await pdfPages(a)
    expect(pages.length).toBeGreaterThan(5)
    pages.forEach((page, i) => expect(page).toContain(`${i + 1} / ${pages.length}`))
    expect(squash(pages.join('\n'))).toContain('Partie 40')
  })

  it('appends images with their caption', async () => {
    const png = svgToPng(tableclothSvg([], { title: 'Table 1' }), { width: 320 })
    const buf = await renderPdf({ title: 'Avec images', language: 'fr', blocks: parseMarkdown('Texte'), images: [{ caption: 'Table 1 — la nappe', png }, { caption: 'Table 2', png }] })
    const pages = await pdfPages(buf)
    expect(pages).toHaveLength(3)
    expect(pages[1]).toContain('Table 1 — la nappe')
    expect(pages[2]).toContain('Table 2')
    expect(buf.toString('latin1')).toMatch(/\/Subtype \/Image/)
  })
})

const item = (over: Partial<TableclothItem> & Pick<TableclothItem, 'kind'>): TableclothItem => ({
  id: Math.random().toString(36).slice(2), author: 'p1', authorName: 'Amélie', round: 1, createdAt: 0, x: 0, y: 0,
  color: '#fde68a', stars: [], votes: 0, votesBy: {}, text: '', size: 18, points: [], width: 4, ...over,
} as unknown as TableclothItem)

const wave: number[] = []
for (let i = 0; i <= 40; i++) wave.push(i * 6, Math.round(Math.sin(i / 5) * 30), 0.5)

const ITEMS: TableclothItem[] = [
  item({ kind: 'note', x: 100, y: 100, text: 'Le temps manque : on court après tout, ça c’est sûr ! Œuvre à faire.' }),
  item({ kind: 'note', x: 330, y: 120, round: 2, color: '#bbf7d0', stars: ['p1', 'p2'], votes: 3, text: '<script>alert(1)</script> </text><image href="http://evil"/>' }),
  item({ kind: 'note', x: 560, y: 260, round: 3, color: 'url(http://evil/#x)', text: '<img src=x onerror=alert(1)> & "quotes" \'apos\'' }),
  item({ kind: 'text', x: 120, y: 300, color: '#b91c1c', size: 24, text: 'Comment ? « Les freins »' }),
  item({ kind: 'stroke', x: 560, y: 140, color: '#1d4ed8', width: 6, points: wave }),
]

describe('tableclothSvg / svgToPng', () => {
  it('keeps hostile text as text and never refers outside the file', () => {
    const svg = tableclothSvg(ITEMS, { title: 'Table <3> & "co"', subtitle: '</text><script>x</script>', fontFamily: 'DejaVu Sans" onload="x' })
    const tags = [...svg.matchAll(/<\/?([A-Za-z][\w:-]*)/g)].map((m) => m[1])
    expect(new Set(tags)).toEqual(new Set(['svg', 'rect', 'text', 'g', 'path', 'circle']))
    const markup = svg.match(/<[^>]+>/g)!
    const attributes = markup.flatMap((tag) => [...tag.matchAll(/\s([\w:-]+)="([^"]*)"/g)].map((m) => ({ name: m[1]!, value: m[2]! })))
    const names = new Set(attributes.map((a) => a.name))
    expect([...names].filter((n) => /^on|href|src|style/i.test(n))).toEqual([])
    expect([...names].sort()).toEqual(['cx', 'cy', 'd', 'fill', 'font-family', 'font-size', 'font-style', 'font-weight', 'height', 'opacity', 'r', 'rx', 'stroke', 'text-anchor', 'transform', 'viewBox', 'width', 'x', 'xmlns', 'y'].filter((n) => names.has(n)))
    expect(attributes.filter((a) => /url\(|javascript:|http/i.test(a.value) && a.name !== 'xmlns')).toEqual([])
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/')
    expect(svg).toContain('&amp; &quot;quotes&quot; &apos;apos&apos;')
    // Read back, the text elements give exactly the notes' text (wrapped over several lines).
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decodeXml(m[1]!)).join(' ')
    expect(texts).toContain('Table <3> & "co" </text><script>x</script>')
    expect(texts).toContain('<script>alert(1)</ script> </text><image href="http://evil"/ >')
    expect(texts).toContain('<img src=x onerror=alert(1)> & "quotes" \'apos\'')
    expect(svg).toContain('font-family="DejaVu Sans&quot; onload=&quot;x"')
    // Every attribute value is a plain quoted string: no quote ever escapes its attribute.
    for (const tag of markup) expect(tag, tag).toMatch(/^<\/?[\w:-]+(\s+[\w:-]+="[^"<>]*")*\s*\/?>$/)
    expect(xml('a\u0001b\uD800')).toBe('a\uFFFDb\uFFFD')
  })

  it('fits the image to the content, with a header band and a minimum size', () => {
    const svg = tableclothSvg(ITEMS, { title: 'Table 3' })
    const [, w, h] = /<svg[^>]*width="(\d+)" height="(\d+)" viewBox="0 0 (\d+) (\d+)"/.exec(svg)!
    expect(Number(w)).toBeGreaterThan(700) // 100..760 wide plus margins
    expect(Number(h)).toBeGreaterThan(400)
    const empty = tableclothSvg([], { title: 'Vide', emptyText: 'Rien n’a été écrit.' })
    expect(empty).toContain('Rien n’a été écrit.')
    expect(empty).toMatch(/width="640"/)
    expect(tableclothSvg([], { title: 'Empty' })).toContain('Nothing written')
  })

  it('wraps text like the app, never starting a line with French spaced punctuation', () => {
    const lines = wrapText('Alors, comment faire ? « Vraiment » ! On verra bien demain matin', 184, 19)
    for (const line of lines) expect(textWidth(line, 19)).toBeLessThanOrEqual(184)
    for (const line of lines) expect(line).not.toMatch(/^[?!:;»]|«$/)
    expect(lines.join(' ')).toBe('Alors, comment faire ? « Vraiment » ! On verra bien demain matin')
    expect(wrapText('un deux trois quatre cinq six sept huit neuf dix onze douze', 100, 19, 'regular', 2).at(-1)).toMatch(/…$/)
    expect(['é', 'œ', '’', '«', '★'].every((c) => hasGlyph(c))).toBe(true)
  })

  it('renders a PNG with DejaVu Sans only, at the asked size', () => {
    const svg = tableclothSvg(ITEMS, { title: 'Table 3 — « Comment ralentir ? »', subtitle: 'Question 1 · l’été où ça a commencé' })
    const png = svgToPng(svg)
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    const width = png.readUInt32BE(16), height = png.readUInt32BE(20)
    const [, sw, sh] = /width="(\d+)" height="(\d+)"/.exec(svg)!
    expect([width, height]).toEqual([Number(sw), Number(sh)])
    const small = svgToPng(svg, { width: 400 })
    expect(small.readUInt32BE(16)).toBe(400)
    expect(small.readUInt32BE(20)).toBe(Math.round((400 * Number(sh)) / Number(sw)))
    mkdirSync('test-artifacts', { recursive: true })
    writeFileSync('test-artifacts/export-tablecloth.png', png)
    expect(Object.values(DEJAVU_SANS).every((f) => f.endsWith('.ttf'))).toBe(true)
  })
})
