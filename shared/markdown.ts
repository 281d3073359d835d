/**
 * The small Markdown subset the synthesis is stored and exported in:
 * ATX headings, bullet lists, paragraphs, **bold**, *italic* / _italic_ and backslash escapes, and
 * images of the export itself: a paragraph that is exactly `![caption](relative/path.png)`, the path
 * made of safe characters only (no scheme, no `..`, no query), becomes an image block; the renderers
 * look the path up among the files the export made and never fetch anything. Everything else (HTML,
 * links, other images, code, entities) stays literal text: it is never interpreted.
 *
 * User text (notes, titles, names) goes into Markdown through `escapeMarkdown`, which makes it inert
 * in any CommonMark renderer as well as in `parseMarkdown`.
 */
export interface Inline { text: string; bold?: boolean; italic?: boolean }
export type Block =
  | { type: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; content: Inline[] }
  | { type: 'paragraph'; content: Inline[] }
  | { type: 'list'; items: Inline[][] }
  /** `path` is relative to the export's zip (`nappes/table-1_q1_final.png`); `alt` is plain text. */
  | { type: 'image'; alt: string; path: string }

/** A path an image block may have: relative, segments of letters, digits, `.`, `_`, `-`, a picture's extension. */
const IMAGE_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}){0,4}\.(?:png|jpe?g)$/
const IMAGE_LINE = /^!\[((?:\\.|[^\\\]])*)\]\(([^()\s]+)\)$/

/** Whether `path` is one an image block may name. */
export const isImagePath = (path: string): boolean => IMAGE_PATH.test(path)

/** The image a paragraph's text is, when it is exactly one image of a safe relative path; else null. */
export function imageOf(text: string): { alt: string; path: string } | null {
  const m = IMAGE_LINE.exec(text.trim())
  if (!m || !isImagePath(m[2]!)) return null
  return { alt: inlineText(parseInline(m[1]!)), path: m[2]! }
}

/** An image line for the synthesis: the caption escaped, the path checked (an unsafe one throws). */
export function imageMarkdown(caption: string, path: string): string {
  if (!isImagePath(path)) throw new Error(`not an image path: ${path}`)
  return `![${escapeMarkdown(caption)}](${path})`
}

/** Whitespace that `escapeMarkdown` folds into one space (line endings included, so a note becomes one line). */
const FOLDED_SPACE = /[ \t\n\v\f\r\u0085\u2028\u2029]+/g

/**
 * What `escapeMarkdown` keeps of a text, as `parseMarkdown` gives it back: whitespace runs (newlines
 * included) folded into one space, trimmed, and U+0000 replaced by U+FFFD (as CommonMark does).
 */
export function normalizeText(text: string): string {
  return text.replace(FOLDED_SPACE, ' ').replace(/\0/g, '\uFFFD').trim()
}

/**
 * Makes arbitrary user text literal, on one line: `\ ` * _ [ ] < > # | ~` are escaped everywhere,
 * `&` before something that could read as an entity, and what would start a block at the beginning
 * of a line (`-`, `+`, `=`, `1.` / `1)`). Common punctuation (? ! : ( ) ' " ,) is left as it is.
 */
