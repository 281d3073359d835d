// The job thread from the sources (see jobThread.ts). Plain JavaScript so that it starts the same way
// under `tsx` and under the test runner: it loads the TypeScript thread through tsx's loader.
import { tsImport } from 'tsx/esm/api'

await tsImport('./jobThread.ts', import.meta.url)
