/** "just now", "3 minutes ago", "2 hours ago" in the user's language (`Intl.RelativeTimeFormat`), never "0 min ago". */
import type { TFunction } from 'i18next'

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

/** How long ago `elapsedMs` was: under a minute, `common.justNow`; then minutes, hours, days. */
export function timeAgo(elapsedMs: number, language: string, t: TFunction): string {
  const ms = Math.max(0, elapsedMs)
  if (ms < MINUTE_MS) return t('common.justNow')
  const format = new Intl.RelativeTimeFormat(language, { numeric: 'auto' })
  if (ms < HOUR_MS) return format.format(-Math.floor(ms / MINUTE_MS), 'minute')
  if (ms < DAY_MS) return format.format(-Math.floor(ms / HOUR_MS), 'hour')
  return format.format(-Math.floor(ms / DAY_MS), 'day')
}
