/** The synthesis as a reader sees it, built as React elements from the Markdown subset (never as HTML). */
import type { Block, Inline } from '../../../shared/markdown'
import { parseMarkdown } from '../../../shared/markdown'

function Runs({ content }: { content: Inline[] }) {
  return <>{content.map((r, i) => {
    let node: React.ReactNode = r.text
    if (r.italic) node = <em>{node}</em>
    if (r.bold) node = <strong>{node}</strong>
    return <span key={i}>{node}</span>
  })}</>
}

function BlockView({ block }: { block: Block }) {
  switch (block.type) {
    case 'heading': {
      const H = `h${Math.min(6, block.level + 1)}` as 'h2' // the page has its own h1
      return <H><Runs content={block.content} /></H>
    }
    case 'paragraph': return <p><Runs content={block.content} /></p>
    case 'list': return <ul>{block.items.map((item, i) => <li key={i}><Runs content={item} /></li>)}</ul>
  }
}

export function MarkdownPreview({ markdown }: { markdown: string }) {
  return <div className="synthesis-preview">{parseMarkdown(markdown).map((b, i) => <BlockView key={i} block={b} />)}</div>
}
