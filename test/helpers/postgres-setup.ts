/**
 * vitest globalSetup of the `integration-pg` project: one PostgreSQL server for the whole run
 * (test/helpers/postgres.ts); test/helpers/server.ts gives every test server a database of its own
 * on it. Stopped and removed after the run.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the admin URL of the run's PostgreSQL server (database `postgres`) */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = await startPostgres();
  project.provide('postgresUrl', pg.url());
  return () => pg.stop();
}
