/**
 * The tablecloth's tools, each with a visible label (short on a phone) and an accessible name: move, note,
 * text, pen and dots on the first row; inks (for the pen and text), undo, redo, zoom, fit and the list
 * view after them.
 */
import { useTranslation } from 'react-i18next'
import { Icon } from '../components/Icon'
import type { IconName } from '../components/Icon'
import type { InkFamily } from './inks'
import type { Tool } from './useSheetPointer'

export type Earlier = 'show' | 'fade' | 'hide'

export interface BoardToolbarProps {
  tool: Tool
  setTool(t: Tool): void
  canWrite: boolean
  family: InkFamily
  inkIndex: number
  setInkIndex(i: number): void
  earlier: Earlier
  setEarlier(e: Earlier): void
  listMode: boolean
  setListMode(b: boolean): void
  onUndo(): void
  onRedo(): void
  zoomBy(f: number): void
  onFit(): void
  dotsLeft: number
  writing: Array<{ clientId: number; name: string }>
  round: number
}

const TOOLS: Array<{ id: Exclude<Tool, 'dot'>; icon: IconName }> = [
  { id: 'select', icon: 'move' }, { id: 'note', icon: 'note' }, { id: 'text', icon: 'text' }, { id: 'pen', icon: 'pen' },
]

export function BoardToolbar(p: BoardToolbarProps) {
  const { t } = useTranslation()
  const cycleEarlier = () => p.setEarlier(p.earlier === 'show' ? 'fade' : p.earlier === 'fade' ? 'hide' : 'show')
  const sheetTools = !p.listMode && p.canWrite
  return (
    <div className="board-toolbar" role="toolbar" aria-label={t('board.tools')}>
      {sheetTools && (
        <div className="tool-group tools-main">
          {TOOLS.map((x) => (
            <button key={x.id} type="button" className={p.tool === x.id ? 'tool active' : 'tool'} aria-pressed={p.tool === x.id} onClick={() => p.setTool(x.id)} title={t(`board.toolHelp.${x.id}`)}>
              <Icon name={x.icon} /><span className="tool-label">{t(`board.tool.${x.id}`)}</span>
            </button>
          ))}
          <button type="button" className={p.tool === 'dot' ? 'tool active' : 'tool'} aria-pressed={p.tool === 'dot'} onClick={() => p.setTool('dot')} title={t('board.toolHelp.dot')}>
            <DotIcon /><span className="tool-label">{t('board.tool.dot')}</span>
            <span className="tool-count" aria-hidden="true">{p.dotsLeft}</span><span className="sr-only">{t('board.dotsLeft', { count: p.dotsLeft })}</span>
          </button>
        </div>
      )}
      {sheetTools && (p.tool === 'pen' || p.tool === 'text') && (
        <div className="tool-group inks" role="group" aria-label={t('board.ink', { round: p.round })}>
          {p.family.inks.map((c, i) => (
            <button key={c} type="button" className={p.inkIndex === i ? 'ink active' : 'ink'} style={{ background: c }} aria-pressed={p.inkIndex === i} aria-label={t('board.inkN', { n: i + 1 })} title={t('board.inkN', { n: i + 1 })} onClick={() => p.setInkIndex(i)} />
          ))}
        </div>
      )}
      <div className="tool-group tools-view">
        {p.canWrite && <button type="button" className="tool compact" onClick={p.onUndo} title={t('board.undo')} aria-label={t('board.undo')}><Icon name="undo" /><span className="tool-label wide-only" aria-hidden="true">{t('board.undo')}</span></button>}
        {p.canWrite && <button type="button" className="tool compact" onClick={p.onRedo} title={t('board.redo')} aria-label={t('board.redo')}><Icon name="redo" /><span className="tool-label wide-only" aria-hidden="true">{t('board.redo')}</span></button>}
        {!p.listMode && <button type="button" className="tool compact" onClick={() => p.zoomBy(1 / 1.25)} aria-label={t('board.zoomOut')} title={t('board.zoomOut')}><span className="glyph" aria-hidden="true">−</span></button>}
        {!p.listMode && <button type="button" className="tool compact" onClick={() => p.zoomBy(1.25)} aria-label={t('board.zoomIn')} title={t('board.zoomIn')}><span className="glyph" aria-hidden="true">+</span></button>}
        {!p.listMode && <button type="button" className="tool" onClick={p.onFit} title={t('board.fitHelp')}><FitIcon /><span className="tool-label">{t('board.fit')}</span></button>}
        {p.round > 1 && (
          <button type="button" className="tool" onClick={cycleEarlier} aria-label={t(`board.earlier.${p.earlier}`)} title={t(`board.earlier.${p.earlier}`)}>
            <span className="glyph" aria-hidden="true">{p.earlier === 'show' ? '◐' : p.earlier === 'fade' ? '○' : '●'}</span>
            <span className="tool-label" aria-hidden="true"><span className="wide-only">{t(`board.earlier.${p.earlier}`)}</span><span className="narrow-only">{t(`board.earlierShort.${p.earlier}`)}</span></span>
          </button>
        )}
        <button type="button" className={p.listMode ? 'tool active' : 'tool'} aria-pressed={p.listMode} onClick={() => p.setListMode(!p.listMode)} title={t('board.listHelp')}>
          <Icon name="list" /><span className="tool-label">{t('board.listView')}</span>
        </button>
      </div>
      {p.writing.length > 0 && <span className="writing-now" aria-live="polite">✎ {p.writing.map((w) => w.name).join(', ')}</span>}
    </div>
  )
}

function DotIcon() {
  return <svg width={20} height={20} viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx={12} cy={12} r={7} fill="#dc2626" stroke="#fff" strokeWidth={2} /></svg>
}

function FitIcon() {
  return (
    <svg width={20} height={20} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />
    </svg>
  )
}
