import { describe, expect, it } from 'vitest'
import type { Block, Inline } from '../../shared/markdown'
import { escapeMarkdown, inlineText, normalizeText, parseInline, parseMarkdown, startsWithTitle } from '../../shared/markdown'
import { createRandom } from '../../shared/random'

const p = (...content: Inline[]): Block => ({ type: 'paragraph', content })
const t = (text: string, style: Omit<Inline, 'text'> = {}): Inline => ({ text, ...style })

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '![x](http://evil/x.png)',
  '**bold**',
  '__bold__ and *it* and _it_',
  '# title',
  '###### six',
  '- not a list',
  '+ not a list',
  '* not a list',
  '1. not ordered',
  '2) not ordered',
  '> not a quote',
  '---',
  '===',
  '`code` and ```fence```',
  '<http://autolink.example>',
  '<script>alert("x")</script>',
  '| a | b |',
  '~~strike~~',
  'a &amp; b &#60; c &lt; d & e',
  'trailing backslash \\',
  'line one\nline two\n\n- three\n# four',
  '    indented code',
  'Comment ? « Les freins » — l’œuvre, ça, été, à, où 🎉',
  '\\*already escaped\\*',
  'foo\\\nbar',
  '[link]: http://example.com "title"',
]

/** Punctuation an escaped text must never leave unescaped (outside of escape pairs). */
function unescaped(escaped: string): string[] {
  const found: string[] = []
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped[i]!
    if (c === '\\') { i++; continue }
    if ('`*_[]<>#|~'.includes(c)) found.push(c)
    if (c === '&' && /[#A-Za-z]/.test(escaped[i + 1] ?? '')) found.push('&')
  }
  return found
}

describe('escapeMarkdown', () => {
  it.each(HOSTILE)('makes %j literal text on one line', (s) => {
    const escaped = escapeMarkdown(s)
    expect(escaped).not.toMatch(/[\r\n]/)
    expect(unescaped(escaped)).toEqual([])
    expect(escaped).not.toMatch(/^([-+=]|\d+[.)])/) // nothing that starts a block
    expect(parseMarkdown(escaped)).toEqual([p(t(normalizeText(s)))])
  })

  it('stays readable: common punctuation is not escaped, newlines fold into spaces', () => {
    expect(escapeMarkdown('  Comment ?\n(voir : l’été, « oui » !)  ')).toBe('Comment ? (voir : l’été, « oui » !)')
    expect(escapeMarkdown('**Le temps**')).toBe('\\*\\*Le temps\\*\\*')
    expect(escapeMarkdown('1. a - b + c')).toBe('1\\. a - b + c')
    expect(escapeMarkdown('Tom & Jerry &amp;')).toBe('Tom & Jerry \\&amp;')
    expect(escapeMarkdown(' \n\t ')).toBe('')
  })

  it('keeps user text literal inside a heading or a list item too', () => {
    for (const s of HOSTILE) {
      const text = normalizeText(s)
      expect(parseMarkdown(`## ${escapeMarkdown(s)}`)).toEqual([{ type: 'heading', level: 2, content: [t(text)] }])
      expect(parseMarkdown(`- ${escapeMarkdown(s)}\n- **${escapeMarkdown(s)}**`)).toEqual([{ type: 'list', items: [[t(text)], [t(text, { bold: true })]] }])
    }
  })

  it('round-trips arbitrary strings (property, seeded)', () => {
    const random = createRandom(20240917)
    const alphabet = [
      ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', ...'abcXYZ019', ' ', ' ', '  ', '\n', '\r\n', '\t', '\u00a0', '\u202f',
      ...'éèàçœŒ’«»—…', '🎉', '👩🏽‍🌾', '中文', '\u200b', '\u00ad', '\0',
      '**', '__', '# ', '- ', '1. ', '<b>', '](', '\\*', '&amp;', '&#35;', '\n\n', '\n- ', '\n# ', '\n    ',
    ]
    for (let n = 0; n < 3000; n++) {
      let s = ''
      for (let len = random.int(24); len > 0; len--) s += alphabet[random.int(alphabet.length)]
      const expected = normalizeText(s)
      const escaped = escapeMarkdown(s)
      const blocks = parseMarkdown(escaped)
      if (expected === '') { expect(blocks, JSON.stringify(s)).toEqual([]); continue }
      expect(blocks, JSON.stringify(s)).toHaveLength(1)
      const [block] = blocks
      expect(block!.type, JSON.stringify(s)).toBe('paragraph')
      const content = block!.type === 'paragraph' ? block!.content : []
      expect(inlineText(content), JSON.stringify(s)).toBe(expected)
      expect(content.some((i) => i.bold || i.italic), JSON.stringify(s)).toBe(false)
      expect(unescaped(escaped), JSON.stringify(s)).toEqual([])
    }
  })
})

