/**
 * The prose a harvester writes by hand in a free section ("Comment ?"), as Markdown of the synthesis:
 * paragraphs (separated by a blank line), lines starting with "- " as list items, and **bold**. Anything
 * else that Markdown or HTML would read (links, headings, `<tags>`, entities) is escaped: literal text.
 */
import { normalizeText } from '../markdown'

const escapeChars = (s: string) => s.replace(/[\\`*_[\]<>#|~]/g, '\\$&').replace(/&(?=[#A-Za-z])/g, '\\&')

/** One line of inline text: `**…**` pairs stay bold, everything else (an unclosed `**` too) is literal. */
function inline(line: string): string {
  const parts = normalizeText(line).split('**')
  let out = ''
  parts.forEach((p, i) => {
    if (i % 2 === 0) out += escapeChars(p)
    else if (i === parts.length - 1) out += `\\*\\*${escapeChars(p)}` // no closing marker
    else if (p.trim() !== '' && p === p.trim()) out += `**${escapeChars(p)}**`
    else out += `\\*\\*${escapeChars(p)}\\*\\*` // "** x**" would not be bold to a reader either
  })
  // What would start a block at the beginning of a line stays text.
  return out.replace(/^[-+=]/, '\\$&').replace(/^(\d+)([.)])/, '$1\\$2')
}

/** The free text as Markdown blocks ('' when there is none). */
export function freeTextMarkdown(text: string): string {
  const blocks: string[] = []
  for (const para of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = para.split('\n').map((l) => l.trim()).filter(Boolean)
    let prose: string[] = []
    let items: string[] = []
    const flush = () => {
      if (prose.length) blocks.push(inline(prose.join(' ')))
      if (items.length) blocks.push(items.map((i) => `- ${inline(i)}`).join('\n'))
      prose = []
      items = []
    }
    for (const l of lines) {
      const item = /^[-*•]\s+(.*)$/.exec(l)
      if (item) { if (prose.length) flush(); items.push(item[1]!) } else { if (items.length) flush(); prose.push(l) }
    }
    flush()
  }
  return blocks.filter((b) => b.trim() !== '').join('\n\n')
}
