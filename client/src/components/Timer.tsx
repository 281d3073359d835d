import { useTranslation } from 'react-i18next'
import { formatCountdown, timeLeftMs } from '../../../shared/clock'
import type { LifecycleState } from '../../../shared/lifecycle'
import { useNow } from '../hooks'
import './timer.css'

/** The round (or transition) countdown, read with the device clock corrected by the server offset. */
export function Timer({ lifecycle, offsetMs, size = 'normal' }: { lifecycle: LifecycleState; offsetMs: number; size?: 'normal' | 'big' }) {
  const { t } = useTranslation()
  const now = useNow(250)
  let ms: number | null = null
  let caption = ''
  if (lifecycle.phase === 'round') {
    ms = timeLeftMs(lifecycle.timer, now, offsetMs)
    caption = lifecycle.timer.status === 'paused' ? t('timer.paused') : t('timer.roundN', { n: lifecycle.round })
  } else if (lifecycle.phase === 'transition') {
    ms = lifecycle.endsAt === null ? null : Math.max(0, lifecycle.endsAt - (now + offsetMs))
    // "Next round in 0:42", or, when the facilitator starts it by hand, "Next round: waiting for the facilitator".
    caption = ms === null ? t('timer.nextRound') : t('timer.move')
  }
  if (ms === null && lifecycle.phase !== 'transition') return null
  const urgent = ms !== null && ms <= 60_000 && lifecycle.phase === 'round'
  return (
    <div className={`timer timer-${size}${urgent ? ' urgent' : ''}${lifecycle.phase === 'round' && lifecycle.timer.status === 'paused' ? ' paused' : ''}`} role="timer" aria-live="off">
      <span className="timer-caption">{caption}</span>
      <span className={ms === null ? 'timer-value timer-waiting' : 'timer-value'}>{ms === null ? t('timer.waiting') : formatCountdown(ms)}</span>
    </div>
  )
}
