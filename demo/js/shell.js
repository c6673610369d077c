// What every page of the demo shares: strings, the customer's greeting and balances, the language
// button, the status pills, the live panel and its switches. Pages call startShell() once.
import { applyI18n, getLocale, t } from './i18n.js';
import { money, toast } from './dom.js';
import { pendingLoanStep } from './loan-state.js';
import { createPanel } from './panel.js';

const WIDGETS = 'sw-today-picks, sw-you-may-like, sw-smart-ad, sw-reminders, sw-interests';

/**
 * @param {{ page: 'home' | 'wealth' | 'loans', client?: any, onRefresh?: () => void, onTheme?: (t: 'light' | 'dark') => void }} o
 *   `client` defaults to the script tag's global `slotwise`; `onRefresh` re-renders widgets that
 *   are not custom elements (the Preact page) after the customer or a switch changed, `onTheme`
 *   after the theme shown changed.
 * @returns `sdk()` is the client to call *now*: on script-tag pages `window.slotwise` is the
 *   snippet's queue until the SDK has loaded, then the real client, so never keep a reference.
 */
export function startShell(o) {
  const lumen = window.lumen;
  const sdk = () => o.client ?? window.slotwise;
  const locale = getLocale();

  applyI18n(document, locale);
  document.title = t(`title.${o.page}`);
  for (const el of document.querySelectorAll(WIDGETS)) el.setAttribute('locale', locale);
  // the widgets draw in the demo's theme: their `theme` attribute, and the --sw-* colours app.css sets
  const theme = (t) => {
    for (const el of document.querySelectorAll(WIDGETS)) el.setAttribute('theme', t);
  };
  theme(lumen.theme());
  lumen.onTheme((t) => {
    theme(t);
    o.onTheme?.(t);
  });

  /** Fresh widget elements ask for their slots again: used after the customer or a switch changed. */
  const refresh = () =>
    setTimeout(() => {
      for (const el of document.querySelectorAll(WIDGETS)) el.replaceWith(el.cloneNode(true));
      o.onRefresh?.();
    });

  const chrome = () => {
    const p = lumen.persona();
    const greeting = document.getElementById('greeting');
    if (greeting) greeting.textContent = p.userId ? t('hello', { name: p.name[locale] }) : t('helloGuest');
    const m = p.money;
    const figures = { ...m, total: m.deposits + m.wealth };
    for (const el of document.querySelectorAll('[data-money]')) el.dataset.value = money(figures[el.dataset.money] ?? 0, locale);
    showAmounts();
    const offline = window.lumenNet?.isOffline() ?? false;
    const personalOff = !lumen.personalized();
    document.getElementById('pill-offline')?.toggleAttribute('hidden', !offline);
    document.getElementById('pill-personal')?.toggleAttribute('hidden', !personalOff);
    document.getElementById('status-strip')?.toggleAttribute('hidden', !offline && !personalOff);
  };

  // amounts can be hidden, as every bank app allows
  const maskBtn = document.getElementById('mask-btn');
  const showAmounts = () => {
    const masked = localStorage.getItem('lumen.masked') === '1';
    maskBtn?.setAttribute('aria-pressed', String(masked));
    maskBtn?.querySelector('use')?.setAttribute('href', `/icons.svg#${masked ? 'eye-off' : 'eye'}`);
    for (const el of document.querySelectorAll('[data-money]')) el.textContent = masked ? '****' : el.dataset.value;
  };
  maskBtn?.addEventListener('click', () => {
    localStorage.setItem('lumen.masked', localStorage.getItem('lumen.masked') === '1' ? '0' : '1');
    showAmounts();
  });

  const switchLocale = (next) => {
    if (next === locale) return;
    lumen.setLocale(next);
    // the SDK, the widgets and the backend's texts all take the locale at start: reload
    location.reload();
  };
  document.getElementById('lang-btn')?.addEventListener('click', () => switchLocale(locale === 'en' ? 'zh-CN' : 'en'));

  for (const a of document.querySelectorAll('[data-soon]')) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      toast(t('qa.soon', { name: t(a.dataset.soon) }));
    });
  }

  // The backend learns who the customer is (risk tolerance, segment) from their identify event.
  // After a switch in the panel, ask the slots again only once the backend has acknowledged it:
  // asked earlier, they would still describe a stranger.
  let switching = false;
  const identifies = new Set();
  lumen.on('event', (e) => switching && e.type === 'identify' && identifies.add(e.id));
  lumen.on('sent', ({ ids }) => {
    if (!ids.some((id) => identifies.delete(id))) return;
    switching = false;
    refresh();
  });

  const panel = createPanel({
    flush: () => sdk().flush(),
    locale,
    personas: lumen.personas,
    persona: lumen.persona(),
    offline: window.lumenNet?.isOffline() ?? false,
    personalized: lumen.personalized(),
    theme: lumen.choice(),
    onTheme: (c) => lumen.setTheme(c),
    subscribe: (kind, fn) => lumen.on(kind, fn),
    lastEvent: (before) => lumen.lastEvent(before),
    onPersona(id) {
      lumen.setPersona(id);
      // identify (or reset for the guest) and send at once; the slots follow once it is acknowledged
      switching = !!lumen.persona().userId;
      lumen.sync(sdk());
      document.getElementById('persona-note').textContent = lumen.persona().note[locale];
      chrome();
      if (!lumen.persona().userId) refresh();
    },
    onTransaction(kind) {
      sdk().track('transaction', { ...lumen.TRANSACTIONS[kind], currency: 'CNY' });
      // the real-time tags it makes ride on the next decide: ask again once it is sent
      sdk().flush().then(refresh);
    },
    onLocale: switchLocale,
    onOffline(v) {
      window.lumenNet?.set(v);
      chrome();
    },
    onPersonalization(v) {
      lumen.setPersonalized(v);
      sdk().setPersonalization(v);
      chrome();
      refresh();
    },
  });

  // the bell shows how many reminders fired on this page
  let fired = 0;
  lumen.on('reminder', () => {
    const badge = document.getElementById('bell-count');
    if (badge) {
      badge.textContent = String(++fired);
      badge.hidden = false;
    }
  });

  // An application left unfinished on the Loans page is reported on the other pages, and the
  // backend's `loan_resume` trigger puts its reminder into this page's <sw-reminders>. A trigger
  // sees only events tracked after its rules are in, and the widget must be listening: so the
  // report waits for the SDK (not the snippet's queue), its rules (tags are listed only once the
  // config's rules are applied, and a customer with an application holds `loan_interest`) and a
  // first slot answer (the widgets are on the page), looking every 100 ms for up to 15 s.
  const step = o.page === 'loans' ? 0 : pendingLoanStep();
  if (step) {
    let decided = false;
    lumen.on('decision', () => (decided = true));
    const until = performance.now() + 15_000;
    const report = () => {
      const c = sdk();
      if (decided && !Array.isArray(c) && c.getTags?.().length) c.track('loan_apply_pending', { step });
      else if (performance.now() < until) setTimeout(report, 100);
    };
    report();
  }

  chrome();
  return { sdk, locale, t, refresh, panel };
}
