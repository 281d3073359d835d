/**
 * Copies text to the clipboard. The Clipboard API exists only on secure pages (https, localhost): on
 * http://192.168.x.y, as in a room, the older `execCommand('copy')` on a selected field does it.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch { /* refused: try the older way */ }
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.className = 'sr-only'
  const focused = document.activeElement as HTMLElement | null
  document.body.append(area)
  area.select()
  let done = false
  try { done = document.execCommand('copy') } catch { done = false }
  area.remove()
  focused?.focus()
  return done
}
