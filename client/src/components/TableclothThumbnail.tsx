import { useItems } from '../hooks'
import type { TableclothSession } from '../transport/TableclothSession'
import { ItemsLayer } from '../tablecloth/ItemsLayer'
import { SHEET } from '../tablecloth/inks'

/** A live miniature of a whole tablecloth (facilitator overview, projector gallery). */
export function TableclothThumbnail({ session, round, label }: { session: TableclothSession | null; round: number; label: string }) {
  const { items } = useItems(session)
  return (
    <svg className="thumbnail" viewBox={`0 0 ${SHEET.width} ${SHEET.height}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
      <rect width={SHEET.width} height={SHEET.height} fill="#fbf8f1" />
      <ItemsLayer items={items} currentRound={round} earlier="show" thumbnail />
    </svg>
  )
}

/** How lively a table is: items per minute lately, from the tablecloth's change times. */
export function useActivity(session: TableclothSession | null): { items: number; lastChangeAt: number | null } {
  const { items, lastChangeAt } = useItems(session)
  return { items: items.length, lastChangeAt }
}
