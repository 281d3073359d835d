/** The words for why the server refused a change, with the rules' own numbers. */
import type { TFunction } from 'i18next'
import type { RefusalReason } from '../../../shared/tableclothRules'
import { TABLECLOTH_LIMITS } from '../../../shared/tableclothRules'

const MAX_OF: Partial<Record<RefusalReason, number>> = {
  'too-many-items': TABLECLOTH_LIMITS.itemsPerPersonRound,
  'text-too-long': TABLECLOTH_LIMITS.textChars,
  'too-many-dots': TABLECLOTH_LIMITS.dotsPerPerson,
}

export function refusalText(t: TFunction, reason: RefusalReason): string {
  return t(`refusal.${reason}`, { max: MAX_OF[reason] })
}
