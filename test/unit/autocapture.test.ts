import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../sdk/client';
import type { SlotwiseEvent } from '../../sdk/contract';
import type { ClientOptions, SlotwiseClient } from '../../sdk/types';
import { fakeBackend, freshIDB, settle, until } from '../helpers/capture';

let sw: SlotwiseClient | undefined;
let seen: SlotwiseEvent[];
const make = (o: Partial<ClientOptions> = {}) => {
  sw = createClient({ appKey: 'demo', endpoint: 'http://api.test', indexedDB: freshIDB(), fetch: fakeBackend().fetch, ...o });
  seen = [];
  sw.on('event', (e) => seen.push(e));
  return sw;
};
beforeEach(() => {
  history.replaceState(null, '', '/start');
  document.body.innerHTML = '';
});
afterEach(async () => {
  await sw?.close();
  sw = undefined;
});

describe('page views', () => {
  it('records the landing page, then SPA navigation through pushState, replaceState and popstate', async () => {
    const pages: string[] = [];
    const client = make({ autocapture: { clicks: false, visibility: false } });
    client.on('event', (e) => e.type == 'page' && pages.push(e.context.page!.path));
    // (the landing page view waits for a microtask: by then the URL is /loans, viewed already)
    history.pushState(null, '', '/loans');
    history.replaceState(null, '', '/loans?step=2');
    history.pushState(null, '', '/cards');
    history.back();
    await until(() => pages.length >= 4);
    await new Promise((r) => setTimeout(r, 20));
    expect(pages).toEqual(['/loans', '/loans', '/cards', '/loans']);
    const [loans] = seen.filter((e) => e.type == 'page');
    expect(loans).toMatchObject({ type: 'page', name: 'page', properties: { path: '/loans' }, context: { page: { path: '/loans' } } });
  });

  it('no second page view for the same URL (a router calling replaceState after pushState)', async () => {
    make({ autocapture: { clicks: false, visibility: false } });
    history.pushState({ a: 1 }, '', '/same');
    history.replaceState({ a: 2 }, '', '/same');
    history.pushState(null, '', '/same');
    // listeners hear of an event once it is built, at the end of the task
    await settle();
    expect(seen.filter((e) => e.type == 'page').map((e) => e.context.page!.path)).toEqual(['/same']);
  });

  it('close() gives history back as it found it; a wrapper added after ours keeps working', async () => {
    const push = history.pushState;
    const replace = history.replaceState;
    const client = make({ autocapture: { clicks: false, visibility: false } });
    expect(history.pushState).not.toBe(push);
    await client.close();
    expect(history.pushState).toBe(push);
    expect(history.replaceState).toBe(replace);

    // someone (a router, another SDK) wraps after us: we cannot unwrap, but go quiet
    const again = make({ autocapture: { clicks: false, visibility: false } });
    const ours = history.pushState;
    let theirs = 0;
    history.pushState = function (...args: Parameters<History['pushState']>) {
      theirs++;
      return ours.apply(this, args);
    };
    await again.close();
    history.pushState(null, '', '/after-close');
    expect(theirs).toBe(1);
    expect(location.pathname).toBe('/after-close');
    expect(seen.filter((e) => e.context.page?.path == '/after-close')).toHaveLength(0);
    history.pushState = push;
  });

  it('switched off: no page views, history untouched', () => {
    const push = history.pushState;
    make({ autocapture: { pageviews: false } });
    expect(history.pushState).toBe(push);
    history.pushState(null, '', '/x');
    expect(seen.filter((e) => e.type == 'page')).toHaveLength(0);
  });
});

describe('marked clicks', () => {
  it('tracks clicks inside [data-sw-event] with its data-sw-* attributes as properties', async () => {
    make({ autocapture: { pageviews: false, visibility: false } });
    document.body.innerHTML = `
      <div data-sw-event="card_open" data-sw-plan-id="gold" data-sw-position="2" data-swift="no" data-other="no">
        <button><span id="inner">Open</span></button>
      </div>
      <button id="plain">Plain</button>`;
    document.getElementById('inner')!.click();
    document.getElementById('plain')!.click();
    await settle();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'track', name: 'card_open', properties: { planId: 'gold', position: '2' } });
    expect(Object.keys(seen[0]!.properties)).toEqual(['planId', 'position']);
  });

  it('sees clicks the app stops from propagating', async () => {
    make({ autocapture: { pageviews: false, visibility: false } });
    document.body.innerHTML = `<a data-sw-event="apply" id="a"><b id="b">Apply</b></a>`;
    document.getElementById('a')!.addEventListener('click', (e) => e.stopPropagation());
    document.getElementById('b')!.click();
    await settle();
    expect(seen.map((e) => e.name)).toEqual(['apply']);
  });

  it('switched off, or after close: nothing', async () => {
    const client = make({ autocapture: { pageviews: false, clicks: false, visibility: false } });
    document.body.innerHTML = `<button data-sw-event="x" id="x">x</button>`;
    document.getElementById('x')!.click();
    await client.close();
    make({ autocapture: { pageviews: false, visibility: false } });
    await sw!.close();
    document.getElementById('x')!.click();
    expect(seen).toHaveLength(0);
  });
});

describe('visibility', () => {
  it('tracks app_background and app_foreground', async () => {
    make({ autocapture: { pageviews: false, clicks: false } });
    const set = (state: string) => {
      Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    set('hidden');
    set('visible');
    delete (document as { visibilityState?: string }).visibilityState;
    await settle();
    expect(seen.map((e) => [e.type, e.name])).toEqual([
      ['track', 'app_background'],
      ['track', 'app_foreground'],
    ]);
  });
});
