import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmartAd } from '../../../widgets/SmartAd';
import { backend, client, closeClients, item, sent } from './backend';

const ad = item({ id: 'ad1', kind: 'ad', title: '信用卡新客礼', subtitle: '首刷送 100 元', url: '/cards', cta: '立即申请', image: '/v1/images/ad1.svg' });
const other = item({ id: 'ad2', kind: 'ad', title: '车贷低至 3.2%', url: '/loans' });

beforeEach(() => localStorage.clear());
afterEach(async () => {
  cleanup();
  await closeClients();
});

describe('SmartAd', () => {
  it('is a banner marked as an ad, in a labelled complementary region', async () => {
    const sw = client(backend({ decide: () => ({ 'home.ad': [ad] }) }), { locale: 'en' });
    const { container } = render(<SmartAd client={sw} slotId="home.ad" />);
    expect(container.querySelectorAll('li.sw-skel')).toHaveLength(1);
    await waitFor(() => expect(container.querySelector('.sw-title')?.textContent).toBe('信用卡新客礼'));
    const region = screen.getByRole('complementary', { name: 'Ad' });
    expect(region.querySelector('.sw-tags span')!.textContent).toBe('Ad');
    expect(screen.getByRole('button', { name: 'Close' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Not interested' })).toBeNull();
  });

  it('closing records dismiss and the ad stays closed, also on the next page', async () => {
    const be = backend({ decide: () => ({ 'home.ad': [ad] }) });
    const sw = client(be);
    const { container } = render(<SmartAd client={sw} slotId="home.ad" />);
    await waitFor(() => expect(container.querySelector('.sw-title')).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: '关闭' }));
    expect(container.querySelector('li')).toBeNull();
    expect(container.querySelector('aside')!.childElementCount).toBe(0);
    expect(await sent(sw, be, 'dismiss')).toMatchObject([{ name: 'dismiss', itemId: 'ad1', slotId: 'home.ad', decisionId: 'd1' }]);
    cleanup();
    // next page, new client: the backend is asked to leave it out, and if it answers it anyway it stays hidden
    const next = client(be);
    const b = render(<SmartAd client={next} slotId="home.ad" />);
    await waitFor(() => expect(be.decides.at(-1)!.slots[0]).toMatchObject({ id: 'home.ad', kind: 'ad', exclude: ['ad1'] }));
    await waitFor(() => expect(b.container.querySelector('li')).toBeNull());
    expect(b.container.querySelector('.sw-skel')).toBeNull();
    // another ad may take the place
    be.respond(() => ({ 'home.ad': [ad, other] }));
    cleanup();
    const c = render(<SmartAd client={client(be)} slotId="home.ad" count={2} />);
    await waitFor(() => expect([...c.container.querySelectorAll('.sw-title')].map((t) => t.textContent)).toEqual(['车贷低至 3.2%']));
  });

  it('takes no space when there is no ad', async () => {
    const sw = client(backend({ decide: () => ({}) }));
    const { container } = render(<SmartAd client={sw} slotId="home.ad" />);
    await waitFor(() => expect(container.querySelector('.sw-skel')).toBeNull());
    expect(container.querySelector('aside')!.childElementCount).toBe(0);
    expect(container.querySelector('.sw-empty')).toBeNull();
  });
});
