// Builds the server for `npm start`: one ES module bundle of server/ and shared/ in dist/server/, with the
// npm packages left as imports (node_modules stays the source of truth). Running plain JavaScript instead
// of compiling TypeScript at start (tsx) saves the loader's thread and about 50 MB of memory, and starts
// faster. Code loaded with `import()` (the cluster's modules) gets chunks of its own, loaded when first
// used. The worker threads' bodies are entries of their own, named as the sources' wrappers are
// (`new URL('./planWorker.mjs', import.meta.url)` finds them beside the bundle).
import { build } from 'esbuild'
import { rmSync } from 'node:fs'

const outdir = 'dist/server'
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: {
    index: 'server/index.ts',
    planWorker: 'server/cafes/planThread.ts',
    jobWorker: 'server/export/jobThread.ts',
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
