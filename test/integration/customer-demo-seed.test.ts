/**
 * The demo app's batch snapshot (customers/demo-seed.ts): the personas' profiles go live, with
 * `termDepositMaturesOn` a few days ahead for the customer whose term deposit matures (the
 * templates' "term deposit maturing" campaign reads that trait), and seeding again the same day
 * changes nothing.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { seedDemoCustomers } from '../../server-stub/customers/demo-seed';
import { factsOf } from '../../server-stub/customers/view';
import { startServer, type TestServer } from '../helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s?.stop());

test('the personas are live, with a maturing term deposit as a trait', async () => {
  const customers = s.handle().customers;
  const now = Date.now();
  expect(await seedDemoCustomers(customers, 'demo', now)).toBe(true);
  const facts = factsOf(await customers.store.facts('demo', 'lumen-active-c4'), { now, validityDays: 365 })!;
  expect(facts.risk).toBe('C4');
  expect(facts.holdings).toEqual(['lumen-held-td-c4']);
  const matures = facts.traits!.termDepositMaturesOn as string;
  expect(matures).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  const days = (Date.parse(`${matures}T00:00:00Z`) - Date.parse(new Date(now).toISOString().slice(0, 10))) / 86_400_000;
  expect(days).toBe(5);
  expect(factsOf(await customers.store.facts('demo', 'lumen-new-c1'), { now, validityDays: 365 })!.traits!.termDepositMaturesOn).toBeUndefined();
  expect(await seedDemoCustomers(customers, 'demo', now)).toBe(false);
});
