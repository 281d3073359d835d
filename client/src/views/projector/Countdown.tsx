import type { TFunction } from 'i18next'
import { formatCountdown, timeLeftMs } from '../../../../shared/clock'
import type { LifecycleState } from '../../../../shared/lifecycle'
import { useNow } from '../../hooks'

/** Time left in the round or before the next one, with the device clock corrected by the server offset (null: no deadline). */
function msLeft(lc: LifecycleState, now: number, offsetMs: number): number | null {
  if (lc.phase === 'round') return timeLeftMs(lc.timer, now, offsetMs)
  if (lc.phase === 'transition') return lc.endsAt === null ? null : Math.max(0, lc.endsAt - (now + offsetMs))
  return null
}

/** The last minute of a round shows in the warning colour. */
const URGENT_MS = 60_000

/**
 * The projector's countdown, readable across the room: a caption and very large digits. Its own small
 * component, so that only it re-renders four times a second. Nothing when there is no deadline.
 */
export function Countdown({ lifecycle, offsetMs, caption, t, className }: { lifecycle: LifecycleState; offsetMs: number; caption: string; t: TFunction; className: string }) {
  const now = useNow(250)
  const ms = msLeft(lifecycle, now, offsetMs)
  if (ms === null) return null
  const paused = lifecycle.phase === 'round' && lifecycle.timer.status === 'paused'
  const urgent = lifecycle.phase === 'round' && !paused && ms <= URGENT_MS
  return (
    <div className={`${className}${urgent ? ' urgent' : ''}${paused ? ' paused' : ''}`} role="timer" aria-live="off">
      <span className="pj-countdown-caption">{paused ? t('projector.paused') : caption}</span>
      <span className="pj-countdown-value">{formatCountdown(ms)}</span>
    </div>
  )
}
