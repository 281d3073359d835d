/**
 * A textarea on a shared Y.Text (a part of the synthesis, a free section's prose). Local typing goes in as
 * minimal edits under this editor's own origin; other people's edits come from the Y.Text itself (not
 * from React state, which lags a frame behind the keyboard) and shift the caret by what was inserted or
 * removed before it.
 */
import { useEffect, useMemo, useRef, useState } from 'react'
import type * as Y from 'yjs'
import { replaceText } from '../../../shared/tablecloth'

export function SharedTextArea({ doc, text, id, describedBy, maxLength, minRows = 4 }: {
  doc: Y.Doc
  text: Y.Text
  id: string
  describedBy?: string
  maxLength?: number
  minRows?: number
}) {
  const ref = useRef<HTMLTextAreaElement>(null)
  const origin = useMemo(() => ({ editor: id }), [id])
  const [rows, setRows] = useState(minRows)
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const fit = () => setRows(Math.min(30, Math.max(minRows, el.value.split('\n').length + 1)))
    el.value = text.toString()
    fit()
    const onRemote = (event: Y.YTextEvent, tr: Y.Transaction) => {
      if (tr.origin === origin) return
      let [start, end] = [el.selectionStart, el.selectionEnd]
      let index = 0
      for (const op of event.delta) {
        if (op.retain !== undefined) index += op.retain
        else if (typeof op.insert === 'string') {
          const n = op.insert.length
          if (index < start) start += n
          if (index < end) end += n
          index += n
        } else if (op.delete !== undefined) {
          const n = op.delete
          if (index < start) start -= Math.min(n, start - index)
          if (index < end) end -= Math.min(n, end - index)
        }
      }
      const focused = document.activeElement === el
      el.value = text.toString()
      if (focused) el.setSelectionRange(start, end)
      fit()
    }
    text.observe(onRemote)
    return () => text.unobserve(onRemote)
  }, [text, origin, minRows])
  return (
    <textarea
      id={id}
      aria-describedby={describedBy}
      ref={ref}
      rows={rows}
      maxLength={maxLength}
      spellCheck
      onChange={(e) => { const next = e.target.value; doc.transact(() => replaceText(text, next), origin) }}
    />
  )
}
