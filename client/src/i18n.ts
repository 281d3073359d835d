/** French and English for every string; the browser's language picks one, the switch changes it. */
import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import { en } from './locales/en'
import { fr } from './locales/fr'

const STORAGE_KEY = 'nappe.language'

export function detectLanguage(): 'fr' | 'en' {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (saved === 'fr' || saved === 'en') return saved
  } catch { /* ignore */ }
  for (const lang of navigator.languages ?? [navigator.language]) {
    const base = lang.toLowerCase().slice(0, 2)
    if (base === 'fr' || base === 'en') return base
  }
  return 'fr'
}

export function initI18n(): void {
  void i18n.use(initReactI18next).init({
    resources: { en: { translation: en }, fr: { translation: fr } },
    lng: detectLanguage(),
    fallbackLng: 'en',
    supportedLngs: ['fr', 'en'],
    interpolation: { escapeValue: false }, // React escapes; nothing is ever injected as HTML
    returnNull: false,
  })
  i18n.on('languageChanged', (lng) => {
    try { localStorage.setItem(STORAGE_KEY, lng) } catch { /* ignore */ }
  })
}
