import { TABLECLOTH_LIMITS } from '../../../shared/tableclothRules'

/**
 * Each round writes in its own ink family, so the traces of round 1, 2, 3 are told apart at a glance.
 * The sticky notes of a round share a paper colour too.
 */
export interface InkFamily { name: string; inks: readonly [string, string, string]; note: string }

export const ROUND_INKS: readonly InkFamily[] = [
  { name: 'blue', inks: ['#1d4ed8', '#0e7490', '#1e293b'], note: '#fde68a' },
  { name: 'red', inks: ['#b91c1c', '#c2410c', '#7c2d12'], note: '#bbf7d0' },
  { name: 'green', inks: ['#15803d', '#4d7c0f', '#064e3b'], note: '#bfdbfe' },
  { name: 'purple', inks: ['#7e22ce', '#a21caf', '#4c1d95'], note: '#fbcfe8' },
  { name: 'brown', inks: ['#92400e', '#a16207', '#451a03'], note: '#fed7aa' },
]

export const inkFamily = (round: number): InkFamily => ROUND_INKS[(Math.max(1, round) - 1) % ROUND_INKS.length]!

/** Sheet size in sheet units; the view pans and zooms over it. */
export const SHEET = { width: 2400, height: 1600 } as const
export const NOTE_SIZE = { width: 200, height: 150 } as const
/** Dots each participant may place on one tablecloth: the server's rule. */
export const DOTS_PER_PERSON = TABLECLOTH_LIMITS.dotsPerPerson
