import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { options } from 'preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Reminders } from '../../../widgets/Reminders';
import { backend, client, closeClients, configured, item, sent } from './backend';

const LOAN_EXIT = {
  id: 'loan-exit',
  when: { name: 'loan_apply_exit' },
  delayMs: 0,
  reminder: {
    title: { 'zh-CN': '您的贷款申请还差一步', en: 'Your loan application is one step away' },
    body: { 'zh-CN': '资料已为您保存，随时继续', en: 'We saved your details' },
    cta: { 'zh-CN': '继续申请', en: 'Continue' },
    url: '/loans.html#apply',
  },
};
const maturing = item({ id: 'rem-dep', kind: 'reminder', title: '定期存款即将到期', subtitle: '3 天后到期，可续存', url: '/wealth.html#deposits', cta: '去续存' });

beforeEach(() => localStorage.clear());
afterEach(async () => {
  cleanup();
  await closeClients();
});

const shown = (c: Element) => [...c.querySelectorAll('li.sw-card .sw-title')].map((t) => t.textContent);

describe('Reminders', () => {
  it('keeps a polite live region in place before anything is shown, and takes no space', () => {
    const sw = client(backend());
    const { container } = render(<Reminders client={sw} />);
    const live = container.querySelector('[aria-live]')!;
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(live.getAttribute('aria-label')).toBe('智能提醒');
    expect(live.children).toHaveLength(0);
    expect(container.querySelector('section')!.className).toContain('sw-none');
    expect(container.querySelector('h2')).toBeNull();
  });

  it('holds one notice row while its slot loads, then puts the notices in that one row', async () => {
    let release!: () => void;
    const other = item({ id: 'rem-2', kind: 'reminder', title: '开启登录保护' });
    const be = backend({ decide: () => new Promise((r) => (release = () => r({ 'home.reminders': [maturing, other] }))) });
    const { container } = render(<Reminders client={client(be)} slotId="home.reminders" />);
    // the box of one notice (styles.ts): heading and one skeleton card
    expect(container.querySelectorAll('li.sw-skel')).toHaveLength(1);
    expect(screen.getByRole('heading', { name: '智能提醒' })).toBeTruthy();
    expect(container.querySelector('section')!.className).not.toContain('sw-none');
    await waitFor(() => expect(release).toBeTypeOf('function'));
    release();
    await waitFor(() => expect(shown(container)).toEqual(['定期存款即将到期', '开启登录保护']));
    expect(container.querySelector('ul')!.className).toBe('sw-ul sw-row');
    fireEvent.click(screen.getAllByRole('button', { name: '关闭' })[0]!);
    // one notice takes the whole width
    expect(container.querySelector('ul')!.className).toBe('sw-ul');
  });

  it('takes no space once its slot answers nothing', async () => {
    const { container } = render(<Reminders client={client(backend())} slotId="home.reminders" />);
    expect(container.querySelectorAll('li.sw-skel')).toHaveLength(1);
    await waitFor(() => expect(container.querySelector('section')!.className).toContain('sw-none'));
    expect(container.querySelectorAll('li')).toHaveLength(0);
    expect(container.querySelector('h2')).toBeNull();
  });

  it('announces an on-device reminder in the live region without taking focus', async () => {
    const be = backend({ config: { triggers: [LOAN_EXIT] } });
    const sw = client(be);
    const outside = document.createElement('button');
    document.body.append(outside);
    outside.focus();
    const { container } = render(<Reminders client={sw} />);
    const live = container.querySelector('[aria-live="polite"]')!;
    await configured(be);
    act(() => void sw.track('loan_apply_exit', { step: 2 }));
    await waitFor(() => expect(shown(container)).toEqual(['您的贷款申请还差一步']));
    // the same live region, now holding it
    expect(container.querySelector('[aria-live="polite"]')).toBe(live);
    expect(live.querySelector('.sw-sub')!.textContent).toBe('资料已为您保存，随时继续');
    expect(live.querySelector('a')!.getAttribute('href')).toBe('/loans.html#apply');
    expect(live.querySelector('.sw-cta')!.textContent).toBe('继续申请');
    expect(screen.getByRole('heading', { name: '智能提醒' })).toBeTruthy();
    expect(document.activeElement).toBe(outside);
    outside.remove();
  });

  it('puts an on-device reminder in the DOM in the task of the track() call, and leaves Preact scheduling as it was', async () => {
    const be = backend({ config: { triggers: [LOAN_EXIT] } });
    const sw = client(be);
    const { container } = render(<Reminders client={sw} />);
    await configured(be);
    const before = options.debounceRendering;
    // no act(), no task: track() captures, the event is built (and its trigger fires) in a
    // microtask at the end of the same task (sdk/queue.ts): nothing else runs before the check
    sw.track('loan_apply_exit', { step: 2 });
    await Promise.resolve();
    expect(shown(container)).toEqual(['您的贷款申请还差一步']);
    expect(options.debounceRendering).toBe(before);
    sw.track('loan_apply_exit', { step: 3 });
    await Promise.resolve();
    expect(shown(container)).toEqual(['您的贷款申请还差一步', '您的贷款申请还差一步']);
  });

  it('shows reminder-slot items too; dismissing records dismiss and keeps them away', async () => {
    const be = backend({ decide: () => ({ 'home.reminders': [maturing] }) });
    const sw = client(be);
    const { container } = render(<Reminders client={sw} slotId="home.reminders" />);
    await waitFor(() => expect(shown(container)).toEqual(['定期存款即将到期']));
    expect(be.decides[0]!.slots).toEqual([{ id: 'home.reminders', kind: 'reminder', count: 3 }]);
    fireEvent.click(screen.getByRole('button', { name: '关闭' }));
    expect(shown(container)).toEqual([]);
    expect(await sent(sw, be, 'dismiss')).toMatchObject([{ itemId: 'rem-dep', slotId: 'home.reminders', decisionId: 'd1' }]);
    cleanup();
    const again = render(<Reminders client={client(be)} slotId="home.reminders" />);
    await waitFor(() => expect(be.decides.at(-1)!.slots[0]!.exclude).toEqual(['rem-dep']));
    expect(shown(again.container)).toEqual([]);
  });

  it('"remind me later" hides a reminder until its snooze ends, across pages', async () => {
    const be = backend({ decide: () => ({ 'home.reminders': [maturing] }) });
    const { container } = render(<Reminders client={client(be)} slotId="home.reminders" snoozeMs={400} />);
    await waitFor(() => expect(shown(container)).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: '稍后提醒' }));
    expect(shown(container)).toEqual([]);
    // snoozing is not "not interested": nothing is reported
    cleanup();
    const next = render(<Reminders client={client(be)} slotId="home.reminders" snoozeMs={400} />);
    await waitFor(() => expect(be.decides).toHaveLength(2));
    expect(shown(next.container)).toEqual([]);
    // it comes back by itself once the snooze is over, while the page stays open
    await waitFor(() => expect(shown(next.container)).toEqual(['定期存款即将到期']), { timeout: 3000 });
  });

  it('lets on-device reminders be dismissed and snoozed as well, showing at most `count`', async () => {
    const be = backend({ config: { triggers: [LOAN_EXIT] } });
    const sw = client(be, { locale: 'en' });
    const { container } = render(<Reminders client={sw} count={2} />);
    await configured(be);
    for (let i = 0; i < 3; i++) act(() => void sw.track('loan_apply_exit', { step: i + 1 })), await Promise.resolve();
    await waitFor(() => expect(shown(container)).toHaveLength(2));
    fireEvent.click(screen.getAllByRole('button', { name: 'Close' })[0]!);
    expect(shown(container)).toHaveLength(2);
    fireEvent.click(screen.getAllByRole('button', { name: 'Remind me later' })[0]!);
    expect(shown(container)).toEqual(['Your loan application is one step away']);
    // an on-device reminder carries no decision: it records no attribution events
    expect((await sent(sw, be, 'dismiss')).length).toBe(0);
  });
});
