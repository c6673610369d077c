// Under a strict CSP (no 'unsafe-inline' styles) the widgets style themselves with a nonce when
// given one: a <style nonce> per shadow root for elements, one in <head> for Preact components.
import { cleanup, render } from '@testing-library/preact';
import { afterAll, describe, expect, it } from 'vitest';
import { defineElements } from '../../../widgets/elements';
import { SlotwiseProvider } from '../../../widgets/context';
import { TodayPicks } from '../../../widgets/TodayPicks';
import { Interests } from '../../../widgets/Interests';
import { backend, client, closeClients } from './backend';

afterAll(async () => {
  cleanup();
  await closeClients();
});

describe('styles under a strict CSP', () => {
  it('elements put a <style nonce> in their shadow root', () => {
    defineElements(client(backend()), { nonce: 'n0nce-el' });
    document.body.innerHTML = '<sw-interests></sw-interests><sw-today-picks></sw-today-picks>';
    for (const el of document.body.children) {
      const styles = el.shadowRoot!.querySelectorAll('style');
      expect(styles).toHaveLength(1);
      expect(styles[0]!.nonce).toBe('n0nce-el');
      expect(styles[0]!.textContent).toContain('.sw-card{');
      expect(el.shadowRoot!.adoptedStyleSheets).toHaveLength(0);
    }
    expect(document.head.querySelectorAll('style')).toHaveLength(0);
    document.body.innerHTML = '';
  });

  it('Preact components put one <style nonce> in the document head, however many there are', () => {
    const sw = client(backend());
    render(
      <SlotwiseProvider client={sw} nonce="n0nce-app">
        <TodayPicks slotId="a" />
        <Interests />
        <TodayPicks slotId="b" />
      </SlotwiseProvider>,
    );
    const styles = document.head.querySelectorAll('style');
    expect(styles).toHaveLength(1);
    expect(styles[0]!.nonce).toBe('n0nce-app');
    expect(document.querySelectorAll('[style]')).toHaveLength(0);
  });
});
