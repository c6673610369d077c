// A tiny element builder for the demo's panel and pages. Children are appended as text nodes
// unless they are already nodes: nothing from the server ever reaches innerHTML.

/**
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs] `class`, `text`, `style` (an object), `on<Event>` handlers, other attributes
 * @param {...(Node | string | number | null | undefined | false)} children
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    // through the CSSOM: a strict CSP (no 'unsafe-inline' styles) refuses style attributes
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** An icon from the demo's sprite. */
export function icon(id, cls = 'icon') {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', cls);
  svg.setAttribute('aria-hidden', 'true');
  const use = document.createElementNS(ns, 'use');
  use.setAttribute('href', `/icons.svg#${id}`);
  svg.append(use);
  return svg;
}

/** ¥ amounts in the locale's grouping, two decimals. */
export const money = (n, locale) =>
  n.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * A short-lived message at the bottom of the phone, above its tab bar. Centred on the phone, not
 * the window: on a wide screen the phone stands beside the live panel.
 */
export function toast(text, ms = 2600) {
  let el = document.getElementById('toast');
  if (!el) {
    el = h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(el);
  }
  el.textContent = text;
  el.hidden = false;
  const phone = document.querySelector('.phone')?.getBoundingClientRect();
  // through the CSSOM: the strict CSP refuses style attributes
  if (phone) Object.assign(el.style, { left: `${phone.left + phone.width / 2}px`, maxWidth: `${phone.width - 32}px` });
  clearTimeout(Number(el.dataset.timer));
  el.dataset.timer = String(setTimeout(() => (el.hidden = true), ms));
}
