/**
 * Path (路径): the events that most often follow a start event (or precede an end event) within the
 * same session, as Sankey nodes and links with counts. Definitions: README "Analytics".
 */
import type { PathAnswer } from '../../sdk/contract-analytics';
import { bad, dateOf, int, name, type Filters, type Query } from './params';
import type { AnalyticsStore, Anchored } from './store';

export const SESSION_END = '(end)';
export const OTHER = '(other)';

function run(store: AnalyticsStore, f: Filters, q: Query) {
  if (q.start !== undefined && q.end !== undefined) throw bad('end', 'give start or end, not both');
  const backwards = q.end !== undefined;
  const anchor = backwards ? name(q, 'end', '') : name(q, 'start', 'loan_apply_exit');
  const depth = int(q, 'steps', 3, 1, 5);
  const top = int(q, 'top', 5, 1, 20);
  // one anchor per session: its first occurrence (start) or its last (end)
  const anchors = new Map<string, Anchored>();
  for (const e of store.anchored(f.app, anchor, f.from, f.to, depth, backwards)) {
    if ((f.channel && e.channel !== f.channel) || (f.keep && !f.keep(e.cid))) continue;
    const key = `${e.cid}\u0001${e.session}`;
    if (backwards || !anchors.has(key)) anchors.set(key, e);
  }
  const paths: string[][] = [];
  for (const a of anchors.values()) {
    const path: string[] = [];
    for (const [label, session] of a.around) {
      if (session !== a.session) break;
      path.push(label);
    }
    if (path.length < depth) path.push(SESSION_END);
    paths.push(path);
  }
  // per depth: the `top` labels by count there; the rest is (other)
  const kept: Set<string>[] = [];
  for (let d = 0; d < depth; d++) {
    const counts = new Map<string, number>();
    for (const p of paths) if (p[d] !== undefined) counts.set(p[d]!, (counts.get(p[d]!) ?? 0) + 1);
    kept.push(new Set([...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, top).map(([l]) => l)));
  }
  const nodes = new Map<string, { id: string; depth: number; label: string; count: number }>();
  const links = new Map<string, { source: string; target: string; count: number }>();
  const node = (d: number, label: string) => {
    const id = `${d}:${label}`;
    const n = nodes.get(id) ?? { id, depth: d, label, count: 0 };
    n.count++;
    nodes.set(id, n);
    return id;
  };
  const sequences = new Map<string, number>();
  for (const p of paths) {
    let prev = node(0, anchor);
    const shown: string[] = [];
    for (let d = 0; d < p.length; d++) {
      const label = kept[d]!.has(p[d]!) ? p[d]! : OTHER;
      shown.push(label);
      const id = node(d + 1, label);
      const k = `${prev}\u0001${id}`;
      const l = links.get(k) ?? { source: prev, target: id, count: 0 };
      l.count++;
      links.set(k, l);
      prev = id;
    }
    const s = shown.join('\u0001');
    sequences.set(s, (sequences.get(s) ?? 0) + 1);
  }
  const answer: PathAnswer = {
    analysis: 'path',
    from: dateOf(f.fromDay),
    to: dateOf(f.toDay),
    direction: backwards ? 'previous' : 'next',
    anchor,
    sessions: paths.length,
    nodes: [...nodes.values()].sort((a, b) => a.depth - b.depth || b.count - a.count || (a.label < b.label ? -1 : 1)),
    links: [...links.values()].sort((a, b) => b.count - a.count || (a.source + a.target < b.source + b.target ? -1 : 1)),
    paths: [...sequences]
      .map(([s, count]) => ({ events: s.split('\u0001'), count }))
      .sort((a, b) => b.count - a.count || (a.events.join() < b.events.join() ? -1 : 1))
      .slice(0, 20),
  };
  return { answer, lists: {} as Record<string, string[]> };
}

export const path = { name: 'path' as const, lists: [] as string[], run };
