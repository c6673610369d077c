/*
 * The demo's state and its recorder of what the SDK does. A classic script loaded before the SDK,
 * so that on the script-tag pages the calls below are queued by the snippet *before* the SDK runs:
 * the first decide already knows the chosen customer, and the panel misses no event or decision.
 *
 * window.lumen
 *   personas, persona(), setPersona(id)      the customer being demoed (localStorage)
 *   locale(), setLocale(l)                   'zh-CN' | 'en' (localStorage)
 *   personalized(), setPersonalized(v)       the "personalisation" switch (localStorage)
 *   theme(), setTheme(t), choice()           'light' | 'dark' as shown; the choice 'auto' (follows
 *                                            prefers-color-scheme) | 'light' | 'dark' (localStorage);
 *                                            html[data-theme] carries it before the first paint
 *   onTheme(fn)                              called after the shown theme changed
 *   attach(client)                           follow a client and bring it to the state above
 *   sync(client)                             identify / reset / setPersonalization after a change
 *   on(kind, fn)                             'event' | 'sent' | 'decision' | 'reminder' | 'error',
 *                                            replaying what happened before the page subscribed
 *   log(kind)                                what was recorded so far of that kind (payloads)
 *   lastAt(name)                             performance.now() of the last event of that name
 *   lastEvent(before)                        { name, at } of the last event recorded before `before`
 *   item(id)                                 an item seen in a decision this session (product pages)
 */
