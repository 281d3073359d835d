import { useTranslation } from 'react-i18next'
import { LANGUAGES } from '../../../shared/cafe'

export function LanguageSwitch() {
  const { i18n, t } = useTranslation()
  return (
    <div className="lang-switch" role="group" aria-label={t('common.language')}>
      {LANGUAGES.map((lng) => (
        <button key={lng} type="button" lang={lng} aria-pressed={i18n.resolvedLanguage === lng} className={i18n.resolvedLanguage === lng ? 'active' : ''} onClick={() => void i18n.changeLanguage(lng)}>
          {lng.toUpperCase()}
        </button>
      ))}
    </div>
  )
}
