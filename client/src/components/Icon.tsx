/** Small inline icons: emoji are missing on some devices, SVG is not. */
const PATHS = {
  move: 'M12 2l3 3h-2v6h6V9l3 3-3 3v-2h-6v6h2l-3 3-3-3h2v-6H5v2l-3-3 3-3v2h6V5H9z',
  note: 'M4 3h16v12l-6 6H4zM14 21v-6h6',
  text: 'M5 5h14M12 5v14M9 19h6',
  pen: 'M4 20l4-1L19 8l-3-3L5 16zM14 7l3 3',
  undo: 'M9 7L4 12l5 5M4 12h10a6 6 0 010 12',
  redo: 'M15 7l5 5-5 5M20 12H10a6 6 0 000 12',
  list: 'M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01',
  megaphone: 'M3 10v4h4l6 4V6L7 10zM16 9a4 4 0 010 6M19 6a8 8 0 010 12',
  person: 'M12 12a4 4 0 100-8 4 4 0 000 8zM4 21a8 8 0 0116 0',
  pin: 'M9 3h6M10 3v6l-3 4h10l-3-4V3M12 13v8',
} as const
export type IconName = keyof typeof PATHS

export function Icon({ name, size = 20 }: { name: IconName; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} />
    </svg>
  )
}