describe('parseMarkdown', () => {
  it('reads headings of every level, with optional closing hashes', () => {
    const md = '# Un\n## Deux ##\n### Trois\n#### Quatre\n##### Cinq\n###### Six #\n####### Sept\n#Pas un titre\n#'
    expect(parseMarkdown(md)).toEqual([
      { type: 'heading', level: 1, content: [t('Un')] },
      { type: 'heading', level: 2, content: [t('Deux')] },
      { type: 'heading', level: 3, content: [t('Trois')] },
      { type: 'heading', level: 4, content: [t('Quatre')] },
      { type: 'heading', level: 5, content: [t('Cinq')] },
      { type: 'heading', level: 6, content: [t('Six')] },
      p(t('####### Sept #Pas un titre')),
      { type: 'heading', level: 1, content: [] },
    ])
  })

  it('joins paragraph lines and splits paragraphs on blank lines', () => {
    expect(parseMarkdown('Ligne une\n  ligne deux  \n\n\nAutre\r\nparagraphe\n')).toEqual([p(t('Ligne une ligne deux')), p(t('Autre paragraphe'))])
    expect(parseMarkdown('')).toEqual([])
    expect(parseMarkdown('\n \n\t\n')).toEqual([])
  })

  it('reads bullet lists, continuation lines and lists interrupting paragraphs', () => {
    const md = 'Avant\n- un\n  suite de un\n* deux **gras**\n+ trois\nparesseuse\n\n- quatre\n\nAprès'
    expect(parseMarkdown(md)).toEqual([
      p(t('Avant')),
      { type: 'list', items: [[t('un suite de un')], [t('deux '), t('gras', { bold: true })], [t('trois paresseuse')], [t('quatre')]] },
      p(t('Après')),
    ])
    expect(parseMarkdown('-pas une liste\n*pas non plus*')).toEqual([p(t('-pas une liste '), t('pas non plus', { italic: true }))])
  })

  it('reads bold, italic and their nesting', () => {
    expect(parseInline('**Le temps** et *l’espace* et _ici_')).toEqual([t('Le temps', { bold: true }), t(' et '), t('l’espace', { italic: true }), t(' et '), t('ici', { italic: true })])
    expect(parseInline('***les deux***')).toEqual([t('les deux', { bold: true, italic: true })])
    expect(parseInline('**gras *et italique* puis gras**')).toEqual([t('gras ', { bold: true }), t('et italique', { bold: true, italic: true }), t(' puis gras', { bold: true })])
    expect(parseInline('__gras__')).toEqual([t('gras', { bold: true })])
  })

  it('leaves unmatched or intraword delimiters literal', () => {
    expect(parseInline('snake_case_name')).toEqual([t('snake_case_name')])
    expect(parseInline('**pas fermé')).toEqual([t('**pas fermé')])
    expect(parseInline('2 * 3 * 4')).toEqual([t('2 * 3 * 4')])
    expect(parseInline('**foo*')).toEqual([t('*'), t('foo', { italic: true })])
    expect(parseInline('a ** b')).toEqual([t('a ** b')])
  })

  it('never interprets HTML, links, images, code or entities', () => {
    const md = '<b>x</b> [a](http://x) ![i](y.png) `code` &amp; <http://z>'
    expect(parseMarkdown(md)).toEqual([p(t(md))])
  })

  it('honours backslash escapes, and keeps a backslash before anything else', () => {
    expect(parseInline('\\*pas\\* \\\\ \\é \\_x\\_')).toEqual([t('*pas* \\ \\é _x_')])
    expect(parseMarkdown('\\# pas un titre\n\n\\- pas une liste')).toEqual([p(t('# pas un titre')), p(t('- pas une liste'))])
  })

  it('knows when the document already opens with its title', () => {
    const blocks = parseMarkdown('#  Synthèse  du café\n\nTexte')
    expect(startsWithTitle(blocks, 'Synthèse du Café')).toBe(true)
    expect(startsWithTitle(blocks, 'Autre')).toBe(false)
    expect(startsWithTitle(parseMarkdown('## Synthèse du café'), 'Synthèse du café')).toBe(false)
  })
})
