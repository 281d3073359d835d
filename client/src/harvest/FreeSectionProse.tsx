/** The prose of a free section ("Comment ?"), written by hand by the team together; it opens the section in the synthesis. */
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type * as Y from 'yjs'
import { MAX_SECTION_TEXT_CHARS, sectionProse } from '../../../shared/harvest'
import { SharedTextArea } from './SharedTextArea'

export function FreeSectionProse({ doc, sectionId }: { doc: Y.Doc; sectionId: string }) {
  const { t } = useTranslation()
  const [text, setText] = useState<Y.Text | null>(null)
  // An older section has no text yet: it is created on first view.
  useEffect(() => setText(sectionProse(doc, sectionId)), [doc, sectionId])
  if (!text) return null
  return (
    <section className="card free-prose">
      <label htmlFor={`prose-${sectionId}`} className="eyebrow">{t('harvest.prose.sectionText')}</label>
      <p className="muted" id={`prose-${sectionId}-help`}>{t('harvest.prose.sectionTextHelp')}</p>
      <SharedTextArea doc={doc} text={text} id={`prose-${sectionId}`} describedBy={`prose-${sectionId}-help`} maxLength={MAX_SECTION_TEXT_CHARS} minRows={6} />
    </section>
  )
}