(function () {
  'use strict';

  // Each customer's figures agree with each other and with what the slots may offer them: money is
  // in CNY; `deposit` is a term deposit they hold that matures soon (part of `deposits`), or null.
  // Besides riskTolerance and segment, `traits` carry what the bank's response model for term
  // deposits reads, by its feature names (UCI Bank Marketing's columns; `balance` in its EUR): the
  // server scores them and the "top 20 % by subscribed" campaign reaches Lin Xiao and Chen Wei
  // (scores 0.29 and 0.90 against a cut of 0.14), not Zhou Min (0.09) or Wang Fang (0.02).
  var PERSONAS = [
    {
      id: 'new',
      userId: 'lumen-new-c1',
      name: { en: 'Lin Xiao', 'zh-CN': '林晓' },
      note: { en: 'New customer · cautious (C1)', 'zh-CN': '新客户 · 谨慎型（C1）' },
      traits: { riskTolerance: 'C1', segment: 'new', age: 24, job: 'student', marital: 'single', education: 'tertiary', default: 'no', balance: 800, housing: 'no', loan: 'no', contact: 'cellular', pdays: -1, previous: 0, poutcome: 'unknown' },
      money: { deposits: 8320.5, wealth: 0, loans: 0, yesterday: 0 },
      deposit: null,
    },
    {
      id: 'investor',
      userId: 'lumen-active-c4',
      name: { en: 'Chen Wei', 'zh-CN': '陈伟' },
      note: { en: 'Active investor · growth (C4)', 'zh-CN': '活跃投资者 · 成长型（C4）' },
      traits: { riskTolerance: 'C4', segment: 'active', age: 61, job: 'retired', marital: 'married', education: 'tertiary', default: 'no', balance: 6200, housing: 'no', loan: 'no', contact: 'cellular', pdays: 180, previous: 2, poutcome: 'success' },
      money: { deposits: 92180.36, wealth: 286540.12, loans: 0, yesterday: 58.64 },
      deposit: { itemId: 'lumen-held-td-c4', amount: 50000, years: 2, daysToMaturity: 5 },
    },
    {
      id: 'dormant',
      userId: 'lumen-dormant-c2',
      name: { en: 'Zhou Min', 'zh-CN': '周敏' },
      note: { en: 'Dormant for 4 months · steady (C2)', 'zh-CN': '4 个月未登录 · 稳健型（C2）' },
      traits: { riskTolerance: 'C2', segment: 'dormant', age: 47, job: 'technician', marital: 'married', education: 'secondary', default: 'no', balance: 900, housing: 'yes', loan: 'no', contact: 'cellular', pdays: -1, previous: 0, poutcome: 'unknown' },
      money: { deposits: 15600, wealth: 20000, loans: 0, yesterday: 1.72 },
      deposit: { itemId: 'lumen-held-td-c2', amount: 10000, years: 1, daysToMaturity: 6 },
    },
    {
      id: 'churn',
      userId: 'lumen-churn-c3',
      name: { en: 'Wang Fang', 'zh-CN': '王芳' },
      note: { en: 'Churn risk · balanced (C3)', 'zh-CN': '流失风险 · 平衡型（C3）' },
      traits: { riskTolerance: 'C3', segment: 'churn_risk', age: 35, job: 'blue-collar', marital: 'married', education: 'secondary', default: 'no', balance: 150, housing: 'yes', loan: 'yes', contact: 'unknown', pdays: -1, previous: 0, poutcome: 'unknown' },
      money: { deposits: 3905.1, wealth: 12300, loans: 48000, yesterday: 0.96 },
      deposit: null,
    },
    {
      id: 'guest',
      userId: null,
      name: { en: 'Guest', 'zh-CN': '访客' },
      note: { en: 'Not signed in · risk not assessed (R1–R2 only)', 'zh-CN': '未登录 · 未测评（仅限 R1–R2）' },
      traits: {},
      money: { deposits: 0, wealth: 0, loans: 0, yesterday: 0 },
      deposit: null,
    },
  ];
  var KINDS = ['event', 'sent', 'decision', 'reminder', 'error'];
  var MAX_LOG = 500;

  function get(key) {
    try {
      return localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }
  function put(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch (e) {
      /* storage refused: the choice lasts for this page */
    }
  }
  var normalize = function (tag) {
    return String(tag || '').toLowerCase().indexOf('zh') === 0 ? 'zh-CN' : 'en';
  };

  var log = {};
  var subs = {};
  var lastAt = {};
  KINDS.forEach(function (k) {
    log[k] = [];
    subs[k] = [];
  });

  /** Items seen in decisions, so the product page can show the one that was clicked on another page. */
  function stash(slots) {
    var items = {};
    try {
      items = JSON.parse(sessionStorage.getItem('lumen.items') || '{}');
      for (var slot in slots) {
        (slots[slot].items || []).forEach(function (item) {
          delete items[item.id];
          items[item.id] = item;
        });
      }
      var ids = Object.keys(items);
      ids.slice(0, Math.max(0, ids.length - 200)).forEach(function (id) {
        delete items[id];
      });
      sessionStorage.setItem('lumen.items', JSON.stringify(items));
    } catch (e) {
      /* storage refused: the product page shows less */
    }
  }

  function record(kind, payload) {
    var at = performance.now();
    if (kind === 'event' && payload && payload.name) lastAt[payload.name] = at;
    if (kind === 'decision' && payload && payload.slots) stash(payload.slots);
    log[kind].push({ payload: payload, at: at });
    if (log[kind].length > MAX_LOG) log[kind].shift();
    subs[kind].forEach(function (fn) {
      try {
        fn(payload, at);
      } catch (e) {
        console.error('[lumen]', e);
      }
    });
  }

  // The theme is set on <html> here, in the head, so the first paint is already in it.
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var themeSubs = [];
  function choice() {
    var c = get('lumen.theme');
    return c === 'light' || c === 'dark' ? c : 'auto';
  }
  function shown() {
    var c = choice();
    return c === 'auto' ? (dark && dark.matches ? 'dark' : 'light') : c;
  }
  function applyTheme() {
    var t = shown();
    if (document.documentElement.getAttribute('data-theme') === t) return;
    document.documentElement.setAttribute('data-theme', t);
    var meta = document.querySelector('meta[name="theme-color"]');
    if (meta) meta.setAttribute('content', t === 'dark' ? '#0b1530' : '#1d4ed8');
    themeSubs.forEach(function (fn) {
      try {
        fn(t);
      } catch (e) {
        console.error('[lumen]', e);
      }
    });
  }
  if (dark) {
    var follow = function () {
      if (choice() === 'auto') applyTheme();
    };
    if (dark.addEventListener) dark.addEventListener('change', follow);
    else if (dark.addListener) dark.addListener(follow);
  }
  // another tab of the demo changed it
  window.addEventListener('storage', function (e) {
    if (e.key === 'lumen.theme') applyTheme();
  });

  var lumen = {
    personas: PERSONAS,
    theme: shown,
    choice: choice,
    setTheme: function (c) {
      put('lumen.theme', c === 'light' || c === 'dark' ? c : null);
      applyTheme();
    },
    onTheme: function (fn) {
      themeSubs.push(fn);
    },
    persona: function () {
      var id = get('lumen.persona') || 'new';
      return PERSONAS.filter(function (p) { return p.id === id; })[0] || PERSONAS[0];
    },
    setPersona: function (id) {
      put('lumen.persona', id);
    },
    locale: function () {
      return normalize(get('lumen.locale') || navigator.language);
    },
    setLocale: function (l) {
      put('lumen.locale', normalize(l));
    },
    personalized: function () {
      return get('lumen.personalized') !== 'off';
    },
    setPersonalized: function (on) {
      put('lumen.personalized', on ? null : 'off');
    },

    /** Follows `client` (its events, batches sent, decisions, reminders, errors), then syncs it. */
    attach: function (client) {
      KINDS.forEach(function (kind) {
        client.on(kind, function (payload) {
          record(kind, payload);
        });
      });
      lumen.sync(client);
    },

    /**
     * Brings the client to the demo's state. identify/reset only when the customer (or the locale
     * they are identified with) changed, remembered in localStorage next to the SDK's own identity.
     */
    sync: function (client) {
      var p = lumen.persona();
      var locale = lumen.locale();
      var want = p.userId ? p.userId + ' ' + locale : '';
      if (want !== (get('lumen.identified') || '')) {
        if (p.userId) {
          var traits = { locale: locale };
          for (var k in p.traits) traits[k] = p.traits[k];
          client.identify(p.userId, traits);
          // the deposit they hold matures in a few days: the bank's core system says so with a
          // product_maturity event (sdk/contract.ts), which the backend keeps as the trait
          // termDepositMaturesOn that the "term deposit maturing" template reads
          if (p.deposit) client.track('product_maturity', { product: 'term_deposit', maturesOn: lumen.chinaDate(p.deposit.daysToMaturity), amount: p.deposit.amount });
          // the backend learns the traits from this event: send it now rather than in 2 s
          client.flush();
        } else {
          client.reset();
        }
        put('lumen.identified', want || null);
      }
      client.setPersonalization(lumen.personalized());
    },

    /** `YYYY-MM-DD` in China, `days` from today: how a bank writes a date */
    chinaDate: function (days) {
      return new Date(Date.now() + 8 * 3600e3 + days * 864e5).toISOString().slice(0, 10);
    },

    /**
     * What the bank's core system reports as the customer's money moves (sdk/contract.ts
     * `transaction`): the demo's panel sends these so every transaction template can be seen working.
     */
    TRANSACTIONS: {
      salary: { type: 'salary', amount: 12800 },
      deposit: { type: 'deposit', amount: 80000 },
      card: { type: 'card_spend', amount: 12000 },
      failed: { type: 'payment_failed', amount: 268 },
    },

    on: function (kind, fn) {
      log[kind].forEach(function (e) {
        fn(e.payload, e.at);
      });
      subs[kind].push(fn);
    },
    log: function (kind) {
      return log[kind].map(function (e) {
        return e.payload;
      });
    },
    lastAt: function (name) {
      return lastAt[name];
    },
    item: function (id) {
      try {
        return JSON.parse(sessionStorage.getItem('lumen.items') || '{}')[id];
      } catch (e) {
        return undefined;
      }
    },
    lastEvent: function (before) {
      for (var i = log.event.length - 1; i >= 0; i--) {
        var e = log.event[i];
        if (e.at <= before) return { name: e.payload.name, at: e.at };
      }
      return undefined;
    },
  };
  window.lumen = lumen;
  document.documentElement.lang = lumen.locale();
  applyTheme();

  // The script tag configures the SDK from its data- attributes, data-locale among them, and the
  // demo switches language at run time: write data-locale as the parser adds the tag. Safe to do
  // here: an async script runs in a task of its own once fetched, always after this observer's
  // microtask. (A server-rendered page would simply write the attribute.)
  var tagger = new MutationObserver(function (records) {
    records.forEach(function (r) {
      r.addedNodes.forEach(function (node) {
        if (node.nodeName === 'SCRIPT' && node.hasAttribute('data-app-key')) node.setAttribute('data-locale', lumen.locale());
      });
    });
  });
  tagger.observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', function () {
    tagger.disconnect();
  });

  // script-tag pages: the snippet's `slotwise` queues these until the SDK has loaded
  if (window.slotwise) lumen.attach(window.slotwise);
})();
