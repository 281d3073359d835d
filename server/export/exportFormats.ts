/** The export formats a request may ask for: light, so that the HTTP layer need not load the renderers. */
export const EXPORT_FORMATS = ['md', 'docx', 'pdf', 'csv', 'xlsx', 'json', 'zip'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
export const isExportFormat = (v: unknown): v is ExportFormat => typeof v === 'string' && (EXPORT_FORMATS as readonly string[]).includes(v)
