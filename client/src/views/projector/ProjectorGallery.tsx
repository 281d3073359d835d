import type { CSSProperties } from 'react'
import type { TFunction } from 'i18next'
import type { CafeDefinition } from '../../../../shared/cafe'
import { questionOf } from '../../../../shared/cafe'
import type { ParticipantView } from '../../../../shared/protocol'
import { TableclothThumbnail } from '../../components/TableclothThumbnail'
import { Icon } from '../../components/Icon'
import type { TableclothPool } from '../../hooks'
import { galleryGrid } from './galleryGrid'
import { useElementSize } from '../../useElementSize'

/**
 * Every table's tablecloth, live, as big as the screen allows: the grid is chosen from the number of
 * tables and the room left (galleryGrid), and each thumbnail zooms on what is written, so the text grows with it.
 */
export function ProjectorGallery({ def, round, docs, pool, people, perTableQuestions, t }: {
  def: CafeDefinition
  round: number
  /** Each table's tablecloth document, in table order (null: no question at that table this round). */
  docs: ReadonlyArray<string | null>
  pool: TableclothPool
  /** Who sits where, for the count under each table; null to leave the count out. */
  people: ParticipantView[] | null
  /** The tables do not share one question: each caption says its own. */
  perTableQuestions: boolean
  t: TFunction
}) {
  const [ref, size] = useElementSize<HTMLElement>()
  // The captions' height in projector.css's unit (--u: 1% of a 16:9 picture fitted to the screen).
  const u = Math.min(window.innerHeight / 100, window.innerWidth * 0.005625)
  const { cols, rows } = galleryGrid(def.tables.length, size, { captionPx: (perTableQuestions ? 11.5 : 4.4) * u })
  return (
    <section ref={ref} className="projector-gallery" aria-label={t('projector.gallery')} style={{ '--pj-cols': cols, '--pj-rows': rows } as CSSProperties}>
      {def.tables.map((tb, i) => {
        const q = perTableQuestions ? questionOf(def, round, tb.id) : undefined
        const count = people?.filter((p) => p.tableId === tb.id && !p.left).length
        const doc = docs[i]
        return (
          <figure key={tb.id} className="pj-table">
            <figcaption>
              <span className="pj-table-name">{tb.name}</span>
              {count !== undefined && (
                <span className="pj-table-count"><Icon name="person" size={24} /><span aria-hidden="true">{count}</span><span className="sr-only">{t('projector.people', { count })}</span></span>
              )}
              {q && <span className="pj-table-question">{q.text}</span>}
            </figcaption>
            <div className="pj-thumb">
              <TableclothThumbnail fill session={doc ? pool.get(doc) ?? null : null} round={round} label={t('projector.thumbnailOf', { table: tb.name })} />
            </div>
          </figure>
        )
      })}
    </section>
  )
}
