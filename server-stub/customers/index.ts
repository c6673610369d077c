/**
 * customers/: the data the bank stands behind (issue 20) — nightly batch imports of profiles, tags
 * and scores as atomic snapshots (import.ts, reader.ts, rows.ts, pii.ts), verified identity
 * (identity.ts), the merged view handed to every decide (view.ts → engine/customer-view.ts), the
 * operator routes (routes.ts, mounted by admin/) and the store on both seams (store*.ts).
 *
 * @example
 * const customers = await createCustomers({ store: openSqliteCustomerStore(dir), now: Date.now, log: console.error });
 * const row = await customers.importFile(createReadStream('customers.csv'), { app: 'demo', kind: 'profiles', format: 'csv', fingerprint, actor: 'cli:ops' });
 */
import type { CustomerStore, ImportRow } from './store';
import { createIdentityCheck, type IdentityCheck } from './identity';
import { runImport, DEFAULT_IMPORT_POLICY, type ImportPolicy, type ImportRequest } from './import';
import { createPublicSide, type PublicSide } from './view';

export interface CustomersOptions {
  store: CustomerStore;
  now: () => number;
  log: (message: string) => void;
  /** the reject threshold and the snapshots kept. @default { rejectThreshold: 0.01, keep: 3 } @example { policy: { keep: 5 } } */
  policy?: Partial<ImportPolicy>;
  /**
   * A running import whose heartbeat is older than this was left by a process that died (killed,
   * or PostgreSQL restarted under it): it is marked aborted and its rows deleted. @default 15_000
   * @example { staleMs: 10_000 }
   */
  staleMs?: number;
  /** how long identity settings are reused before they are read again, ms. @default 2000 @example { identityCacheMs: 0 } */
  identityCacheMs?: number;
}

export interface Customers extends PublicSide {
  readonly store: CustomerStore;
  readonly identity: IdentityCheck;
  now(): number;
  importFile(source: AsyncIterable<Uint8Array>, req: ImportRequest, onProgress?: (lines: number) => void): Promise<ImportRow>;
  /** stops the sweeper; the store is closed by its owner */
  close(): void;
}

/**
 * The customer-data capability over `store`. An embedded store (SQLite, one process) first aborts
 * every import left running — nothing else can be running it — and a shared one those whose
 * heartbeat stopped; a timer repeats that for the shared store.
 */
export async function createCustomers(o: CustomersOptions): Promise<Customers> {
  const staleMs = o.staleMs ?? 15_000;
  const policy = { ...DEFAULT_IMPORT_POLICY, ...o.policy };
  const sweep = async (before: number) => {
    const n = await o.store.sweep(before, o.now());
    if (n) o.log(`customers: ${n} interrupted import${n === 1 ? '' : 's'} marked aborted; the snapshots live before them stay live`);
  };
  await sweep(o.store.kind === 'sqlite' ? Number.MAX_SAFE_INTEGER : o.now() - staleMs);
  const timer = setInterval(() => void sweep(o.now() - staleMs).catch((error: Error) => o.log(`customers: sweep failed: ${error.message}`)), Math.max(1000, staleMs / 2));
  timer.unref();
  const identity = createIdentityCheck({ store: o.store, now: o.now, cacheMs: o.identityCacheMs });
  const side = createPublicSide({ store: o.store, identity, now: o.now, log: o.log });
  return {
    ...side,
    store: o.store,
    identity,
    now: o.now,
    importFile: (source, req, onProgress) => runImport(o.store, source, req, { now: o.now, policy, onProgress }),
    close: () => clearInterval(timer),
  };
}
