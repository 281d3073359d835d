/**
 * The harvest: open the studio (which ends nothing: the tables go on writing), the projector once the
 * rounds are over, and the exports. Ending the rounds is in the bar's menu, under its own name.
 */
import { useTranslation } from 'react-i18next'
import { ExportButtons } from '../harvest/ExportButtons'
import { navigate } from '../router'

export function HarvestPanel({ cafeId, facilitatorKey, over, onShowKey }: { cafeId: string; facilitatorKey: string; over: boolean; onShowKey(): void }) {
  const { t } = useTranslation()
  const studio = `/harvest/${cafeId}#key=${facilitatorKey}`
  return (
    <section className="card harvest-panel" aria-labelledby="harvest-title">
      <h2 id="harvest-title">{t('console.harvestTitle')}</h2>
      <p>{over ? t('console.overText') : t('console.harvestDuring')}</p>
      <div className="row wrap">
        <a className="button primary" href={studio} onClick={(e) => { e.preventDefault(); navigate(studio) }}>{t('console.openStudio')}</a>
        {over && <a className="button" href={`/projector/${cafeId}#key=${facilitatorKey}`} target="_blank" rel="noreferrer">{t('console.projector')}</a>}
        {over && <button type="button" id="keep-link-open" onClick={onShowKey}>{t('console.keepOpen')}</button>}
      </div>
      <h3>{t('console.exports')}</h3>
      <ExportButtons cafeId={cafeId} facilitatorKey={facilitatorKey} />
    </section>
  )
}
