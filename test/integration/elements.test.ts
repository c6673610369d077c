// @vitest-environment happy-dom
// The custom elements on the real client against the real server-stub on loopback: elements on one
// page share one decide request, and what the user does with a card lands in SQLite carrying the
// decision that showed it.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DecideRequest } from '../../sdk/contract';
import { createClient, type SlotwiseClient } from '../../sdk/index';
import { defineElements } from '../../widgets/elements';
import { recording, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { startServer, type TestServer } from '../helpers/server';

let server: TestServer;
let proxy: FaultProxy;
let sw: SlotwiseClient;
/** every decide request as the server got it */
const decides: DecideRequest[] = [];
/** decision ids the client got from the network */
const decided: string[] = [];

beforeAll(async () => {
  server = await startServer();
  proxy = await startFaultProxy(server.url);
  proxy.setMode(recording('/v1/decide', decides), { name: 'count' });
  sw = createClient({ appKey: 'demo', endpoint: proxy.url, autocapture: false, indexedDB: new IDBFactory(), locale: 'zh-CN' });
  sw.on('decision', (d) => d.source == 'network' && decided.push(d.decisionId));
  defineElements(sw);
});
afterAll(async () => {
  await sw.close();
  await proxy.close();
  await server.stop();
});
beforeEach(() => {
  document.body.innerHTML = '';
  localStorage.clear();
});

const cards = (el: Element | null) => [...(el?.shadowRoot?.querySelectorAll('li.sw-card:not(.sw-skel)') ?? [])];
async function until<T>(what: string, fn: () => T | null | undefined | false | 0, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    const v = fn();
    if (v) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}
const rows = (type: string) => server.query<{ decision_id: string; slot_id: string; item_id: string; position: number }>(
  'SELECT decision_id, slot_id, item_id, position FROM events WHERE type = ? ORDER BY ts',
  type,
);

describe('custom elements on the real client and server', () => {
  it('two elements on one page share one decide request and show what the server decided', async () => {
    document.body.innerHTML =
      '<sw-today-picks slot-id="home.today" count="4"></sw-today-picks><sw-you-may-like slot-id="home.feed" count="6"></sw-you-may-like>';
    const [picks, feed] = [document.querySelector('sw-today-picks'), document.querySelector('sw-you-may-like')];
    await until('both filled', () => cards(picks).length && cards(feed).length);
    expect(decides).toHaveLength(1);
    expect(decides[0]!.slots.map((s) => s.id).sort()).toEqual(['home.feed', 'home.today']);
    expect(cards(picks).length).toBeGreaterThan(0);
    expect(cards(picks).length).toBeLessThanOrEqual(4);
    expect(cards(feed).length).toBeLessThanOrEqual(6);
  });

  it('a click on a card reaches SQLite with the decision, slot, item and position', async () => {
    document.body.innerHTML = '<sw-today-picks slot-id="home.today" count="4"></sw-today-picks>';
    const picks = document.querySelector('sw-today-picks')!;
    const link = await until('a linked card', () => cards(picks)[1]?.querySelector<HTMLAnchorElement>('.sw-title a'));
    // the browser would now follow the link; the test page stays
    const stay = (e: Event) => e.preventDefault();
    document.addEventListener('click', stay);
    link.click();
    document.removeEventListener('click', stay);
    await sw.flush();
    const [click] = await until('the click stored', () => rows('click').length && rows('click'));
    expect(decided).toContain(click.decision_id);
    expect(click).toMatchObject({ slot_id: 'home.today', position: 1 });
    expect(link.textContent).toBeTruthy();
  });

  it('"not interested" and closing an ad are stored too', async () => {
    document.body.innerHTML = '<sw-you-may-like slot-id="home.feed" count="4"></sw-you-may-like><sw-smart-ad slot-id="home.ad"></sw-smart-ad>';
    const [feed, ad] = [document.querySelector('sw-you-may-like')!, document.querySelector('sw-smart-ad')!];
    const first = await until('a feed card', () => cards(feed)[0]);
    const title = first.querySelector('.sw-title')!.textContent;
    [...first.querySelectorAll('button')].find((b) => b.textContent == '不感兴趣')!.click();
    await until('the card removed', () => !cards(feed).some((c) => c.querySelector('.sw-title')!.textContent == title));
    const shownAd = await until('an ad', () => cards(ad)[0]);
    shownAd.querySelector<HTMLButtonElement>('button[aria-label="关闭"]')!.click();
    await until('the ad closed', () => !cards(ad).length);
    await sw.flush();
    const [ni] = await until('not_interested stored', () => rows('not_interested').length && rows('not_interested'));
    const [dismiss] = await until('dismiss stored', () => rows('dismiss').length && rows('dismiss'));
    expect(ni).toMatchObject({ slot_id: 'home.feed', position: 0 });
    expect(dismiss).toMatchObject({ slot_id: 'home.ad' });
    expect(decided).toContain(ni.decision_id);
    expect(decided).toContain(dismiss.decision_id);
  });
});
