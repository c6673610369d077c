// The live panel: the demo's controls, and what the SDK does as it does it — the events it queues
// and sends (`on('event')`, `on('sent')`), the decision behind each slot with its strategy and
// reasons (`on('decision')`), and reminders as they fire (`on('reminder')`).
// Everything shown comes from the SDK's own listeners; the panel never asks the backend itself.
import { h, icon } from './dom.js';

const MAX_EVENTS = 80;

const L = {
  en: {
    title: 'Slotwise live',
    simulate: 'Simulate',
    simulateNote: 'What the bank reports as money moves (transaction events)',
    moves: { salary: 'Salary in', deposit: 'Deposit ¥80,000', card: 'Card spend ¥12,000', failed: 'Payment fails' },
    close: 'Close the live panel',
    persona: 'Customer',
    language: 'Language',
    theme: 'Theme',
    themes: ['Auto', 'Light', 'Dark'],
    offline: 'Go offline',
    offlineNote: 'The SDK sees the network drop; events wait in IndexedDB',
    personal: 'Personalisation',
    personalNote: 'Off: the backend uses no personal features',
    online: 'online',
    offlineState: 'offline',
    queued: 'tracked',
    sent: 'sent',
    decisions: 'decisions',
    reminders: 'reminders',
    slots: 'Decisions per slot',
    events: 'Events',
    remindersH: 'Reminders',
    noDecisions: 'No decision yet.',
    noEvents: 'Nothing tracked yet.',
    noReminders: 'No reminder yet. Abandon a loan application to see one.',
    flush: 'Send now',
    stateQueued: 'queued',
    stateSent: 'sent ✓',
    after: '{ms} ms after {event}',
    error: 'error',
    operators: 'Operators',
    console: 'Open the console',
    consoleNote: 'Publish a campaign there: the slots on this page change within a second, without a reload',
  },
  'zh-CN': {
    title: 'Slotwise 实时面板',
    simulate: '模拟交易',
    simulateNote: '银行核心系统上报的资金变动（transaction 事件）',
    moves: { salary: '工资到账', deposit: '存入8万元', card: '刷卡1.2万元', failed: '支付失败' },
    close: '关闭实时面板',
    persona: '客户',
    language: '语言',
    theme: '外观',
    themes: ['跟随系统', '浅色', '深色'],
    offline: '断网',
    offlineNote: 'SDK 感知到断网；事件暂存在 IndexedDB',
    personal: '个性化推荐',
    personalNote: '关闭后后台不使用任何个人特征',
    online: '在线',
    offlineState: '离线',
    queued: '已记录',
    sent: '已发送',
    decisions: '决策',
    reminders: '提醒',
    slots: '各推荐位的决策',
    events: '事件',
    remindersH: '提醒',
    noDecisions: '尚无决策。',
    noEvents: '尚无事件。',
    noReminders: '尚无提醒。放弃一次贷款申请即可看到。',
    flush: '立即发送',
    stateQueued: '待发送',
    stateSent: '已发送 ✓',
    after: '{event} 之后 {ms} 毫秒',
    error: '错误',
    operators: '运营',
    console: '打开运营控制台',
    consoleNote: '在控制台发布活动：本页的推荐位一秒内随之更新，无需刷新',
  },
};

/**
 * Builds the panel into `#live-panel` and follows `client`.
 * @param {{ flush(): void, locale: 'en' | 'zh-CN', personas: any[], persona: any,
 *   offline: boolean, personalized: boolean, theme: 'auto' | 'light' | 'dark',
 *   onTheme(choice: 'auto' | 'light' | 'dark'): void,
 *   subscribe(kind: string, fn: (payload: any, at: number) => void): void,
 *   lastEvent(before: number): { name: string, at: number } | undefined,
 *   onPersona(id: string): void, onLocale(l: string): void, onOffline(v: boolean): void,
 *   onPersonalization(v: boolean): void, onTransaction(kind: string): void }} o
 */
