/** The synthesis as a reader sees it, built as React elements from the Markdown subset (never as HTML). */
import { useCallback } from 'react'
import { useTranslation } from 'react-i18next'
import type { Block, Inline } from '../../../shared/markdown'
import { parseMarkdown } from '../../../shared/markdown'
import { PhotoCanvas } from '../components/PhotoCanvas'
import { photoBlob, usePhotos } from './photoApi'
import '../components/photos.css'

function Runs({ content }: { content: Inline[] }) {
  return <>{content.map((r, i) => {
    let node: React.ReactNode = r.text
    if (r.italic) node = <em>{node}</em>
    if (r.bold) node = <strong>{node}</strong>
    return <span key={i}>{node}</span>
  })}</>
}

/**
 * A picture the synthesis names: a photo of a paper tablecloth is fetched (the key in a header) and
 * shown; a drawn tablecloth is only drawn by the exports, so the preview says where it will be.
 */
function Picture({ alt, path }: { alt: string; path: string }) {
  const { t } = useTranslation()
  const feed = usePhotos()
  const photo = feed?.photos?.find((p) => p.path === path)
  const cafeId = feed?.cafeId, key = feed?.key, id = photo?.id
  const load = useCallback(() => (cafeId && key && id ? photoBlob(cafeId, key, id) : Promise.reject(new Error('no photo'))), [cafeId, key, id])
  return (
    <figure>
      {photo
        ? <PhotoCanvas load={load} label={alt} placeholder={t('photos.loading', { photo: alt })} />
        : <p className="photo-placeholder" role="img" aria-label={alt}>{t('photos.inExports', { caption: alt })}</p>}
      <figcaption>{alt}</figcaption>
    </figure>
  )
}

function BlockView({ block }: { block: Block }) {
  switch (block.type) {
    case 'heading': {
      const H = `h${Math.min(6, block.level + 1)}` as 'h2' // the page has its own h1
      return <H><Runs content={block.content} /></H>
    }
    case 'paragraph': return <p><Runs content={block.content} /></p>
    case 'list': return <ul>{block.items.map((item, i) => <li key={i}><Runs content={item} /></li>)}</ul>
    case 'image': return <Picture alt={block.alt} path={block.path} />
    default: { const never: never = block; return never }
  }
}

export function MarkdownPreview({ markdown }: { markdown: string }) {
  return <div className="synthesis-preview">{parseMarkdown(markdown).map((b, i) => <BlockView key={i} block={b} />)}</div>
}
