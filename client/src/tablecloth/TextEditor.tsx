import { useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { TableclothItem } from '../../../shared/tablecloth'
import { TABLECLOTH_LIMITS } from '../../../shared/tableclothRules'
import { CharCount } from './CharCount'

/**
 * The in-place editor of a note or text block: stops at the server's length, with a counter near it.
 * Escape or Ctrl+Enter leave it by keyboard (`onDone('keyboard')`: focus goes back to the item); leaving it
 * by touching elsewhere is `onDone('blur')`.
 */
export function TextEditor({ item, onChange, onDone }: { item: TableclothItem; onChange(text: string): void; onDone(how: 'keyboard' | 'blur'): void }) {
  const { t } = useTranslation()
  const initial = 'text' in item ? item.text : ''
  const [length, setLength] = useState(initial.length)
  const byKeyboard = useRef(false)
  const max = TABLECLOTH_LIMITS.textChars
  return (
    <div className="editor-wrap">
      <textarea
        className={item.kind === 'note' ? 'note-editor' : 'text-editor'}
        autoFocus
        aria-label={t('board.editText')}
        defaultValue={initial}
        maxLength={max}
        style={item.kind === 'text' ? { color: item.color, fontSize: (item as { size: number }).size } : undefined}
        onFocus={(e) => { const end = e.target.value.length; e.target.setSelectionRange(end, end) }}
        onChange={(e) => { setLength(e.target.value.length); onChange(e.target.value) }}
        onKeyDown={(e) => {
          e.stopPropagation()
          if (e.key === 'Escape' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) {
            e.preventDefault()
            byKeyboard.current = true
            ;(e.target as HTMLTextAreaElement).blur()
          }
        }}
        onBlur={() => { onDone(byKeyboard.current ? 'keyboard' : 'blur'); byKeyboard.current = false }}
        onPointerDown={(e) => e.stopPropagation()}
      />
      <CharCount length={length} />
    </div>
  )
}
