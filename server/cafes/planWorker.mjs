// The planner's thread from the sources (see planThread.ts). Plain JavaScript so that it starts the same
// way under `tsx` and under the test runner: it loads the TypeScript thread through tsx's loader.
import { tsImport } from 'tsx/esm/api'

await tsImport('./planThread.ts', import.meta.url)
