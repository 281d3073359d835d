/** The app's strings through a real i18next, as the browser has them, without a browser. */
import i18next from 'i18next'
import type { TFunction } from 'i18next'
import { en } from '../../client/src/locales/en'
import { fr } from '../../client/src/locales/fr'

/**
 * A `t` for one language with no fallback to the other: a missing French string comes out as its key,
 * never as the English one.
 */
export async function fixedT(language: 'fr' | 'en'): Promise<TFunction> {
  const instance = i18next.createInstance()
  await instance.init({
    resources: { en: { translation: en }, fr: { translation: fr } },
    lng: language, fallbackLng: false, supportedLngs: ['fr', 'en'],
    interpolation: { escapeValue: false }, returnNull: false,
  })
  return instance.getFixedT(language)
}
