/**
 * Where a theme's paragraph is in a part of the synthesis, and that part with the paragraph replaced:
 * the builder writes a theme as `#### <name>`, a blank line, then its block (a paragraph, or a list).
 * The paragraph is what follows the heading up to the next blank line or heading, so hand edits around
 * it are kept, and a paragraph already rewritten by hand can be rewritten again. When the heading is not
 * there exactly once (renamed, deleted, typed twice) or nothing follows it, there is no paragraph to
 * replace: the caller says so and offers the text to copy instead. Pure.
 */
import { inlineText, imageOf, normalizeText, parseInline } from './markdown'
import { THEME_DRAWINGS_SENTENCE } from './prose/paragraph'

export interface ParagraphSpot { start: number; end: number; text: string }

const HEADING = /^ {0,3}#{1,6}(?:[ \t]+|$)/
const THEME_HEADING = /^ {0,3}####[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/
const BLANK = /^[ \t]*$/

const key = (s: string) => normalizeText(s).toLocaleLowerCase()

export function findThemeParagraph(part: string, themeName: string): ParagraphSpot | null {
  const lines = part.split('\n')
  const offsets: number[] = []
  let at = 0
  for (const line of lines) { offsets.push(at); at += line.length + 1 }
  const wanted = key(themeName)
  const headings = lines.flatMap((line, i) => {
    const m = THEME_HEADING.exec(line.replace(/\r$/, ''))
    return m && key(inlineText(parseInline(m[1]!))) === wanted ? [i] : []
  })
  if (headings.length !== 1) return null
  let first = headings[0]! + 1
  while (first < lines.length && BLANK.test(lines[first]!)) first++
  if (first >= lines.length || HEADING.test(lines[first]!) || imageOf(lines[first]!)) return null
  let last = first
  while (last + 1 < lines.length && !BLANK.test(lines[last + 1]!) && !HEADING.test(lines[last + 1]!)) last++
  const start = offsets[first]!
  const end = offsets[last]! + lines[last]!.replace(/\r$/, '').length
  return { start, end, text: part.slice(start, end) }
}

/**
 * The part with the theme's paragraph replaced by `paragraph`, on one line (the sentence the builder wrote about the
 * theme's drawings stays at its end), or null when the paragraph cannot be found.
 */
export function replaceThemeParagraph(part: string, themeName: string, paragraph: string): string | null {
  const spot = findThemeParagraph(part, themeName)
  if (!spot) return null
  const drawings = THEME_DRAWINGS_SENTENCE.exec(spot.text)?.[1] // the builder's sentence about the theme's drawings
  const text = normalizeText(paragraph) // one paragraph: a line break in it would cut it from its heading
  const next = drawings && !text.includes(drawings) ? `${text} ${drawings}` : text
  return part.slice(0, spot.start) + next + part.slice(spot.end)
}
