/** Download buttons for every export (facilitator only: the key goes in a header, never the URL). */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api'
import type { ExportFormat } from '../api'
import { apiErrorText } from '../errorText'

const FORMATS: ExportFormat[] = ['md', 'docx', 'pdf', 'csv', 'xlsx', 'json', 'zip']

export function ExportButtons({ cafeId, facilitatorKey }: { cafeId: string; facilitatorKey: string }) {
  const { t } = useTranslation()
  const [busy, setBusy] = useState<ExportFormat | null>(null)
  const [error, setError] = useState<unknown>(null)
  const download = async (format: ExportFormat) => {
    setBusy(format)
    setError(null)
    try {
      const { blob, filename } = await api.exportFile(cafeId, facilitatorKey, format)
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = filename
      document.body.append(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch (e) {
      setError(e ?? new Error('export failed'))
    } finally {
      setBusy(null)
    }
  }
  return (
    <div className="exports">
      <div className="row wrap">
        {FORMATS.map((f) => (
          <button key={f} type="button" onClick={() => void download(f)} disabled={busy !== null} aria-busy={busy === f} title={t(`exports.${f}Title`)}>
            {t(`exports.${f}`)}
          </button>
        ))}
      </div>
      {error !== null && <p className="form-error" role="alert">{apiErrorText(error, t)}</p>}
    </div>
  )
}
