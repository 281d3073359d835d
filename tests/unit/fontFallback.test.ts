import { Resvg } from '@resvg/resvg-js'
import { describe, expect, it } from 'vitest'
import { exportCafe } from '../../server/export/exporter'
import { DEJAVU_SANS_FILES, faceOf, fontRuns, textWidth } from '../../server/export/fonts'
import { renderPdf } from '../../server/export/pdf'
import { pngOptions, tableclothSvg, wrapText } from '../../server/export/tableclothImage'
import type { TableclothItem } from '../../shared/tablecloth'
import { frenchCafeData } from '../fixtures/frenchCafe'
import { pdfText, pdfTextRuns } from '../helpers/readBack'

const EMOJI = ['🎉', '👍', '👩‍💻', '❤️', '🇧🇪']
const SCRIPTS = { chinese: '合作伙伴', japanese: 'ありがとう', korean: '협력', hindi: 'नमस्ते', thai: 'ขอบคุณ', bengali: 'বাংলা', tamil: 'தமிழ்', sinhala: 'සිංහල', khmer: 'ខ្មែរ', amharic: 'ሰላም' }

describe('font runs', () => {
  it('each cluster in a face that has it, DejaVu first, emoji in the emoji font', () => {
    expect(fontRuns('Le réseau, ça marche')).toEqual([{ face: 'dejavu', text: 'Le réseau, ça marche' }])
    expect(fontRuns('Bravo 🎉 合作 협력')).toEqual([
      { face: 'dejavu', text: 'Bravo ' }, { face: 'emoji', text: '🎉' }, { face: 'dejavu', text: ' ' }, { face: 'hans', text: '合作 ' }, { face: 'korean', text: '협력' },
    ])
    expect(faceOf('नमस्')).toBe('devanagari')
    expect(faceOf('ข')).toBe('thai')
    expect([faceOf('বা'), faceOf('த'), faceOf('සි'), faceOf('ខ'), faceOf('ሰ')]).toEqual(['bengali', 'tamil', 'sinhala', 'khmer', 'ethiopic'])
    // Text presentation stays in DejaVu; emoji presentation (VS16) goes to the emoji font.
    expect(faceOf('©')).toBe('dejavu')
    expect(faceOf('❤️')).toBe('emoji')
  })

  it('never splits a grapheme cluster across fonts', () => {
    for (const cluster of ['👩‍💻', '👍🏽', '🇧🇪', '1️⃣', '🏳️‍🌈', 'e\u0301', '각']) {
      const runs = fontRuns(`a${cluster}b`)
      expect(runs.some((r) => r.text.includes(cluster)), cluster).toBe(true)
    }
    expect(fontRuns('👩‍💻👩‍💻')).toEqual([{ face: 'emoji', text: '👩‍💻👩‍💻' }])
  })
})

