import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TodayPicks } from '../../../widgets/TodayPicks';
import { SlotwiseProvider } from '../../../widgets/context';
import { backend, client, closeClients, item, sent } from './backend';

const picks = ['p1', 'p2', 'p3', 'p4'].map((id, i) =>
  item({ id, kind: 'wealth', title: `理财 ${id}`, url: `/wealth.html#item=${id}`, cta: '去看看', risk: 'R2', position: i }),
);

beforeEach(() => localStorage.clear());
afterEach(async () => {
  cleanup();
  await closeClients();
});

const titles = (c: Element) => [...c.querySelectorAll('li.sw-card .sw-title')].map((t) => t.textContent);

describe('TodayPicks', () => {
  it('shows skeletons in the reserved space while the slot loads, then the items in order', async () => {
    let release!: () => void;
    const be = backend({ decide: () => new Promise((r) => (release = () => r({ 'home.today': picks }))) });
    const sw = client(be);
    const { container } = render(<TodayPicks client={sw} slotId="home.today" count={4} />);
    const list = container.querySelector('ul.sw-row')!;
    expect(container.querySelectorAll('li.sw-skel')).toHaveLength(4);
    expect(list.getAttribute('aria-busy')).toBe('true');
    expect(list.getAttribute('aria-label')).toBe('加载中');
    await waitFor(() => expect(be.decides).toHaveLength(1));
    expect(be.decides[0]!.slots).toEqual([{ id: 'home.today', kind: 'picks', count: 4 }]);
    release();
    await waitFor(() => expect(titles(container)).toEqual(['理财 p1', '理财 p2', '理财 p3', '理财 p4']));
    // the same list element, now filled: the reserved box is the box
    expect(container.querySelector('ul.sw-row')).toBe(list);
    expect(list.getAttribute('aria-busy')).toBe('false');
    expect(list.getAttribute('aria-label')).toBe('今日推荐');
    expect(container.querySelectorAll('li.sw-skel')).toHaveLength(0);
    expect(screen.getByRole('region', { name: '今日推荐' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('今日推荐');
  });

  it('paints cached items at once, without a skeleton', async () => {
    const be = backend({ decide: () => ({ 'home.today': picks }) });
    const sw = client(be);
    const first = render(<TodayPicks client={sw} slotId="home.today" />);
    await waitFor(() => expect(titles(first.container)).toHaveLength(4));
    first.unmount();
    // the backend now hangs: only the slot store can answer
    be.respond(() => 'hang');
    const { container } = render(<TodayPicks client={sw} slotId="home.today" />);
    expect(container.querySelectorAll('li.sw-skel')).toHaveLength(0);
    expect(titles(container)).toEqual(['理财 p1', '理财 p2', '理财 p3', '理财 p4']);
  });

  it('takes the items down at once when identify() lowers the tolerance, before the new answer', async () => {
    let release!: () => void;
    const safe = item({ id: 'safe', kind: 'deposit', title: 'Deposit', position: 0 });
    const be = backend({
      decide: (req) => (req.riskTolerance == 'C1' ? new Promise((r) => (release = () => r({ 'home.today': [safe] }))) : { 'home.today': picks }),
    });
    const sw = client(be);
    sw.identify('u1', { riskTolerance: 'C4' });
    const { container } = render(<TodayPicks client={sw} slotId="home.today" count={4} />);
    await waitFor(() => expect(titles(container)).toHaveLength(4));
    sw.identify('u1', { riskTolerance: 'C1' });
    // what was chosen for C4 is gone while the C1 answer is on its way
    await waitFor(() => expect(be.decides.map((d) => d.riskTolerance)).toEqual(['C4', 'C1']));
    expect(titles(container)).toEqual([]);
    release();
    await waitFor(() => expect(titles(container)).toEqual(['Deposit']));
  });

  it('says so when the slot is empty', async () => {
    const sw = client(backend({ decide: () => ({}) }));
    const { container } = render(<TodayPicks client={sw} slotId="home.today" />);
    await waitFor(() => expect(container.querySelector('.sw-empty')?.textContent).toBe('暂无推荐'));
    expect(container.querySelector('ul')).toBeNull();
  });

  it('falls back when the backend fails: the client’s fallback items, else the widget’s own', async () => {
    const be = backend({ decide: () => 'fail' });
    const withOptions = client(be, { fallback: { 'home.today': [item({ id: 'fb', title: '兜底推荐' })] } });
    const a = render(<TodayPicks client={withOptions} slotId="home.today" />);
    await waitFor(() => expect(titles(a.container)).toEqual(['兜底推荐']));
    cleanup();
    const bare = client(be);
    const b = render(<TodayPicks client={bare} slotId="home.today" fallback={[item({ id: 'own', title: '组件兜底' })]} />);
    await waitFor(() => expect(titles(b.container)).toEqual(['组件兜底']));
  });

  it('moves between cards with the arrow keys, Home and End', async () => {
    const sw = client(backend({ decide: () => ({ 'home.today': picks }) }));
    const { container } = render(<TodayPicks client={sw} slotId="home.today" />);
    await waitFor(() => expect(titles(container)).toHaveLength(4));
    const links = [...container.querySelectorAll<HTMLAnchorElement>('.sw-title a')];
    links[0]!.focus();
    fireEvent.keyDown(links[0]!, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(links[1]);
    fireEvent.keyDown(links[1]!, { key: 'End' });
    expect(document.activeElement).toBe(links[3]);
    fireEvent.keyDown(links[3]!, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(links[3]);
    fireEvent.keyDown(links[3]!, { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(links[2]);
    fireEvent.keyDown(links[2]!, { key: 'Home' });
    expect(document.activeElement).toBe(links[0]);
    // from a button inside a card too
    const notInterested = container.querySelectorAll<HTMLButtonElement>('li.sw-card .sw-link')[1]!;
    notInterested.focus();
    fireEvent.keyDown(notInterested, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(links[2]);
  });

  it('scrolls the card the arrow keys move to fully into view, at the row’s start where the snap puts it', async () => {
    const sw = client(backend({ decide: () => ({ 'home.today': picks }) }));
    const { container } = render(<TodayPicks client={sw} slotId="home.today" />);
    await waitFor(() => expect(titles(container)).toHaveLength(4));
    const cards = [...container.querySelectorAll<HTMLLIElement>('li.sw-card')];
    const links = cards.map((c) => c.querySelector('a')!);
    // happy-dom has no layout: what is asserted is the scroll asked for (tests/e2e checks the boxes)
    const scrolled: [Element, unknown][] = [];
    const focused: [Element, unknown][] = [];
    for (const el of [...cards, ...links]) {
      el.scrollIntoView = function (this: Element, o?: unknown) {
        scrolled.push([this, o]);
      } as never;
      const focus = el.focus.bind(el);
      el.focus = (o?: FocusOptions) => (focused.push([el, o]), focus(o));
    }
    links[0]!.focus();
    focused.length = 0;
    fireEvent.keyDown(links[0]!, { key: 'ArrowRight' });
    fireEvent.keyDown(links[1]!, { key: 'End' });
    expect(scrolled).toEqual([
      [cards[1], { block: 'nearest', inline: 'start' }],
      [cards[3], { block: 'nearest', inline: 'start' }],
    ]);
    expect(focused.map(([el]) => el)).toEqual([links[1], links[3]]);
    // past the end nothing moves
    fireEvent.keyDown(links[3]!, { key: 'ArrowRight' });
    expect(scrolled).toHaveLength(2);
  });

  it('has labelled previous/next buttons that scroll the row by one card', async () => {
    const sw = client(backend({ decide: () => ({ 'home.today': picks }) }));
    const { container } = render(<TodayPicks client={sw} slotId="home.today" />);
    await waitFor(() => expect(titles(container)).toHaveLength(4));
    const row = container.querySelector<HTMLUListElement>('ul.sw-row')!;
    const scrolled: number[] = [];
    row.scrollBy = ((o: ScrollToOptions) => scrolled.push(Math.sign(o.left!))) as typeof row.scrollBy;
    fireEvent.click(screen.getByRole('button', { name: '下一个' }));
    fireEvent.click(screen.getByRole('button', { name: '上一个' }));
    expect(scrolled).toEqual([1, -1]);
  });

  it('"not interested" records not_interested with the decision and removes the card for good', async () => {
    const be = backend({ decide: () => ({ 'home.today': picks }) });
    const sw = client(be);
    const { container } = render(<TodayPicks client={sw} slotId="home.today" />);
    await waitFor(() => expect(titles(container)).toHaveLength(4));
    fireEvent.click(container.querySelectorAll('li.sw-card')[1]!.querySelector('.sw-acts .sw-link:last-of-type')!);
    expect(titles(container)).toEqual(['理财 p1', '理财 p3', '理财 p4']);
    const [ni] = await sent(sw, be, 'not_interested');
    expect(ni).toMatchObject({ name: 'not_interested', decisionId: 'd1', slotId: 'home.today', itemId: 'p2', position: 1 });
    cleanup();
    // a later view asks the backend to leave it out, and hides it should it come anyway
    render(<TodayPicks client={client(be)} slotId="home.today" />);
    await waitFor(() => expect(be.decides.at(-1)!.slots[0]!.exclude).toEqual(['p2']));
    await waitFor(() => expect(titles(document.body)).toEqual(['理财 p1', '理财 p3', '理财 p4']));
  });

  it('records the click before the browser follows the link', async () => {
    const be = backend({ decide: () => ({ 'home.today': picks }) });
    const sw = client(be);
    const { container } = render(<TodayPicks client={sw} slotId="home.today" />);
    await waitFor(() => expect(titles(container)).toHaveLength(4));
    const link = container.querySelectorAll<HTMLAnchorElement>('.sw-title a')[2]!;
    // the click is captured in the client's click() call (its event is built and stored in a later
    // slice, and a pagehide flushes what is captured: test/unit/slices.test.ts, test/e2e/unload-*)
    let recorded = 0;
    const clickOf = sw.click;
    sw.click = (...a) => (recorded++, clickOf(...a));
    // the default action (navigation) comes after every listener; here it is stopped at the document
    let clickedBeforeDefault = -1;
    const stop = (e: Event) => {
      clickedBeforeDefault = recorded;
      e.preventDefault();
    };
    document.addEventListener('click', stop);
    fireEvent.click(link);
    document.removeEventListener('click', stop);
    expect(clickedBeforeDefault).toBe(1);
    expect(link.getAttribute('href')).toBe('/wealth.html#item=p3');
    const [click] = await sent(sw, be, 'click');
    expect(click).toMatchObject({ decisionId: 'd1', slotId: 'home.today', itemId: 'p3', position: 2 });
  });

  it('watches every card for its impression through the client', async () => {
    const sw = client(backend({ decide: () => ({ 'home.today': picks }) }));
    const watched: [Element, string][] = [];
    const observe = sw.observeImpression;
    sw.observeImpression = (el, it, slot) => (watched.push([el, it.id + '@' + slot]), observe(el, it, slot));
    const { container } = render(<TodayPicks client={sw} slotId="home.today" />);
    await waitFor(() => expect(watched).toHaveLength(4));
    expect(watched.map((w) => w[1])).toEqual(['p1@home.today', 'p2@home.today', 'p3@home.today', 'p4@home.today']);
    expect(watched.map((w) => w[0])).toEqual([...container.querySelectorAll('li.sw-card')]);
  });

  it('speaks the client’s locale, or the one given, with every string replaceable', async () => {
    const sw = client(backend({ decide: () => ({ 'home.today': picks }) }), { locale: 'en-GB' });
    const a = render(<TodayPicks client={sw} slotId="home.today" />);
    expect(a.container.querySelector('.sw-h2')!.textContent).toBe("Today's picks");
    await waitFor(() => expect(screen.getAllByRole('button', { name: 'Not interested' })).toHaveLength(4));
    cleanup();
    const b = render(
      <SlotwiseProvider client={sw} locale="zh-CN" strings={{ todayPicks: '为你精选' }} theme="dark">
        <TodayPicks slotId="home.today" strings={{ notInterested: '少推荐这类' }} />
      </SlotwiseProvider>,
    );
    expect(b.container.querySelector('.sw-h2')!.textContent).toBe('为你精选');
    expect(b.container.querySelector('section')!.className).toBe('sw sw-dark sw-picks');
    await waitFor(() => expect(screen.getAllByRole('button', { name: '少推荐这类' })).toHaveLength(4));
  });
});
