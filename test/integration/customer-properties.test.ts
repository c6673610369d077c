/**
 * The merged view's suitability as a property (issue 20, "Show"): over random interleavings of
 * batch imports, identify (with traits claiming any tolerance), decide, reload, reset and policy
 * changes — the real SDK (fake-indexeddb) against the real server — no item is ever above the
 * customer's valid batch tolerance, and under `conservative` a customer without a valid assessment
 * (an expired one, none, or nobody identified) sees no risk-bearing item above R1.
 */
import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { IDBFactory } from 'fake-indexeddb';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RISK_TOLERANCES, type RiskTolerance } from '../../sdk/contract';
import { createClient } from '../../sdk/index';
import type { SlotwiseClient } from '../../sdk/types';
import { csv } from '../helpers/customers';
import { startServer, type TestServer } from '../helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'slotwise-merged-'));
const catalogFile = join(dir, 'catalog.json');
writeFileSync(
  catalogFile,
  JSON.stringify([
    ...[1, 2, 3, 4, 5].flatMap((level) => Array.from({ length: 4 }, (_, k) => ({ id: `fund-r${level}-${k}`, kind: 'fund', category: `cat-${k}`, risk: `R${level}`, title: `Fund R${level} #${k}` }))),
    ...Array.from({ length: 3 }, (_, k) => ({ id: `deposit-${k}`, kind: 'deposit', category: `dep-${k}`, title: `Deposit #${k}` })),
  ]),
);
const USERS = ['u0', 'u1', 'u2'];
const DAY = 86_400_000;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
let s: TestServer;
let imports = 0;

beforeAll(async () => {
  s = await startServer({ catalogFile, rateLimit: false, customers: { identityCacheMs: 0 } });
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Assessment = { tolerance: RiskTolerance; expired: boolean } | null;
type Command =
  | { t: 'import'; rows: Assessment[] }
  | { t: 'identify'; user: number; claim: RiskTolerance | null }
  | { t: 'decide' }
  | { t: 'reload' }
  | { t: 'reset' }
  | { t: 'policy'; conservative: boolean };

const tolerance = fc.constantFrom(...RISK_TOLERANCES);
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('import' as const), rows: fc.array(fc.option(fc.record({ tolerance, expired: fc.boolean() }), { nil: null }), { minLength: 3, maxLength: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('identify' as const), user: fc.nat(2), claim: fc.option(tolerance, { nil: null }) }), weight: 3 },
  { arbitrary: fc.constant({ t: 'decide' as const }), weight: 5 },
  { arbitrary: fc.constant({ t: 'reload' as const }), weight: 1 },
  { arbitrary: fc.constant({ t: 'reset' as const }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('policy' as const), conservative: fc.boolean() }), weight: 1 },
);

test('no item above the batch tolerance; conservative without a valid assessment: nothing above R1', async () => {
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 25 }), async (commands) => {
      // each run starts from nobody's data and the page policy
      const customers = s.handle().customers;
      /** makes a snapshot live in which USERS[i] is assessed as rows[i] (null: not in it) */
      const snapshot = async (rows: Assessment[]) => {
        const lines = [['userId', 'riskTolerance', 'riskAssessedAt'], ...rows.flatMap((a, i) => (a ? [[USERS[i]!, a.tolerance, date(Date.now() - (a.expired ? 400 : 30) * DAY)]] : []))];
        // a snapshot with nobody in it is refused as empty: a placeholder customer keeps it a snapshot
        lines.push([`nobody-${++imports}`, 'C1', date(Date.now())]);
        const bytes = new TextEncoder().encode(csv(lines));
        const row = await customers.importFile((async function* () { yield bytes; })(), {
          app: 'demo', kind: 'profiles', format: 'csv', fingerprint: createHash('sha256').update(bytes).digest('hex'), actor: 'test',
        });
        expect(row.status).toBe('live');
      };
      await customers.identity.update('demo', { riskPolicy: 'page' });
      // the previous run's last snapshot is still live: replace it with one that assesses nobody,
      // so the server starts where the model does
      await snapshot([null, null, null]);
      let live: Assessment[] = [null, null, null];
      let conservative = false;
      const idb = new IDBFactory();
      let user: number | undefined;
      let probe = 0;
      const open = () => createClient({ appKey: 'demo', endpoint: s.url, autocapture: false, indexedDB: idb });
      let client: SlotwiseClient = open();
      try {
        for (const c of commands) {
          switch (c.t) {
            case 'import':
              await snapshot(c.rows);
              live = c.rows;
              break;
            case 'identify':
              user = c.user;
              client.identify(USERS[c.user]!, c.claim ? { riskTolerance: c.claim } : {});
              break;
            case 'reload':
              await client.close();
              client = open();
              break;
            case 'reset':
              user = undefined;
              client.reset();
              break;
            case 'policy':
              conservative = c.conservative;
              await customers.identity.update('demo', { riskPolicy: c.conservative ? 'conservative' : 'page' });
              break;
            case 'decide': {
              // a slot never asked before: the answer is the server's, made now
              const id = `probe-${++probe}`;
              const answer = await client.decide([{ id, kind: 'picks', count: 8 }]);
              const risks = (answer.slots[id]?.items ?? []).map((i) => (i.risk ? Number(i.risk[1]) : 0));
              const a = user === undefined ? null : live[user]!;
              const bound = a && !a.expired ? Number(a.tolerance[1]) : conservative ? 1 : 5;
              for (const r of risks) expect(r, `an R${r} item for ${user === undefined ? 'nobody' : USERS[user]} (${JSON.stringify(a)}, conservative ${conservative})`).toBeLessThanOrEqual(bound);
              checked++;
            }
          }
        }
      } finally {
        await client.close();
      }
    }),
    { numRuns: 25, endOnFailure: true },
  );
  expect(checked).toBeGreaterThan(25);
}, 600_000);
