// A fallback set by the page before the widgets chunk defined the element (its own file: the
// elements must not be defined yet, and a window defines them once).
import { waitFor } from '@testing-library/preact';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { defineElements } from '../../../widgets/elements';
import { backend, client, closeClients, item } from './backend';

afterAll(closeClients);

describe('the fallback property before the definition', () => {
  it('upgrade with the fallback items they were given; a wrong value given early does not stop the widget', async () => {
    const ad = document.createElement('sw-smart-ad') as HTMLElement & { fallback?: unknown };
    ad.setAttribute('slot-id', 'late.ad');
    ad.fallback = [item({ id: 'fb-ad', kind: 'ad', title: 'House ad' })];
    const feed = document.createElement('sw-you-may-like') as HTMLElement & { fallback?: unknown; strings?: object };
    feed.setAttribute('slot-id', 'late.feed');
    feed.setAttribute('locale', 'en');
    feed.strings = { youMayLike: 'More for you' };
    feed.fallback = 'not items';
    document.body.append(ad, feed);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    let errors: unknown[][];
    try {
      // nothing for these slots: the fallback shows
      defineElements(client(backend({ decide: () => ({}) })));
    } finally {
      errors = logged.mock.calls.slice();
      logged.mockRestore();
    }
    await waitFor(() => expect(ad.shadowRoot!.querySelector('.sw-title')?.textContent).toBe('House ad'));
    // the wrong fallback is dropped, its error logged; the element still renders, with its other property
    expect(feed.fallback).toBeUndefined();
    expect(feed.shadowRoot!.querySelector('.sw-h2')!.textContent).toBe('More for you');
    await waitFor(() => expect(feed.shadowRoot!.querySelector('.sw-empty')?.textContent).toBe('Nothing to show yet'));
    expect(String(errors[0]![0])).toMatch(/fallback: an array of items/);
  });
});
