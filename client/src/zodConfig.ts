/**
 * Imported first by main.tsx: zod 4 would probe `Function('')` to compile validators, which the strict
 * Content-Security-Policy (no 'unsafe-eval') reports as a violation. The interpreted path is fast enough.
 */
import { z } from 'zod'

z.config({ jitless: true })
