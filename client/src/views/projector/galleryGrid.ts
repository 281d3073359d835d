/** Gap between two tablecloths of the projector's gallery, in CSS px (projector.css uses the same). */
export const GALLERY_GAP_PX = 16

export interface GalleryGrid { cols: number; rows: number }

/**
 * The grid that shows `count` tablecloths the biggest in a box of `width` × `height` px: each cell holds a
 * caption of `captionPx` and a sheet of `aspect` (width / height). Pure, so it is tested without a browser.
 */
export function galleryGrid(count: number, box: { width: number; height: number }, opts: { captionPx: number; gapPx?: number; aspect?: number }): GalleryGrid {
  const n = Math.max(1, count)
  const gap = opts.gapPx ?? GALLERY_GAP_PX
  const aspect = opts.aspect ?? 1.5
  let best: GalleryGrid & { fit: number } = { cols: 1, rows: n, fit: -Infinity }
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols)
    const cellWidth = (box.width - gap * (cols - 1)) / cols
    const cellHeight = (box.height - gap * (rows - 1)) / rows - opts.captionPx
    const fit = Math.min(cellWidth, cellHeight * aspect)
    if (fit > best.fit + 0.5) best = { cols, rows, fit }
  }
  return { cols: best.cols, rows: best.rows }
}