export function createPanel(o) {
  const s = L[o.locale];
  const fill = (str, vars) => str.replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));
  const aside = document.getElementById('live-panel');
  const counts = { queued: 0, sent: 0, decisions: 0, reminders: 0 };
  /** event id → its row's state cell, for marking rows sent */
  const rows = new Map();

  const stat = (key) => h('dd', { 'data-stat': key }, '0');
  const stats = h(
    'dl',
    { class: 'stats wide' },
    ...['queued', 'sent', 'decisions', 'reminders'].map((k) => h('div', null, h('dt', null, s[k]), stat(k))),
  );
  const setStat = (k) => (stats.querySelector(`[data-stat="${k}"]`).textContent = String(counts[k]));

  const personaSelect = h(
    'select',
    { id: 'persona-select', 'aria-label': s.persona, onChange: (e) => o.onPersona(e.target.value) },
    ...o.personas.map((p) => h('option', { value: p.id, selected: p.id === o.persona.id }, p.name[o.locale])),
  );
  const langSeg = h(
    'div',
    { class: 'seg', role: 'group', 'aria-label': s.language },
    ...[
      ['zh-CN', '中文'],
      ['en', 'EN'],
    ].map(([l, label]) =>
      h('button', { type: 'button', 'data-locale': l, 'aria-pressed': String(l === o.locale), onClick: () => o.onLocale(l) }, label),
    ),
  );
  const themeSeg = h(
    'div',
    { class: 'seg', role: 'group', 'aria-label': s.theme },
    ...['auto', 'light', 'dark'].map((c, i) =>
      h('button', {
        type: 'button',
        'data-theme-choice': c,
        'aria-pressed': String(c === o.theme),
        onClick: (e) => {
          for (const b of themeSeg.children) b.setAttribute('aria-pressed', String(b === e.currentTarget));
          o.onTheme(c);
        },
      }, s.themes[i]),
    ),
  );
  const sw = (id, label, note, checked, cls, onChange) =>
    h(
      'label',
      { class: 'switch' },
      h('input', { type: 'checkbox', id, class: cls, checked, onChange: (e) => onChange(e.target.checked) }),
      h('span', null, label, h('small', null, note)),
    );

  const net = h('span', { class: 'net', 'aria-live': 'polite' });
  const setNet = (offline) => {
    net.classList.toggle('offline', offline);
    net.textContent = offline ? s.offlineState : s.online;
  };
  setNet(o.offline);

  const decisionsList = h('ol', { class: 'log', id: 'panel-decisions', 'data-empty': s.noDecisions });
  const eventsList = h('ol', { class: 'log', id: 'panel-events', 'data-empty': s.noEvents });
  const remindersList = h('ol', { class: 'log', id: 'panel-reminders', 'data-empty': s.noReminders });
  const n = () => h('span', { class: 'n' }, '0');
  const section = (title, list, open = true) => {
    const badge = n();
    const el = h('details', { open }, h('summary', null, title, badge), list);
    return { el, badge };
  };
  const decS = section(s.slots, decisionsList);
  const remS = section(s.remindersH, remindersList);
  const evS = section(s.events, eventsList);

  const closeBtn = h('button', { type: 'button', class: 'panel-close', 'aria-label': s.close, onClick: () => setOpen(false) }, icon('close'));
  aside.replaceChildren(
    h('div', { class: 'panel-head' }, h('h2', null, icon('pulse'), s.title), h('span', { class: 'spacer' }), net, closeBtn),
    h(
      'div',
      { class: 'panel-body' },
      h(
        'div',
        { class: 'controls' },
        h(
          'div',
          { class: 'wide' },
          h('label', { class: 'ctl-label', for: 'persona-select' }, s.persona),
          personaSelect,
          h('p', { class: 'persona-note', id: 'persona-note' }, o.persona.note[o.locale]),
        ),
        h('div', null, h('span', { class: 'ctl-label' }, s.language), langSeg),
        h('div', null, h('span', { class: 'ctl-label' }, s.theme), themeSeg),
        h(
          'div',
          null,
          h('span', { class: 'ctl-label' }, 'SDK'),
          h('button', { type: 'button', class: 'mini-btn', id: 'flush-btn', onClick: () => o.flush() }, s.flush),
        ),
        h(
          'div',
          { class: 'wide' },
          h('span', { class: 'ctl-label', id: 'simulate-label' }, s.simulate),
          h(
            'div',
            { class: 'seg', role: 'group', 'aria-labelledby': 'simulate-label', id: 'simulate' },
            ...Object.keys(s.moves).map((k) => h('button', { type: 'button', class: 'mini-btn', 'data-transaction': k, onClick: () => o.onTransaction(k) }, s.moves[k])),
          ),
          h('small', null, s.simulateNote),
        ),
        h('div', { class: 'wide' }, sw('offline-switch', s.offline, s.offlineNote, o.offline, 'danger', (v) => (o.onOffline(v), setNet(v)))),
        h('div', { class: 'wide' }, sw('personal-switch', s.personal, s.personalNote, o.personalized, '', o.onPersonalization)),
        // the operator console of the same server: publishing there changes this page live
        h(
          'div',
          { class: 'wide' },
          h('span', { class: 'ctl-label' }, s.operators),
          h('a', { class: 'mini-btn', id: 'console-link', href: '/console/', target: '_blank', rel: 'noopener', 'aria-describedby': 'console-note' }, s.console),
          h('p', { class: 'persona-note', id: 'console-note' }, s.consoleNote),
        ),
        stats,
      ),
      decS.el,
      remS.el,
      evS.el,
    ),
  );
  aside.setAttribute('aria-label', s.title);

  // phones: a bottom sheet, opened from the header's pulse button or the "Me" tab
  const openers = () => document.querySelectorAll('[data-open-panel]');
  function setOpen(open) {
    aside.classList.toggle('open', open);
    for (const b of openers()) b.setAttribute('aria-expanded', String(open));
    if (open) closeBtn.focus();
    else if (aside.contains(document.activeElement)) openers()[0]?.focus();
  }
  for (const b of openers()) {
    b.setAttribute('aria-controls', 'live-panel');
    b.setAttribute('aria-expanded', 'false');
    b.addEventListener('click', () => setOpen(!aside.classList.contains('open')));
  }
  aside.addEventListener('keydown', (e) => e.key === 'Escape' && setOpen(false));

  // ---- what the SDK does ----

  o.subscribe('event', (ev) => {
    counts.queued++;
    setStat('queued');
    const state = h('span', { class: 'state' }, s.stateQueued);
    rows.set(ev.id, state);
    const props = { ...ev.properties };
    for (const k of ['slotId', 'itemId', 'position', 'decisionId']) if (ev[k] != null) props[k] = ev[k];
    eventsList.prepend(
      h(
        'li',
        { class: 'ev', 'data-type': ev.type, 'data-name': ev.name },
        h('span', { class: `type t-${ev.type}` }, ev.type),
        h('span', { class: 'name' }, ev.name),
        state,
        h('span', { class: 'props' }, Object.keys(props).length ? JSON.stringify(props) : '{}'),
      ),
    );
    while (eventsList.children.length > MAX_EVENTS) {
      const last = eventsList.lastElementChild;
      last.remove();
    }
    evS.badge.textContent = String(counts.queued);
  });

  o.subscribe('sent', ({ ids }) => {
    for (const id of ids) {
      const cell = rows.get(id);
      if (cell) {
        cell.textContent = s.stateSent;
        cell.classList.add('sent');
        rows.delete(id);
      }
    }
    counts.sent += ids.length;
    setStat('sent');
  });

  /** slot id → its block, so the panel shows the latest decision of each slot */
  const slotBlocks = new Map();
  o.subscribe('decision', ({ decisionId, slots, source }) => {
    counts.decisions++;
    setStat('decisions');
    for (const [slotId, { items }] of Object.entries(slots)) {
      const block = h(
        'li',
        { 'data-slot': slotId, 'data-decision': decisionId },
        h(
          'div',
          { class: 'dec-head' },
          h('span', { class: 'slot' }, slotId),
          h('span', { class: `src s-${source}` }, source),
          h('span', { class: 'id', title: decisionId }, decisionId.slice(0, 8)),
        ),
        h('ol', { class: 'dec-items' }, ...items.map((item) => decisionItem(item))),
      );
      const old = slotBlocks.get(slotId);
      if (old) old.replaceWith(block);
      else decisionsList.append(block);
      slotBlocks.set(slotId, block);
    }
    decS.badge.textContent = String(slotBlocks.size);
  });

  o.subscribe('reminder', (r, at) => {
    counts.reminders++;
    setStat('reminders');
    const last = o.lastEvent(at);
    const meta = last ? fill(s.after, { ms: (at - last.at).toFixed(2), event: last.name }) : r.source;
    remindersList.prepend(
      h(
        'li',
        { 'data-reminder': r.id },
        h('div', { class: 'rem-title' }, r.title),
        h('div', { class: 'rem-body' }, r.body),
        h('div', { class: 'rem-meta' }, `${r.ruleId ?? r.source} · ${meta}`),
      ),
    );
    remS.badge.textContent = String(counts.reminders);
  });

  o.subscribe('error', (e) => {
    eventsList.prepend(
      h(
        'li',
        { class: 'ev' },
        h('span', { class: 'type t-dismiss' }, s.error),
        h('span', { class: 'name' }, e.code),
        h('span', { class: 'state' }, ''),
        h('span', { class: 'props', title: e.message }, e.message),
      ),
    );
  });

  return { setNet, setOpen };
}

