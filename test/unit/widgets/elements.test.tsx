import { render as preactRender } from 'preact';
import { act, waitFor } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineElements } from '../../../widgets/elements';
import type { SlotwiseClient } from '../../../sdk/index';
import { backend, client, closeClients, item, type DecideAnswer } from './backend';

const eight: DecideAnswer = (req) =>
  Object.fromEntries(req.slots.map((s) => [s.id, Array.from({ length: 8 }, (_, i) => item({ id: `${s.id}-${i}`, title: `${s.id} #${i}`, url: `/p/${i}` }))]));
const be = backend({ decide: eight });
let sw: SlotwiseClient;
// one client and one definition per window, like a page
beforeAll(() => {
  sw = client(be);
  defineElements(sw);
});
beforeEach(() => {
  localStorage.clear();
  be.decides.length = 0;
  be.respond(eight);
});
afterEach(() => {
  document.body.innerHTML = '';
});
afterAll(closeClients);

const shadow = (el: Element) => el.shadowRoot!;
const titles = (el: Element) => [...shadow(el).querySelectorAll('li.sw-card .sw-title')].map((t) => t.textContent);

describe('custom elements', () => {
  it('defines the five elements once; defining again leaves them alone', () => {
    for (const tag of ['sw-today-picks', 'sw-you-may-like', 'sw-smart-ad', 'sw-reminders', 'sw-interests']) expect(customElements.get(tag), tag).toBeTruthy();
    const before = customElements.get('sw-today-picks');
    defineElements(client(be));
    expect(customElements.get('sw-today-picks')).toBe(before);
  });

  it('maps attributes to props inside an open shadow root, styled by an adopted sheet', async () => {
    document.body.innerHTML = '<sw-today-picks slot-id="promo.today" count="2" locale="en" theme="dark"></sw-today-picks>';
    const el = document.querySelector('sw-today-picks')!;
    const root = shadow(el);
    expect(root.querySelector('section')!.className).toBe('sw sw-dark sw-picks');
    expect(root.querySelector('.sw-h2')!.textContent).toBe("Today's picks");
    expect(root.querySelectorAll('li.sw-skel')).toHaveLength(2);
    await waitFor(() => expect(titles(el)).toEqual(['promo.today #0', 'promo.today #1']));
    expect(be.decides[0]!.slots).toEqual([{ id: 'promo.today', kind: 'picks', count: 2 }]);
    // styles live in the shadow root only: nothing added to the page
    expect(root.adoptedStyleSheets.length + root.querySelectorAll('style').length).toBe(1);
    expect(document.adoptedStyleSheets.length + document.querySelectorAll('style').length).toBe(0);
    // no inline style attributes anywhere (a strict style-src would block them)
    expect(root.querySelectorAll('[style]')).toHaveLength(0);
  });

  it('re-renders when an attribute or the strings property changes', async () => {
    document.body.innerHTML = '<sw-you-may-like slot-id="home.feed" count="3"></sw-you-may-like>';
    const el = document.querySelector('sw-you-may-like')! as HTMLElement & { strings?: object };
    await waitFor(() => expect(titles(el)).toHaveLength(3));
    expect(shadow(el).querySelector('.sw-h2')!.textContent).toBe('猜你喜欢');
    act(() => {
      el.setAttribute('locale', 'en');
      el.setAttribute('theme', 'light');
      el.setAttribute('layout', 'grid');
    });
    expect(shadow(el).querySelector('.sw-h2')!.textContent).toBe('You may like');
    expect(shadow(el).querySelector('section')!.className).toBe('sw sw-light sw-feed');
    expect(shadow(el).querySelector('ul.sw-grid')).toBeTruthy();
    act(() => void (el.strings = { youMayLike: 'Picked for you' }));
    expect(shadow(el).querySelector('.sw-h2')!.textContent).toBe('Picked for you');
    act(() => el.setAttribute('slot-id', 'other.feed'));
    await waitFor(() => expect(titles(el)[0]).toBe('other.feed #0'));
  });

  it('asks for every slot on the page in one decide request', async () => {
    document.body.innerHTML =
      '<sw-today-picks slot-id="p.today" count="4"></sw-today-picks><sw-smart-ad slot-id="p.ad"></sw-smart-ad><sw-you-may-like slot-id="p.feed" count="6"></sw-you-may-like>';
    await waitFor(() => expect(titles(document.querySelector('sw-you-may-like')!)).toHaveLength(6));
    expect(be.decides).toHaveLength(1);
    expect(be.decides[0]!.slots.map((s) => `${s.id}:${s.kind}:${s.count}`)).toEqual(['p.today:picks:4', 'p.ad:ad:1', 'p.feed:feed:6']);
  });

  it('takes fallback items through the fallback property, shown when the slot ends up empty', async () => {
    document.body.innerHTML = '<sw-today-picks slot-id="none.today" count="2" locale="en"></sw-today-picks>';
    const el = document.querySelector('sw-today-picks')! as HTMLElement & { fallback?: unknown };
    const fallback = [item({ id: 'fb1', title: 'Editor pick', url: '/fb/1' }), item({ id: 'fb2', title: 'Second pick' })];
    be.respond(() => ({}));
    act(() => void (el.fallback = fallback));
    expect(el.fallback).toBe(fallback);
    await waitFor(() => expect(titles(el)).toEqual(['Editor pick', 'Second pick']));
    // a wrong value is a clear error at the assignment, and the items shown stay
    expect(() => (el.fallback = { 'none.today': fallback })).toThrow(/fallback: an array of items/);
    expect(el.fallback).toBe(fallback);
    expect(titles(el)).toEqual(['Editor pick', 'Second pick']);
    act(() => void (el.fallback = undefined));
    expect(shadow(el).querySelector('.sw-empty')!.textContent).toBe('Nothing to show yet');
  });

  it('works from a framework: rendered by Preact with attributes and a property', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const strings = { todayPicks: '为你精选' };
    act(() => preactRender(<sw-today-picks slot-id="fw.today" count="1" strings={strings} />, host));
    const el = host.querySelector('sw-today-picks')!;
    expect(shadow(el).querySelector('.sw-h2')!.textContent).toBe('为你精选');
    await waitFor(() => expect(titles(el)).toEqual(['fw.today #0']));
  });

  it('unmounts when removed from the page, and renders afresh when put back', async () => {
    document.body.innerHTML = '<sw-smart-ad slot-id="home.ad"></sw-smart-ad>';
    const el = document.querySelector('sw-smart-ad')!;
    await waitFor(() => expect(titles(el)).toHaveLength(1));
    el.remove();
    expect(shadow(el).querySelector('aside')).toBeNull();
    document.body.append(el);
    expect(shadow(el).querySelector('aside')).toBeTruthy();
    await waitFor(() => expect(titles(el)).toHaveLength(1));
  });
});

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'sw-today-picks': { 'slot-id'?: string; count?: string; strings?: object };
    }
  }
}
