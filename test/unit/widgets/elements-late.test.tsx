// With the script tag the widgets arrive after the page (and its framework) already made the
// elements: attributes and properties set before the definition must still take effect.
import { waitFor } from '@testing-library/preact';
import { afterAll, describe, expect, it } from 'vitest';
import { defineElements } from '../../../widgets/elements';
import { backend, client, closeClients, item } from './backend';

afterAll(closeClients);

describe('elements defined after the page made them', () => {
  it('upgrade with the attributes and the strings property they were given', async () => {
    const picks = document.createElement('sw-today-picks') as HTMLElement & { strings?: object };
    picks.setAttribute('slot-id', 'late.today');
    picks.setAttribute('locale', 'en');
    picks.strings = { todayPicks: 'Chosen for you' };
    const interests = document.createElement('sw-interests');
    document.body.append(picks, interests);
    expect(picks.shadowRoot).toBeNull();

    const be = backend({ decide: () => ({ 'late.today': [item({ id: 'l1', title: 'Late pick' })] }) });
    defineElements(client(be));
    expect(picks.shadowRoot!.querySelector('.sw-h2')!.textContent).toBe('Chosen for you');
    expect(interests.shadowRoot!.querySelector('.sw-h2')!.textContent).toBe('我的兴趣标签');
    await waitFor(() => expect(picks.shadowRoot!.querySelector('.sw-title')?.textContent).toBe('Late pick'));
    // the property is the element's own accessor now: setting it again re-renders
    picks.strings = { todayPicks: 'Again' };
    expect(picks.shadowRoot!.querySelector('.sw-h2')!.textContent).toBe('Again');
  });
});
