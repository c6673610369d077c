import { defineConfig } from 'vitest/config';

// unit: happy-dom + fake-indexeddb, no network. integration: the real server-stub on loopback.
// e2e: Debian's Chromium driven by playwright-core. One `npm test` runs all three.
/** Integration tests that start a server (test/helpers/server.ts) and so run on both stores. */
/** The admin ones (accounts, sessions, drafts, releases, audit, the live rules) too: on PostgreSQL that data is shared. */
const PG_INTEGRATION = [
  'capture', 'customer-import', 'customer-identity', 'decide', 'elements', 'engine-api', 'fuzz-server', 'http-fault-proxy', 'ingest', 'server-security', 'server', 'suitability',
  'admin-auth', 'admin-releases', 'admin-templates', 'rules-live',
].map(
  (name) => `test/integration/${name}.test.ts`,
);

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  define: { __SDK_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.{ts,tsx}'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // the integration tests that run a server, again with the events in PostgreSQL
        // (test/helpers/server.ts, SLOTWISE_TEST_STORE); one PostgreSQL server for the project
        extends: true,
        test: {
          name: 'integration-pg',
          include: PG_INTEGRATION,
          environment: 'node',
          env: { SLOTWISE_TEST_STORE: 'postgres' },
          globalSetup: ['test/helpers/postgres-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
