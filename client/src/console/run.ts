import type { CafeConnection } from '../transport/CafeConnection'

export type RequestName = Parameters<CafeConnection['request']>[0]
/** Sends a console request; false (and the error shown in the bar) when the server refused it. */
export type Run = (event: RequestName, payload?: unknown) => Promise<boolean>
