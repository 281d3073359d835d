import { CSV_BOM } from '../../server/export/csv'

/**
 * Reads CSV text back into rows (RFC 4180), cut at `separator`; by default the one the header line uses
 * (the first `;` or `,` outside quotes), as a spreadsheet that sniffs it would.
 */
export function parseCsv(text: string, separator?: ';' | ','): string[][] {
  const src = text.startsWith(CSV_BOM) ? text.slice(1) : text
  const sep = separator ?? sniff(src)
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') { cell += '"'; i++ }
      else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === sep) { row.push(cell); cell = '' }
    else if (ch === '\r' && src[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++ }
    else if (ch === '\n') { row.push(cell); rows.push(row); row = []; cell = '' }
    else cell += ch
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row) }
  return rows
}

function sniff(src: string): ';' | ',' {
  let quoted = false
  for (const ch of src) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && (ch === ';' || ch === ',')) return ch
    else if (!quoted && ch === '\n') break
  }
  return ','
}
