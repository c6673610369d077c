/**
 * Widgets are tested on the real client (createClient) over an in-process backend: its `fetch`
 * answers /v1/config, /v1/decide and /v1/events the way the test scripts, so each state of a
 * widget (loading, cached, empty, failed) can be produced on purpose. What the client sends is
 * recorded and validated with the contract, like the server would.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { schemas, type DecideRequest, type Item, type SlotwiseEvent } from '../../../sdk/contract';
import { createClient } from '../../../sdk/client';
import type { ClientOptions, SlotwiseClient } from '../../../sdk/types';

export type DecideAnswer = (req: DecideRequest) => Record<string, Item[]> | 'hang' | 'fail' | Promise<Record<string, Item[]>>;

let n = 0;
/** A contract-valid item; `kind` defaults to deposit (no disclosure). */
export function item(over: Partial<Item> & { id: string }): Item {
  return {
    kind: 'deposit',
    title: `Item ${over.id}`,
    position: n++ % 50,
    strategy: 'test',
    score: 1,
    reasons: [],
    ...over,
  };
}

export function backend(opts: { decide?: DecideAnswer; config?: { tags?: unknown[]; triggers?: unknown[] } } = {}) {
  const decides: DecideRequest[] = [];
  const events: SlotwiseEvent[] = [];
  let answer: DecideAnswer = opts.decide ?? (() => ({}));
  let decisions = 0;
  let configs = 0;
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    // ky hands over a Request, the decide path plain (url, init)
    const request = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(request.url);
    const text = request.method == 'POST' ? await request.text() : '';
    const body = text ? JSON.parse(text) : undefined;
    if (url.pathname == '/v1/config')
      return configs++, Response.json({ version: 'w1', ttlMs: 3_600_000, slots: [], tags: opts.config?.tags ?? [], triggers: opts.config?.triggers ?? [] });
    if (url.pathname == '/v1/events') {
      const batch = schemas().eventBatch.parse(body);
      for (const e of batch.events) events.push(schemas().event.parse(e));
      return Response.json({ accepted: batch.events.length, duplicates: 0 });
    }
    if (url.pathname == '/v1/decide') {
      const req = schemas().decideRequest.parse(body);
      decides.push(req);
      const a = await answer(req);
      if (a == 'hang') return new Promise<Response>(() => {});
      if (a == 'fail') throw new TypeError('Failed to fetch');
      const slots = Object.fromEntries(req.slots.map((s) => [s.id, { items: (a[s.id] ?? []).slice(0, s.count) }]));
      return Response.json({ decisionId: `d${++decisions}`, ttlMs: 60_000, slots });
    }
    return Response.json({ error: { code: 'not_found', message: url.pathname, path: '' } }, { status: 404 });
  }) as typeof globalThis.fetch;
  return {
    fetch,
    /** every decide request, validated */
    decides,
    /** every event delivered, validated */
    events,
    /** how many times the client fetched its config */
    configs: () => configs,
    respond(fn: DecideAnswer) {
      answer = fn;
    },
  };
}

const open: SlotwiseClient[] = [];

/** A real client on `be`, with its own fresh IndexedDB and no autocapture. */
export function client(be: ReturnType<typeof backend>, o: Partial<ClientOptions> = {}): SlotwiseClient {
  const c = createClient({
    appKey: 'test',
    endpoint: 'http://sw.test',
    fetch: be.fetch,
    indexedDB: new IDBFactory(),
    autocapture: false,
    locale: 'zh-CN',
    ...o,
  });
  open.push(c);
  return c;
}

/** Closes every client made by `client()`; for afterEach. */
export async function closeClients(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close()));
}

/** Delivers what the client recorded and returns the events of one type. */
export async function sent(c: SlotwiseClient, be: ReturnType<typeof backend>, type: SlotwiseEvent['type']) {
  await c.flush();
  return be.events.filter((e) => e.type == type);
}

/** Resolves once the client has fetched and applied its config (tag and trigger rules). */
export async function configured(be: ReturnType<typeof backend>): Promise<void> {
  while (!be.configs()) await new Promise((r) => setTimeout(r, 5));
  // the rules are applied in the same promise chain: one more task and they are in place
  await new Promise((r) => setTimeout(r, 0));
}
