/** Retries an assertion until it passes or the deadline hits (never a fixed sleep). */
export async function eventually<T>(assertion: () => T | Promise<T>, { timeoutMs = 5000, intervalMs = 20 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      return await assertion()
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) throw lastError
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/** Resolves with the first emission of `event` on an emitter-like object. */
export function once<T = unknown>(emitter: { once(event: string, fn: (...args: any[]) => void): unknown }, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for "${event}"`)), timeoutMs)
    emitter.once(event, (value: T) => { clearTimeout(t); resolve(value) })
  })
}
