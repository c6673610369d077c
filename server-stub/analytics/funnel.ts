/**
 * Funnel (漏斗): ordered steps within a conversion window, per customer. Definitions: README
 * "Analytics". Each customer enters at their first step-1 event in the range; each next step is the
 * first matching event after the previous step's (in stored order: device time, then arrival) and
 * before entry + window. Steps out of order, before entry, or past the window do not count.
 */
import type { FunnelAnswer } from '../../sdk/contract-analytics';
import { bad, by as byParam, dateOf, median, propOf, ratio, type Filters, type Query } from './params';
import type { AnalyticsStore, Customer, Fact } from './store';

export const DEFAULT_STEPS = 'loan_apply_step:step=1,loan_apply_step:step=2,loan_apply_step:step=3,loan_apply_step:step=4,loan_apply_submit';
export const FUNNEL_BY = ['channel', 'segment', 'source'] as const;

export interface Step {
  spec: string;
  name: string;
  /** property name → the value's text it must have */
  where: [string, string][];
}

const STEP = /^([^\s,:=]{1,128})((?::[^\s,:=]{1,128}=[^,:]{0,128})*)$/;

/** `name` or `name:prop=value[:prop=value…]`, comma-separated, 2–10 steps. */
export function parseSteps(text: string): Step[] {
  const specs = text.split(',');
  if (specs.length < 2 || specs.length > 10) throw bad('steps', `2 to 10 comma-separated steps, got ${specs.length}`);
  return specs.map((spec) => {
    const m = STEP.exec(spec);
    if (!m) throw bad('steps', `a step is name or name:prop=value, got "${spec}"`);
    const where = m[2]!
      .split(':')
      .slice(1)
      .map((w) => w.split('=') as [string, string]);
    return { spec, name: m[1]!, where };
  });
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
export function parseWindow(text: string): number {
  const m = /^(\d{1,5})([mhd])$/.exec(text);
  const ms = m ? +m[1]! * UNITS[m[2]!]! : NaN;
  if (!m || ms <= 0 || ms > 90 * UNITS.d!) throw bad('window', `a duration like 30m, 12h or 7d (at most 90d), got "${text}"`);
  return ms;
}

/** each fact's properties, parsed once however many steps look at them */
const parsed = new WeakMap<Fact, Record<string, unknown> | null>();

const matches = (step: Step, f: Fact): boolean => {
  if (f.name !== step.name) return false;
  if (!step.where.length) return true;
  let props = parsed.get(f);
  if (props === undefined) {
    try {
      props = JSON.parse(f.props) as Record<string, unknown>;
    } catch {
      props = null;
    }
    parsed.set(f, props);
  }
  if (!props || typeof props !== 'object') return false;
  return step.where.every(([k, v]) => {
    const x = props[k];
    return x !== undefined && x !== null && (typeof x === 'object' ? JSON.stringify(x) : String(x)) === v;
  });
};

function run(store: AnalyticsStore, f: Filters, q: Query) {
  const steps = parseSteps(q.steps ?? DEFAULT_STEPS);
  const window = parseWindow(q.window ?? '7d');
  const breakdown = byParam(q, FUNNEL_BY, undefined);
  const names = [...new Set(steps.map((s) => s.name))];
  const perCustomer = new Map<number, Fact[]>();
  for (const e of store.facts(f.app, names, f.from, f.to + window, { props: steps.some((s) => s.where.length > 0) || breakdown?.kind === 'prop' })) {
    if ((f.channel && e.channel !== f.channel) || (f.keep && !f.keep(e.cid))) continue;
    let list = perCustomer.get(e.cid);
    if (!list) perCustomer.set(e.cid, (list = []));
    list.push(e);
  }
  const customers = new Map<number, Customer>(store.customers(f.app).map((c) => [c.cid, c]));
  const n = steps.length;
  const reached = Array.from({ length: n }, () => [] as number[]);
  const gaps = Array.from({ length: n }, () => [] as number[]);
  const groups = new Map<string, number[]>();
  for (const [cid, events] of perCustomer) {
    const entry = events.findIndex((e) => e.ts < f.to && e.ts >= f.from && matches(steps[0]!, e));
    if (entry < 0) continue;
    const t0 = events[entry]!.ts;
    let k = 0;
    let last = t0;
    reached[0]!.push(cid);
    for (let i = entry + 1; i < events.length && k + 1 < n; i++) {
      const e = events[i]!;
      if (e.ts >= t0 + window) break;
      if (matches(steps[k + 1]!, e)) {
        k++;
        reached[k]!.push(cid);
        gaps[k]!.push(e.ts - last);
        last = e.ts;
      }
    }
    if (breakdown) {
      const c = customers.get(cid);
      const value =
        breakdown.kind === 'prop'
          ? propOf(events[entry]!.props, breakdown.name)
          : breakdown.name === 'channel'
            ? events[entry]!.channel
            : breakdown.name === 'segment'
              ? (c?.segment ?? '')
              : (c?.source ?? '');
      let g = groups.get(value);
      if (!g) groups.set(value, (g = new Array<number>(n).fill(0)));
      for (let j = 0; j <= k; j++) g[j]!++;
    }
  }
  const entered = reached[0]!.length;
  const answer: FunnelAnswer = {
    analysis: 'funnel',
    from: dateOf(f.fromDay),
    to: dateOf(f.toDay),
    windowMs: window,
    steps: steps.map((s, j) => ({
      step: s.spec,
      customers: reached[j]!.length,
      fromPrevious: j ? ratio(reached[j]!.length, reached[j - 1]!.length) : 1,
      fromFirst: ratio(reached[j]!.length, entered),
      medianMsFromPrevious: j ? median(gaps[j]!) : null,
      droppedAfter: j + 1 < n ? reached[j]!.length - reached[j + 1]!.length : 0,
    })),
    by: breakdown ? (breakdown.kind === 'prop' ? `prop:${breakdown.name}` : breakdown.name) : null,
    groups: [...groups]
      .map(([value, counts]) => ({ value, customers: counts, conversion: ratio(counts[n - 1]!, counts[0]!) }))
      .sort((a, b) => b.customers[0]! - a.customers[0]! || (a.value < b.value ? -1 : 1)),
  };
  const keys = (cids: Iterable<number>) => [...cids].map((cid) => customers.get(cid)).filter((c): c is Customer => !!c).map((c) => c.userId ?? c.key);
  const lists: Record<string, string[]> = { converted: keys(reached[n - 1]!) };
  for (let j = 0; j < n; j++) {
    lists[`reached:${j + 1}`] = keys(reached[j]!);
    const next = new Set(reached[j + 1] ?? []);
    if (j + 1 < n) lists[`dropped:${j + 1}`] = keys(reached[j]!.filter((cid) => !next.has(cid)));
  }
  return { answer, lists };
}

export const funnel = { name: 'funnel' as const, lists: ['converted', 'reached:<step>', 'dropped:<step>'], run };
