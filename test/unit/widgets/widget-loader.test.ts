// @vitest-environment-options { "settings": { "handleDisabledFileLoadingAsSuccess": true } }
// The core script tag loads the widgets chunk only when a widget element is on the page.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadWidgetsWhenNeeded, widgetsUrl } from '../../../sdk/widget-loader';

const core = (src = 'https://cdn.bank.example/sw/1.2/slotwise.min.js?v=3', nonce?: string) => {
  // never attached to the page, so never fetched
  const s = document.createElement('script');
  s.src = src;
  if (nonce) s.nonce = nonce;
  return s;
};
// a document without a browsing context: scripts added to it are never fetched
let doc: Document;
const chunks = () => [...doc.querySelectorAll<HTMLScriptElement>('script[data-slotwise-widgets]')];
const tick = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  doc = document.implementation.createHTMLDocument('page');
});

describe('widget loader', () => {
  it('derives the chunk URL from the core script, keeping its directory and query', () => {
    expect(widgetsUrl('https://cdn.bank.example/sw/1.2/slotwise.min.js?v=3')).toBe('https://cdn.bank.example/sw/1.2/slotwise-widgets.min.js?v=3');
    expect(widgetsUrl('/slotwise.min.js')).toBe('/slotwise-widgets.min.js');
    expect(widgetsUrl('https://x.example/static/sdk.js#h')).toBe('https://x.example/static/slotwise-widgets.min.js#h');
  });

  it('loads nothing on a page without widget elements', async () => {
    doc.body.innerHTML = '<main><p>no widgets here</p></main>';
    const stop = loadWidgetsWhenNeeded({ script: core(), document: doc });
    doc.body.append(doc.createElement('div'));
    await tick();
    expect(chunks()).toHaveLength(0);
    stop();
  });

  it('loads the chunk at once, with the core’s nonce, when a widget is already on the page', () => {
    doc.body.innerHTML = '<section><sw-smart-ad slot-id="home.ad"></sw-smart-ad></section>';
    loadWidgetsWhenNeeded({ script: core(undefined, 'n0nce'), document: doc });
    expect(chunks()).toHaveLength(1);
    expect(chunks()[0]!.src).toBe('https://cdn.bank.example/sw/1.2/slotwise-widgets.min.js?v=3');
    expect(chunks()[0]!.nonce).toBe('n0nce');
    expect(chunks()[0]!.async).toBe(true);
  });

  it('loads it once a widget is added later, also deep inside added content, and only once', async () => {
    loadWidgetsWhenNeeded({ script: core(), document: doc });
    doc.body.append(doc.createElement('div'));
    await tick();
    expect(chunks()).toHaveLength(0);
    const panel = doc.createElement('div');
    panel.innerHTML = '<article><div><sw-interests></sw-interests></div></article>';
    doc.body.append(panel);
    await tick();
    expect(chunks()).toHaveLength(1);
    doc.body.append(doc.createElement('sw-today-picks'));
    loadWidgetsWhenNeeded({ script: core(), document: doc });
    await tick();
    expect(chunks()).toHaveLength(1);
  });

  it('takes an explicit data-widgets-src, and stops watching when asked', async () => {
    const s = core();
    s.dataset.widgetsSrc = '/assets/w.js';
    const stop = loadWidgetsWhenNeeded({ script: s, document: doc });
    stop();
    doc.body.append(doc.createElement('sw-reminders'));
    await tick();
    expect(chunks()).toHaveLength(0);
    loadWidgetsWhenNeeded({ script: s, document: doc });
    expect(chunks()[0]!.getAttribute('src')).toBe('/assets/w.js');
  });

  it('does nothing without a script URL, and never throws', () => {
    doc.body.innerHTML = '<sw-today-picks></sw-today-picks>';
    const said = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => loadWidgetsWhenNeeded({ script: null, document: doc })).not.toThrow();
    expect(chunks()).toHaveLength(0);
    expect(() => loadWidgetsWhenNeeded({ src: '/w.js', document: {} as Document })).not.toThrow();
    expect(said).toHaveBeenCalledOnce();
    said.mockRestore();
  });
});