export function escapeMarkdown(text: string): string {
  const escaped = normalizeText(text)
    .replace(/[\\`*_[\]<>#|~]/g, '\\$&')
    .replace(/&(?=[#A-Za-z])/g, '\\&')
  return escaped.replace(/^[-+=]/, '\\$&').replace(/^(\d+)([.)])/, '$1\\$2')
}

/** Plain text of some inline content. */
export function inlineText(content: Inline[]): string {
  return content.map((i) => i.text).join('')
}

/**
 * Whether the document already opens with its title as a level-1 heading (same text, ignoring case and
 * spacing): renderers then don't print the title a second time.
 */
export function startsWithTitle(blocks: Block[], title: string): boolean {
  const first = blocks[0]
  const key = (s: string) => normalizeText(s).toLocaleLowerCase()
  return first?.type === 'heading' && first.level === 1 && key(inlineText(first.content)) === key(title)
}

const ASCII_PUNCT = /[!-/:-@[-`{-~]/
const WHITESPACE = /\s/u
const PUNCTUATION = /[\p{P}\p{S}]/u

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'delim'; ch: '*' | '_'; length: number; left: number; canOpen: boolean; canClose: boolean; opens: Array<'b' | 'i'>; closes: Array<'b' | 'i'> }

type Delim = Extract<Token, { kind: 'delim' }>

function lex(src: string): Token[] {
  const tokens: Token[] = []
  let text = ''
  const flush = () => { if (text) tokens.push({ kind: 'text', text }); text = '' }
  const chars = Array.from(src)
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (c === '\\' && i + 1 < chars.length && ASCII_PUNCT.test(chars[i + 1]!)) { text += chars[++i]; continue }
    if (c !== '*' && c !== '_') { text += c; continue }
    let j = i
    while (j < chars.length && chars[j] === c) j++
    const before = chars[i - 1] ?? ' '
    const after = chars[j] ?? ' '
    // CommonMark flanking rules.
    const leftFlanking = !WHITESPACE.test(after) && (!PUNCTUATION.test(after) || WHITESPACE.test(before) || PUNCTUATION.test(before))
    const rightFlanking = !WHITESPACE.test(before) && (!PUNCTUATION.test(before) || WHITESPACE.test(after) || PUNCTUATION.test(after))
    const canOpen = c === '*' ? leftFlanking : leftFlanking && (!rightFlanking || PUNCTUATION.test(before))
    const canClose = c === '*' ? rightFlanking : rightFlanking && (!leftFlanking || PUNCTUATION.test(after))
    flush()
    tokens.push({ kind: 'delim', ch: c, length: j - i, left: j - i, canOpen, canClose, opens: [], closes: [] })
    i = j - 1
  }
  flush()
  return tokens
}

/** Pairs emphasis delimiters (the CommonMark "process emphasis" procedure, without links). */
function matchEmphasis(tokens: Token[]): void {
  const openers: Delim[] = []
  for (const token of tokens) {
    if (token.kind !== 'delim') continue
    if (token.canClose) {
      for (let k = openers.length - 1; k >= 0 && token.left > 0; k--) {
        const opener = openers[k]!
        if (opener.ch !== token.ch || opener.left === 0) continue
        const oddMatch = (opener.canClose || token.canOpen) && (opener.length + token.length) % 3 === 0 && !(opener.length % 3 === 0 && token.length % 3 === 0)
        if (oddMatch) continue
        const use = opener.left >= 2 && token.left >= 2 ? 2 : 1
        const style = use === 2 ? 'b' : 'i'
        opener.left -= use
        token.left -= use
        opener.opens.unshift(style) // consumed from the inner (right) side of the opener
        token.closes.push(style)
        openers.splice(k + 1) // openers in between can no longer match
        if (opener.left > 0) k++ // try the same opener again
      }
    }
    if (token.canOpen && token.left > 0) openers.push(token)
  }
}

export function parseInline(src: string): Inline[] {
  const tokens = lex(src)
  matchEmphasis(tokens)
  const out: Inline[] = []
  let bold = 0, italic = 0
  const push = (text: string) => {
    if (!text) return
    const style: Inline = { text }
    if (bold > 0) style.bold = true
    if (italic > 0) style.italic = true
    const last = out[out.length - 1]
    if (last && !!last.bold === !!style.bold && !!last.italic === !!style.italic) last.text += text
    else out.push(style)
  }
  for (const token of tokens) {
    if (token.kind === 'text') { push(token.text); continue }
    for (const s of token.closes) s === 'b' ? bold-- : italic--
    push(token.ch.repeat(token.left))
    for (const s of token.opens) s === 'b' ? bold++ : italic++
  }
  return out
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/
const BULLET = /^ {0,3}[-*+][ \t]+(.*)$/
const BLANK = /^[ \t]*$/

/** A line ending in an odd number of backslashes is a hard break in CommonMark: here, a space. */
const dropHardBreak = (line: string) => (/(^|[^\\])(\\\\)*\\$/.test(line) ? line.slice(0, -1) : line)
const joinLines = (lines: string[]) => lines.map((l) => dropHardBreak(l.trim())).join(' ').trim()

export function parseMarkdown(md: string): Block[] {
  const blocks: Block[] = []
  const lines = md.replace(/\0/g, '\uFFFD').split(/\r\n|\r|\n/)
  let paragraph: string[] | null = null
  let list: string[][] | null = null
  let afterBlank = false

  const close = () => {
    if (paragraph) {
      const text = joinLines(paragraph)
      const image = imageOf(text)
      blocks.push(image ? { type: 'image', ...image } : { type: 'paragraph', content: parseInline(text) })
    }
    if (list) blocks.push({ type: 'list', items: list.map((item) => parseInline(joinLines(item))) })
    paragraph = null
    list = null
  }

  for (const line of lines) {
    if (BLANK.test(line)) {
      if (paragraph) close()
      afterBlank = true
      continue
    }
    const heading = HEADING.exec(line)
    if (heading) {
      close()
      const level = heading[1]!.length as 1 | 2 | 3 | 4 | 5 | 6
      const text = (heading[2] ?? '').replace(/(^|[ \t]+)#+[ \t]*$/, '').trim()
      blocks.push({ type: 'heading', level, content: parseInline(text) })
      afterBlank = false
      continue
    }
    const bullet = BULLET.exec(line)
    if (bullet) {
      if (!list) { close(); list = [] }
      list.push([bullet[1]!])
      afterBlank = false
      continue
    }
    if (list) {
      const current = list[list.length - 1]!
      // An indented line continues the item; so does an unindented one right after it (lazy continuation).
      if (/^[ \t]/.test(line) || !afterBlank) { current.push(line); afterBlank = false; continue }
      close()
    }
    if (!paragraph) paragraph = []
    paragraph.push(line)
    afterBlank = false
  }
  close()
  return blocks
}
