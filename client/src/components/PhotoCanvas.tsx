/**
 * A picture from bytes fetched with credentials, drawn on a canvas: the page's content security policy
 * lets images come only from the server's own URLs (no blob: or data:), and a photo's URL would need
 * the key. The canvas is an image to assistive technologies, with its name.
 */
import { useEffect, useRef, useState } from 'react'

/** Pixels the canvas keeps at most on its long side (it is shown smaller; a zoomed phone stays sharp). */
const MAX_CANVAS_PX = 1200

export function PhotoCanvas({ load, label, className = '', placeholder }: {
  /** Gives the bytes; called again when it changes. */
  load: () => Promise<Blob>
  label: string
  className?: string
  /** Shown while loading, and if it cannot be shown. */
  placeholder: string
}) {
  const ref = useRef<HTMLCanvasElement>(null)
  const [state, setState] = useState<'loading' | 'shown' | 'failed'>('loading')
  useEffect(() => {
    let cancelled = false
    setState('loading')
    load()
      .then((blob) => createImageBitmap(blob))
      .then((bitmap) => {
        const canvas = ref.current
        if (cancelled || !canvas) { bitmap.close(); return }
        const scale = Math.min(1, MAX_CANVAS_PX / Math.max(bitmap.width, bitmap.height))
        canvas.width = Math.max(1, Math.round(bitmap.width * scale))
        canvas.height = Math.max(1, Math.round(bitmap.height * scale))
        canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
        bitmap.close()
        setState('shown')
      })
      .catch(() => { if (!cancelled) setState('failed') })
    return () => { cancelled = true }
  }, [load])
  return (
    <div className={`photo-canvas ${className}`}>
      <canvas ref={ref} role="img" aria-label={label} hidden={state !== 'shown'} />
      {state !== 'shown' && <p className="photo-placeholder" role="img" aria-label={label} aria-busy={state === 'loading'}>{placeholder}</p>}
    </div>
  )
}
