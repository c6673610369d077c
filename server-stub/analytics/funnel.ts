/**
 * Funnel (漏斗): ordered steps within a conversion window, per customer. Definitions: README
 * "Analytics". Each customer enters at their first step-1 event in the range; each next step is the
 * first matching event after the previous step's (in stored order: device time, then arrival) and
 * before entry + window. Steps out of order, before entry, or past the window do not count.
 */
import type { FunnelAnswer } from '../../sdk/contract-analytics';
import { bad, by as byParam, dateOf, median, ratio, type Filters, type Query } from './params';
import type { AnalyticsStore, Customer, PropFact } from './store';

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

/** A property's JSON text as a step compares it: objects as JSON, the rest as String(); null when absent or null. */
function decoder(): (json: string | null | undefined) => string | null {
  const seen = new Map<string, string | null>();
  return (json) => {
    if (json === null || json === undefined) return null;
    let v = seen.get(json);
    if (v === undefined) {
      let x: unknown;
      try {
        x = JSON.parse(json);
      } catch {
        x = null;
      }
      v = x === null || x === undefined ? null : typeof x === 'object' ? JSON.stringify(x) : String(x);
      seen.set(json, v);
    }
    return v;
  };
}

const SEQ = 0;
const TS = 2;
const NAME = 3;
const CHANNEL = 4;
const VALUES = 5;

function run(store: AnalyticsStore, f: Filters, q: Query) {
  const steps = parseSteps(q.steps ?? DEFAULT_STEPS);
  const window = parseWindow(q.window ?? '7d');
  const breakdown = byParam(q, FUNNEL_BY, undefined);
  const names = [...new Set(steps.map((s) => s.name))];
  // only the properties the steps and the breakdown read leave SQLite, as JSON text
  const props = [...new Set([...steps.flatMap((s) => s.where.map(([k]) => k)), ...(breakdown?.kind === 'prop' ? [breakdown.name] : [])])];
  const rows: PropFact[] = props.every((k) => !/["\\]/.test(k))
    ? store.propFacts(f.app, names, f.from, f.to + window, props)
    : store.facts(f.app, names, f.from, f.to + window, { unordered: true }).map((e) => {
        let values: Record<string, unknown> = {};
        try {
          values = (JSON.parse(e.props) as Record<string, unknown>) ?? {};
        } catch {
          /* unreadable: no property matches */
        }
        return [e.seq, e.cid, e.ts, e.name, e.channel, ...props.map((k) => (values?.[k] === undefined ? null : JSON.stringify(values[k])))] as PropFact;
      });
  const text = decoder();
  const compiled = steps.map((s) => ({ name: s.name, where: s.where.map(([k, v]) => [VALUES + props.indexOf(k), v] as const) }));
  const matches = (j: number, e: PropFact) => {
    const st = compiled[j]!;
    return e[NAME] === st.name && st.where.every(([at, v]) => text(e[at] as string | null) === v);
  };
  const perCustomer = new Map<number, PropFact[]>();
  for (const e of rows) {
    const cid = e[1];
    if ((f.channel && e[CHANNEL] !== f.channel) || (f.keep && !f.keep(cid))) continue;
    let list = perCustomer.get(cid);
    if (!list) perCustomer.set(cid, (list = []));
    list.push(e);
  }
  // stored order: device time, then arrival
  const byTime = (a: PropFact, b: PropFact) => a[TS] - b[TS] || a[SEQ] - b[SEQ];
  // by cid, built only when a breakdown or a list reads it (an app's every customer)
  let byCid: Map<number, Customer> | undefined;
  const customerOf = (cid: number) => (byCid ??= new Map(store.customers(f.app).map((c) => [c.cid, c]))).get(cid);
  const n = steps.length;
  const reached = Array.from({ length: n }, () => [] as number[]);
  const gaps = Array.from({ length: n }, () => [] as number[]);
  const groups = new Map<string, number[]>();
  for (const [cid, events] of perCustomer) {
    if (events.length > 1) events.sort(byTime);
    const entry = events.findIndex((e) => e[TS] < f.to && e[TS] >= f.from && matches(0, e));
    if (entry < 0) continue;
    const t0 = events[entry]![TS];
    let k = 0;
    let last = t0;
    reached[0]!.push(cid);
    for (let i = entry + 1; i < events.length && k + 1 < n; i++) {
      const e = events[i]!;
      if (e[TS] >= t0 + window) break;
      if (matches(k + 1, e)) {
        k++;
        reached[k]!.push(cid);
        gaps[k]!.push(e[TS] - last);
        last = e[TS];
      }
    }
    if (breakdown) {
      const c = breakdown.kind === 'dimension' && breakdown.name !== 'channel' ? customerOf(cid) : undefined;
      const value =
        breakdown.kind === 'prop'
          ? (text(events[entry]![VALUES + props.indexOf(breakdown.name)] as string | null) ?? '')
          : breakdown.name === 'channel'
            ? events[entry]![CHANNEL]
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
  const keys = (cids: Iterable<number>) => [...cids].map(customerOf).filter((c): c is Customer => !!c).map((c) => c.userId ?? c.key);
  // the lists are read only to save an audience: each is made when read
  const lists: Record<string, string[]> = {};
  const list = (name: string, make: () => string[]) => Object.defineProperty(lists, name, { enumerable: true, get: make });
  list('converted', () => keys(reached[n - 1]!));
  for (let j = 0; j < n; j++) {
    list(`reached:${j + 1}`, () => keys(reached[j]!));
    if (j + 1 < n)
      list(`dropped:${j + 1}`, () => {
        const next = new Set(reached[j + 1]);
        return keys(reached[j]!.filter((cid) => !next.has(cid)));
      });
  }
  return { answer, lists };
}

export const funnel = { name: 'funnel' as const, lists: ['converted', 'reached:<step>', 'dropped:<step>'], run };
