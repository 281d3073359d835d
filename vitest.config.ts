import { configDefaults, defineConfig } from 'vitest/config'

// `npm run test:cluster` (NAPPE_TESTS=cluster): the multi-node tests of tests/cluster/, which start their
// own PostgreSQL, HAProxy and three nodes; `npm test` runs everything else.
const cluster = process.env.NAPPE_TESTS === 'cluster'

export default defineConfig({
  test: {
    include: cluster ? ['tests/cluster/**/*.test.ts'] : ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    exclude: cluster ? configDefaults.exclude : [...configDefaults.exclude, 'tests/cluster/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: integration files each start real servers; keep the pool small.
    maxWorkers: cluster ? 1 : 2,
    reporters: ['default', 'json'],
    outputFile: { json: cluster ? 'test-artifacts/vitest-cluster-results.json' : 'test-artifacts/vitest-results.json' },
  },
})
