import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { Interests } from '../../../widgets/Interests';
import { backend, client, closeClients, configured } from './backend';

const TAGS = [
  {
    name: 'likes_funds',
    label: { 'zh-CN': '基金爱好者', en: 'Fund fan' },
    match: { name: 'item_view', where: [{ prop: 'kind', op: 'eq', value: 'fund' }] },
    agg: 'count',
    windowMs: 30 * 864e5,
  },
  { name: 'loan_intent', label: { 'zh-CN': '有贷款意向', en: 'Looking for a loan' }, match: { name: 'loan_apply_step' }, agg: 'exists', windowMs: 7 * 864e5 },
];

afterEach(async () => {
  cleanup();
  await closeClients();
});

const chips = (c: Element) => [...c.querySelectorAll('.sw-chips li')].map((li) => li.firstChild!.textContent);

describe('Interests', () => {
  it('says there are none yet, then lists the tags the device derived as events arrive', async () => {
    const be = backend({ config: { tags: TAGS } });
    const sw = client(be);
    const { container } = render(<Interests client={sw} />);
    expect(screen.getByRole('region', { name: '我的兴趣标签' })).toBeTruthy();
    expect(container.querySelector('.sw-empty')!.textContent).toBe('暂无兴趣标签');
    await configured(be);
    act(() => {
      sw.track('item_view', { itemId: 'f1', kind: 'fund', category: 'fund' });
      sw.track('loan_apply_step', { step: 1 });
    });
    await waitFor(() => expect(chips(container).sort()).toEqual(['基金爱好者', '有贷款意向']));
    expect(screen.getByRole('list', { name: '我的兴趣标签' })).toBeTruthy();
  });

  it('deletes a tag from the device with its labelled button', async () => {
    const be = backend({ config: { tags: TAGS } });
    const sw = client(be, { locale: 'en' });
    await configured(be);
    sw.track('item_view', { itemId: 'f1', kind: 'fund' });
    sw.track('loan_apply_step', { step: 1 });
    const { container } = render(<Interests client={sw} />);
    await waitFor(() => expect(chips(container)).toHaveLength(2));
    fireEvent.click(screen.getByRole('button', { name: 'Delete tag Fund fan' }));
    expect(chips(container)).toEqual(['Looking for a loan']);
    expect(sw.getTags().map((t) => t.name)).toEqual(['loan_intent']);
    fireEvent.click(screen.getByRole('button', { name: 'Delete tag Looking for a loan' }));
    expect(container.querySelector('.sw-empty')!.textContent).toBe('No interest tags yet');
    expect(sw.getTags()).toEqual([]);
  });
});
