/**
 * The demo app's batch snapshot: the demo personas (demo/js/boot.js) as the bank's nightly extract
 * would have them — assessed tolerances, holdings, and `termDepositMaturesOn` (a date some days
 * ahead) for the customers whose term deposit matures soon, which the templates' "term deposit
 * maturing" campaign reads as a trait. Imported like any file, by `system:demo-seed`, when the
 * demo app has no live profiles snapshot or only an earlier day's seed (its dates stay ahead).
 */
import { createHash } from 'node:crypto';
import type { Customers } from './index';

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const DEMO_SEED_ACTOR = 'system:demo-seed';

export function demoProfilesCsv(now: number): string {
  const assessed = day(now - 40 * DAY);
  const rows = [
    ['userId', 'riskTolerance', 'riskAssessedAt', 'segment', 'birthday', 'salaryDay', 'holdings', 'termDepositMaturesOn', 'assetsBand'],
    ['lumen-new-c1', 'C1', assessed, 'new', '03-14', '10', '', '', 'under-10k'],
    ['lumen-active-c4', 'C4', assessed, 'active', '11-02', '15', 'lumen-held-td-c4', day(now + 5 * DAY), '300k-1m'],
    ['lumen-dormant-c2', 'C2', assessed, 'dormant', '07-21', '5', 'lumen-held-td-c2', day(now + 6 * DAY), '10k-50k'],
    ['lumen-churn-c3', 'C3', assessed, 'churn_risk', '01-30', '25', '', '', '10k-50k'],
  ];
  return `${rows.map((r) => r.join(',')).join('\n')}\n`;
}

/** Imports the demo snapshot when it is missing or stale; resolves to whether it did. */
export async function seedDemoCustomers(customers: Customers, app: string, now: number): Promise<boolean> {
  const live = await customers.store.live(app, 'profiles');
  if (live && (live.actor !== DEMO_SEED_ACTOR || live.asOf >= day(now))) return false;
  const text = demoProfilesCsv(now);
  const bytes = new TextEncoder().encode(text);
  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  const row = await customers.importFile((async function* () { yield bytes; })(), {
    app, kind: 'profiles', format: 'csv', asOf: day(now), fingerprint, actor: DEMO_SEED_ACTOR,
  });
  return row.status === 'live';
}
