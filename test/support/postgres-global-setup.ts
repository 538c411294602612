import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The suite's PostgreSQL server: a URL to its `postgres` database (test-db.ts makes one per test). */
    postgresAdminUrl: string;
  }
}

/** One PostgreSQL server for the hub suite's PostgreSQL run (vitest.config.ts), stopped when it ends. */
export default async function setup(project: TestProject) {
  const server = await startPostgres({ fast: true });
  project.provide('postgresAdminUrl', server.url('postgres'));
  return () => server.stop();
}
