import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { LanguageSwitch } from '../components/LanguageSwitch'
import { navigate } from '../router'

/** The frame of every screen: a slim header with the home link and the language switch. */
export function Page({ children, wide = false, header }: { children: ReactNode; wide?: boolean; header?: ReactNode }) {
  const { t } = useTranslation()
  return (
    <div className={wide ? 'page wide' : 'page'}>
      <header className="topbar">
        {/* Its name starts with what it shows ("Nappe, Home"): the visible word is the one voice control users say. */}
        <a href="/" className="brand" onClick={(e) => { e.preventDefault(); navigate('/') }} aria-label={`Nappe, ${t('common.home')}`}>
          <span className="brand-mark" aria-hidden="true">▦</span> Nappe
        </a>
        <div className="topbar-middle">{header}</div>
        <LanguageSwitch />
      </header>
      <main id="main">{children}</main>
    </div>
  )
}

export function FullMessage({ title, text, action }: { title: string; text?: string; action?: ReactNode }) {
  return (
    <Page>
      <section className="card center">
        <h1>{title}</h1>
        {text && <p>{text}</p>}
        {action}
      </section>
    </Page>
  )
}
