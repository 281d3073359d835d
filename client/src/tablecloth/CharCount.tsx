import { useTranslation } from 'react-i18next'
import { TABLECLOTH_LIMITS } from '../../../shared/tableclothRules'

/** "1850 / 2000 characters", shown from 90 % of the server's limit on a note (a polite live region). */
export function CharCount({ length }: { length: number }) {
  const { t } = useTranslation()
  const max = TABLECLOTH_LIMITS.textChars
  return <span className={length >= max ? 'char-count full' : 'char-count'} aria-live="polite">{length >= max * 0.9 ? t('board.chars', { count: length, max }) : ''}</span>
}
