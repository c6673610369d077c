import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlotState } from '../../../sdk/index';
import { YouMayLike } from '../../../widgets/YouMayLike';
import { backend, client, closeClients, item, sent } from './backend';

const feed = Array.from({ length: 20 }, (_, i) => item({ id: `f${i}`, title: `猜你喜欢 ${i}`, position: i, url: `/p/${i}` }));
const titles = (c: Element) => [...c.querySelectorAll('li.sw-card .sw-title')].map((t) => t.textContent);

beforeEach(() => localStorage.clear());
afterEach(async () => {
  cleanup();
  await closeClients();
});

describe('YouMayLike', () => {
  it('lists the feed in a labelled list; skeletons first', async () => {
    let release!: () => void;
    const sw = client(backend({ decide: () => new Promise((r) => (release = () => r({ 'home.feed': feed }))) }));
    const { container } = render(<YouMayLike client={sw} slotId="home.feed" count={6} />);
    expect(container.querySelectorAll('li.sw-skel')).toHaveLength(6);
    await waitFor(() => expect(release).toBeTypeOf('function'));
    release();
    await waitFor(() => expect(titles(container)).toEqual(feed.slice(0, 6).map((i) => i.title)));
    expect(screen.getByRole('list', { name: '猜你喜欢' })).toBeTruthy();
    expect(screen.getByRole('region', { name: '猜你喜欢' })).toBeTruthy();
  });

  it('keeps the box of the first page: a skeleton per card of the page and the "load more" line, held when there is no more', async () => {
    let release!: () => void;
    const sw = client(backend({ decide: () => new Promise((r) => (release = () => r({ 'home.feed': feed.slice(0, 5) }))) }));
    const { container } = render(<YouMayLike client={sw} slotId="home.feed" count={9} />);
    expect(container.querySelectorAll('li.sw-skel')).toHaveLength(9);
    expect(container.querySelectorAll('.sw-more')).toHaveLength(1);
    await waitFor(() => expect(release).toBeTypeOf('function'));
    release();
    await waitFor(() => expect(titles(container)).toHaveLength(5));
    // fewer than a page: no button, its line still held (an empty, unfocusable element)
    expect(screen.queryByRole('button', { name: '加载更多' })).toBeNull();
    expect(container.querySelector('.sw-more')!.tagName).toBe('I');
  });

  it('"load more" asks for the next page and keeps what is shown while it loads', async () => {
    const be = backend({ decide: (req) => ({ 'home.feed': feed.slice(0, req.slots[0]!.count) }) });
    const sw = client(be);
    const { container } = render(<YouMayLike client={sw} slotId="home.feed" count={6} />);
    await waitFor(() => expect(titles(container)).toHaveLength(6));
    be.respond(() => 'hang');
    fireEvent.click(screen.getByRole('button', { name: '加载更多' }));
    await waitFor(() => expect(be.decides.at(-1)!.slots[0]!.count).toBe(12));
    // the same slot on the same page, asked for more: no page key of its own
    expect(be.decides.map((d) => d.context.page)).toEqual([location.pathname, location.pathname]);
    expect(titles(container)).toHaveLength(6);
    expect(container.querySelectorAll('li.sw-skel')).toHaveLength(0);
    cleanup();
    // a feed with fewer items than asked for has no more to load
    be.respond((req) => ({ 'home.feed': feed.slice(0, Math.min(8, req.slots[0]!.count)) }));
    const b = render(<YouMayLike client={client(be)} slotId="home.feed" count={6} />);
    await waitFor(() => expect(titles(b.container)).toHaveLength(6));
    fireEvent.click(screen.getByRole('button', { name: '加载更多' }));
    await waitFor(() => expect(titles(b.container)).toHaveLength(8));
    expect(screen.queryByRole('button', { name: '加载更多' })).toBeNull();
  });

  it('after "load more", the next visit asks for the first page again and gets it from the cache', async () => {
    const idb = new IDBFactory();
    const be = backend({ decide: (req) => ({ 'home.feed': feed.slice(0, req.slots[0]!.count) }) });
    const sw = client(be, { indexedDB: idb });
    // the device's identity is stored with its first event (the page view, in a page)
    sw.track('home_view');
    const { container } = render(<YouMayLike client={sw} slotId="home.feed" count={6} />);
    await waitFor(() => expect(titles(container)).toHaveLength(6));
    fireEvent.click(screen.getByRole('button', { name: '加载更多' }));
    await waitFor(() => expect(titles(container)).toHaveLength(12));
    cleanup();
    await closeClients();
    const next = render(<YouMayLike client={client(be, { indexedDB: idb })} slotId="home.feed" count={6} />);
    await waitFor(() => expect(titles(next.container)).toEqual(feed.slice(0, 6).map((i) => i.title)));
    expect(be.decides.map((d) => d.slots[0]!.count)).toEqual([6, 12]);
  });

  it('after a reload, the first render paints the cached cards: no skeleton frame', async () => {
    const idb = new IDBFactory();
    const be = backend({ decide: (req) => Object.fromEntries(req.slots.map((s) => [s.id, feed])) });
    const one = client(be, { indexedDB: idb });
    one.track('home_view');
    const first = render(
      <>
        <YouMayLike client={one} slotId="home.feed" count={6} />
        <YouMayLike client={one} slotId="home.other" count={2} />
      </>,
    );
    await waitFor(() => expect(titles(first.container)).toHaveLength(8));
    cleanup();
    await closeClients();
    const sw = client(be, { indexedDB: idb });
    // the client reads the page's cached slots as it starts; told here through another slot
    await waitFor(() => {
      let s: SlotState | undefined;
      sw.subscribe('home.other', (x) => (s ??= x))();
      expect(s?.status).toBe('cache');
    });
    const { container } = render(<YouMayLike client={sw} slotId="home.feed" count={6} />);
    expect(container.querySelectorAll('li.sw-skel')).toHaveLength(0);
    expect(titles(container)).toEqual(feed.slice(0, 6).map((i) => i.title));
  });

  it('lays out as a list or a grid', async () => {
    const sw = client(backend({ decide: () => ({ 'home.feed': feed }) }));
    const { container } = render(<YouMayLike client={sw} slotId="home.feed" layout="grid" />);
    await waitFor(() => expect(container.querySelector('ul.sw-grid')).toBeTruthy());
    cleanup();
    const b = render(<YouMayLike client={sw} slotId="home.feed" />);
    await waitFor(() => expect(titles(b.container)).toHaveLength(6));
    expect(b.container.querySelector('ul.sw-grid')).toBeNull();
  });

  it('removes a card the user is not interested in, and says so to the backend', async () => {
    const be = backend({ decide: () => ({ 'home.feed': feed }) });
    const sw = client(be);
    const { container } = render(<YouMayLike client={sw} slotId="home.feed" count={3} />);
    await waitFor(() => expect(titles(container)).toHaveLength(3));
    fireEvent.click(screen.getAllByRole('button', { name: '不感兴趣' })[0]!);
    expect(titles(container)).toEqual(['猜你喜欢 1', '猜你喜欢 2']);
    expect(await sent(sw, be, 'not_interested')).toMatchObject([{ itemId: 'f0', slotId: 'home.feed', decisionId: 'd1', position: 0 }]);
  });
});
