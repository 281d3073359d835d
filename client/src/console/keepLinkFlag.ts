/**
 * "Keep this link" is pending for a café created on this device, until the facilitator says it is kept.
 * Only a flag per café id: the key itself is never stored here.
 */
const PREFIX = 'nappe.keepLink.'

export function markKeepLinkPending(cafeId: string): void {
  try { localStorage.setItem(PREFIX + cafeId, '1') } catch { /* storage disabled: the console still offers the link */ }
}

export function keepLinkPending(cafeId: string): boolean {
  try { return localStorage.getItem(PREFIX + cafeId) === '1' } catch { return false }
}

export function keepLinkDone(cafeId: string): void {
  try { localStorage.removeItem(PREFIX + cafeId) } catch { /* ignore */ }
}
