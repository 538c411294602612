import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript source (the "posdiag-source" condition of their
// package.json "exports"), so the tests run without a build. The tests run on Node, where Vitest 4
// resolves as Vite's server (ssr) environment: `resolve.conditions` alone does not reach them. The
// other three are Vite's default server conditions, which a list given here replaces.
const ssr = { resolve: { conditions: ['posdiag-source', 'module', 'node', 'development|production'] } };
const shared = { testTimeout: 30_000, hookTimeout: 30_000 };

export default defineConfig({
  ssr,
  test: {
    // Integration tests spawn processes and ptys; two cores here.
    maxWorkers: 2,
    projects: [
      // Everything, the hub on its embedded default: SQLite.
      { ssr, test: { ...shared, name: 'sqlite', include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'] } },
      // The hub's whole suite again, on a real PostgreSQL server the run starts (test/support/postgres-global-setup.ts).
      {
        ssr,
        test: {
          ...shared,
          name: 'postgres',
          include: ['packages/hub/test/**/*.test.ts'],
          env: { POSDIAG_TEST_BACKEND: 'postgres' },
          globalSetup: ['test/support/postgres-global-setup.ts'],
        },
      },
    ],
  },
});
