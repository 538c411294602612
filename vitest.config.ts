import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript source (the "posdiag-source" condition of their
  // package.json "exports"), so the tests run without a build. The tests run on Node, where Vitest 4
  // resolves as Vite's server (ssr) environment: `resolve.conditions` alone does not reach them. The
  // other three are Vite's default server conditions, which a list given here replaces.
  ssr: { resolve: { conditions: ['posdiag-source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn processes and ptys; two cores here.
    maxWorkers: 2,
  },
});