/** One served item: position, title, score, strategy, risk, and its reasons as signed bars. */
function decisionItem(item) {
  const max = Math.max(0.01, ...item.reasons.map((r) => Math.abs(r.contribution)));
  return h(
    'li',
    { 'data-item': item.id },
    h(
      'div',
      { class: 'dec-item-head' },
      h('span', { class: 'pos' }, `#${item.position}`),
      h('span', { class: 'title', title: item.title }, item.title),
      h('span', { class: 'score' }, Number(item.score).toFixed(3)),
    ),
    h(
      'div',
      { class: 'tagline' },
      h('span', { class: 'tag strategy' }, item.strategy),
      h('span', { class: 'tag' }, item.kind),
      item.risk && h('span', { class: 'tag risk' }, item.risk),
      item.explored && h('span', { class: 'tag explored' }, 'explore'),
    ),
    item.reasons.length > 0 &&
      h(
        'ul',
        { class: 'reasons' },
        ...item.reasons.map((r) => {
          const w = (Math.abs(r.contribution) / max) * 50;
          const bar = h('i', { class: r.contribution < 0 ? 'neg' : '', style: r.contribution < 0 ? { left: `${50 - w}%`, width: `${w}%` } : { width: `${w}%` } });
          return h(
            'li',
            { title: r.feature },
            h('span', null, r.label),
            h('span', { class: 'bar' }, bar),
            h('span', { class: 'num' }, (r.contribution >= 0 ? '+' : '') + r.contribution.toFixed(2)),
          );
        }),
      ),
  );
}
