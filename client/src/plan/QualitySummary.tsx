/** A plan's quality in words and numbers: "each person meets 11 new people on average; 0 repeated encounters; …". */
import { useTranslation } from 'react-i18next'
import type { PlanQuality } from '../../../shared/rotation'

export function QualitySummary({ quality }: { quality: PlanQuality }) {
  const { t, i18n } = useTranslation()
  const value = new Intl.NumberFormat(i18n.resolvedLanguage ?? 'fr', { maximumFractionDigits: 1 }).format(quality.averageNewPeople)
  const parts = [
    t('plan.meets', { value }),
    t('plan.repeats', { count: quality.repeatedEncounters }),
    t('plan.orgTables', { count: quality.sameOrganisationTables }),
  ]
  // Only when something is off: these are zero in any plan the server makes by itself.
  const problems = [
    quality.sizeImbalance > 1 ? t('plan.imbalance', { count: quality.sizeImbalance }) : null,
    quality.capacityViolations > 0 ? t('plan.overCapacity', { count: quality.capacityViolations }) : null,
    quality.revisits > 0 ? t('plan.revisits', { count: quality.revisits }) : null,
  ].filter((x): x is string => x !== null)
  const sentence = parts.join(t('plan.sep'))
  return (
    <p className="plan-quality" data-testid="plan-quality">
      {sentence.charAt(0).toUpperCase() + sentence.slice(1)}.
      {problems.length > 0 && <strong className="warn-text"> {problems.join(t('plan.sep'))}.</strong>}
    </p>
  )
}