describe('PDF', () => {
  it('emoji and other scripts are in the text, set in the fallback fonts', async () => {
    const text = `Bravo ${EMOJI.join(' ')} ; ${Object.values(SCRIPTS).join(' ; ')}`
    const pdf = await renderPdf({ title: 'Café 🎉', language: 'fr', blocks: [
      { type: 'paragraph', content: [{ text }, { text: ' gras 🚀 中文', bold: true }] },
      { type: 'list', items: [[{ text: 'Point 💡 clé' }]] },
    ] })
    const read = await pdfText(pdf)
    // Sinhala and Khmer set some vowel signs before their consonant: a PDF reader gives them back in that
    // visual order (or with a space), so for those scripts each character is looked for, not the word.
    const visualOrder = new Set([SCRIPTS.sinhala, SCRIPTS.khmer])
    for (const s of [...EMOJI, ...Object.values(SCRIPTS), '🚀', '中文', '💡']) {
      if (visualOrder.has(s)) for (const ch of s) expect(read, `${s}: ${ch}`).toContain(ch)
      else expect(read, s).toContain(s)
    }
    const fonts = new Set((await pdfTextRuns(pdf)).map((r) => r.font))
    for (const f of ['DejaVuSans', 'NotoEmoji-Regular', 'NotoEmoji-Bold', 'NotoSansHans-Regular', 'NotoSansHans-Bold', 'NotoSansKR-Regular', 'NotoSansDevanagari-Regular', 'NotoSansThai-Regular', 'NotoSansBengali-Regular', 'NotoSansTamil-Regular', 'NotoSansSinhala-Regular', 'NotoSansKhmer-Regular', 'NotoSansEthiopic-Regular']) expect(fonts, f).toContain(f)
    // The emoji sits on the same baseline as the words around it.
    const runs = await pdfTextRuns(pdf)
    const bravo = runs.find((r) => r.text.startsWith('Bravo'))!
    const party = runs.find((r) => r.text.includes('🎉') && r.font === 'NotoEmoji-Regular')!
    expect(party.y).toBeCloseTo(bravo.y, 1)
  })

  it('a café whose notes have emoji: the exported PDF has their code points; one without embeds DejaVu only', async () => {
    const plain = await exportCafe('pdf', frenchCafeData())
    expect(new Set((await pdfTextRuns(plain.body)).map((r) => r.font))).toEqual(new Set(['DejaVuSans', 'DejaVuSans-Bold']))
    const data = frenchCafeData()
    const note = data.tablecloths[0]!.items[0]!
    if (note.kind !== 'stroke') note.text = 'Le temps 🕐 et 👩‍💻 合作'
    const read = await pdfText((await exportCafe('pdf', data)).body)
    for (const s of ['🕐', '👩‍💻', '合作']) expect(read).toContain(s)
  }, 30_000)

  it('a long run of emoji is broken between clusters, never inside one', async () => {
    const pdf = await renderPdf({ title: 'x', language: 'fr', blocks: [{ type: 'paragraph', content: [{ text: '👩‍💻'.repeat(120) }] }] })
    const read = (await pdfText(pdf)).replace(/[\s\u200B]/g, '')
    expect(read).toContain('👩‍💻'.repeat(120))
  })
})

const noteItem = (text: string): TableclothItem => ({ id: 'n1', kind: 'note', author: 'a', authorName: 'A', round: 1, createdAt: 1, x: 0, y: 0, color: '#fef08a', stars: [], votes: 0, votesBy: {}, text }) as TableclothItem

/** The pixels of the note's paper, below its coloured top strip: RGB triplets. */
function notePixels(svg: string, fonts: 'ours' | 'dejavu only'): number[][] {
  const opts = pngOptions(svg)
  if (fonts === 'dejavu only') opts.font = { ...opts.font, fontFiles: [...DEJAVU_SANS_FILES] }
  const image = new Resvg(svg, opts).render()
  const band = Number(/<rect width="\d+" height="([\d.]+)" fill="#1f2937"/.exec(svg)![1])
  const { width, pixels } = image
  const out: number[][] = []
  for (let y = Math.ceil(band + 40 + 10); y < band + 40 + 150; y++) {
    for (let x = 40; x < 240; x++) { const i = (y * width + x) * 4; out.push([pixels[i]!, pixels[i + 1]!, pixels[i + 2]!]) }
  }
  return out
}
const dark = (px: number[][]) => px.filter(([r, g, b]) => 0.3 * r! + 0.59 * g! + 0.11 * b! < 120).length

describe('PNG', () => {
  it('draws emoji and CJK with the fallback fonts, not the boxes DejaVu alone gives', () => {
    for (const text of ['🎉👍👩‍💻🇧🇪', '合作 협력']) {
      const svg = tableclothSvg([noteItem(text)], { title: 'Table 1' })
      expect(svg).toMatch(/font-family="Noto /)
      const ours = notePixels(svg, 'ours')
      const boxes = notePixels(svg, 'dejavu only')
      expect(dark(ours), text).toBeGreaterThan(100)
      const changed = ours.filter((p, i) => p.some((v, c) => Math.abs(v - boxes[i]![c]!) > 60)).length
      expect(changed, text).toBeGreaterThan(150)
    }
  })

  it('wraps emoji with their real width and never inside a cluster', () => {
    const lines = wrapText('👩‍💻'.repeat(30), 184, 19)
    expect(lines.length).toBeGreaterThan(2)
    for (const line of lines) {
      expect(line).toMatch(/^(👩‍💻)+$/u)
      expect(textWidth(line, 19)).toBeLessThanOrEqual(184)
    }
    // An emoji is about one em wide, not three code points of DejaVu boxes.
    expect(textWidth('👩‍💻', 19)).toBeLessThan(19 * 1.5)
  })
})
