// The loan page: a four-step application that reports its funnel to Slotwise.
//   entering step n         → track('loan_apply_step', { step: n })
//   submitting              → track('loan_apply_submit', { amount, term })
//   leaving it unfinished   → track('loan_apply_exit', { step })   ("save and exit", or leaving the page)
// The backend's `loan_abandoned` trigger, evaluated on the device, turns an exit into a reminder
// within milliseconds; the page measures that (performance.now()) and shows it in the live panel.
import { h, icon, money, toast } from './dom.js';
import { LOAN_KEY as KEY, savedLoan as saved } from './loan-state.js';
import { startShell } from './shell.js';

const APR = 0.0345;
const TERMS = [6, 12, 24, 36];
const PURPOSES = ['home', 'car', 'study', 'travel'];

const { sdk, t, locale } = startShell({ page: 'loans' });
const root = document.getElementById('apply');

// The application survives navigation (loan-state.js), so "continue your application" can pick it up.
let app = saved() ?? { step: 0, amount: 50_000, term: 12, purpose: 'home', name: '', id: '', phone: '', employment: 'employed', income: '', employer: '' };
const save = () => sessionStorage.setItem(KEY, JSON.stringify(app));
/** whole yuan, grouped the locale's way */
const yuan = (n) => `¥${Math.round(n).toLocaleString(locale)}`;
/** an application was started and not finished: leaving now is an abandonment */
const open = () => app.step >= 1 && app.step <= 4;

function monthly(amount, term) {
  const r = APR / 12;
  return (amount * r) / (1 - (1 + r) ** -term);
}

function go(step) {
  app.step = step;
  save();
  render();
  if (step >= 1 && step <= 4) sdk().track('loan_apply_step', { step });
  root.querySelector('h2')?.focus();
}

let exited = false;
function exit(reason) {
  if (!open() || exited) return;
  exited = true;
  const step = app.step;
  // measured on the page: the SDK evaluates the trigger on the device, no round trip
  window.lumenLoanExitAt = performance.now();
  sdk().track('loan_apply_exit', { step, reason });
  if (reason === 'button') {
    app.step = 0;
    app.resumeAt = step;
    save();
    render();
    toast(t('exit.toast'));
    exited = false;
  }
}

// Leaving the page mid-application is an abandonment too. Capture phase, so this runs before the
// SDK's own pagehide flush and the exit event goes out with it.
addEventListener('pagehide', () => exit('pagehide'), { capture: true });

// the on-device reminder: how long after the exit event it arrived
window.lumen.on('reminder', (r, at) => {
  const from = window.lumenLoanExitAt;
  if (from !== undefined && at >= from) {
    window.lumenReminderLatencyMs = at - from;
    window.lumenLoanExitAt = undefined;
  }
});

function field(id, label, input, hint) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint && h('span', { class: 'hint' }, hint));
}

function input(id, key, attrs = {}) {
  return h('input', {
    id,
    name: key,
    value: app[key],
    required: true,
    autocomplete: 'off',
    ...attrs,
    onInput: (e) => {
      app[key] = e.target.value;
      e.target.removeAttribute('aria-invalid');
      save();
    },
  });
}

function choice(name, legend, options, label) {
  return h(
    'fieldset',
    { class: 'choice' },
    h('legend', null, legend),
    ...options.map((v) =>
      h(
        'label',
        null,
        h('input', {
          type: 'radio',
          name,
          value: String(v),
          checked: String(app[name]) === String(v),
          onChange: () => {
            app[name] = typeof app[name] === 'number' ? Number(v) : v;
            save();
            if (name === 'term') render();
          },
        }),
        h('span', null, label(v)),
      ),
    ),
  );
}

const steps = {
  1: () => {
    const out = h('output', { class: 'amount-big', for: 'amount', id: 'amount-out' }, yuan(app.amount));
    const range = h('input', {
      id: 'amount',
      type: 'range',
      min: 10_000,
      max: 300_000,
      step: 5_000,
      value: app.amount,
      onInput: (e) => {
        app.amount = Number(e.target.value);
        out.textContent = yuan(app.amount);
        save();
      },
    });
    return [
      h('div', { class: 'field' }, h('label', { for: 'amount' }, t('f.amount')), out, range),
      choice('term', t('f.term'), TERMS, (n) => t('loans.monthsShort', { n })),
      choice('purpose', t('f.purpose'), PURPOSES, (p) => t(`p.${p}`)),
    ];
  },
  2: () => [
    field('name', t('f.name'), input('name', 'name', { autocomplete: 'name' })),
    field('idno', t('f.id'), input('idno', 'id', { inputmode: 'numeric' }), t('f.idHint')),
    field('phone', t('f.phone'), input('phone', 'phone', { type: 'tel', autocomplete: 'tel' })),
  ],
  3: () => [
    choice('employment', t('f.employment'), ['employed', 'self', 'other'], (e) => t(`e.${e}`)),
    field('income', t('f.income'), input('income', 'income', { inputmode: 'numeric' })),
    field('employer', t('f.employer'), input('employer', 'employer', { autocomplete: 'organization' })),
  ],
  4: () => {
    const pay = monthly(app.amount, app.term);
    const row = (k, v) => h('div', null, h('dt', null, t(k)), h('dd', null, v));
    return [
      h(
        'dl',
        { class: 'summary' },
        row('r.amount', yuan(app.amount)),
        row('r.term', t('loans.months', { n: app.term })),
        row('r.apr', `${(APR * 100).toFixed(2)}%`),
        row('r.monthly', `¥${money(pay, locale)}`),
        row('r.total', `¥${money(pay * app.term - app.amount, locale)}`),
      ),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'agree', required: true }), h('span', null, t('f.agree'))),
    ];
  },
};

/** The current step's required fields are filled; the first empty one is marked and focused. */
function valid() {
  const empty = [...root.querySelectorAll('input[required]')].filter((el) => (el.type === 'checkbox' ? !el.checked : !el.value.trim()));
  for (const el of empty) el.setAttribute('aria-invalid', 'true');
  if (empty[0]) {
    empty[0].focus();
    toast(t('required'));
  }
  return empty.length === 0;
}

function render() {
  if (app.step === 0) {
    const resume = app.resumeAt >= 1;
    root.replaceChildren(
      h('h2', { id: 'apply-title', tabindex: '-1' }, t(resume ? 'loans.resume' : 'loans.applyTitle')),
      h('p', { class: 'lead' }, t('loans.lead')),
      h(
        'button',
        { type: 'button', class: 'btn wide', id: 'apply-start', 'data-sw-event': 'loan_apply_start', onClick: () => go(resume ? app.resumeAt : 1) },
        t(resume ? 'loans.resume' : 'loans.apply'),
        icon('chevron'),
      ),
    );
    return;
  }
  if (app.step === 5) {
    root.replaceChildren(
      h(
        'div',
        { class: 'apply-done' },
        h('span', { class: 'chip c-green' }, icon('check')),
        h('h2', { id: 'apply-title', tabindex: '-1' }, t('done.title')),
        h('p', { class: 'lead' }, t('done.body', { ref: app.ref })),
        h('a', { class: 'btn', href: '/' }, t('done.again')),
      ),
    );
    return;
  }
  const n = app.step;
  const form = h(
    'form',
    {
      id: 'apply-form',
      novalidate: true,
      onSubmit: (e) => {
        e.preventDefault();
        if (!valid()) return;
        if (n < 4) return go(n + 1);
        sdk().track('loan_apply_submit', { amount: app.amount, term: app.term });
        app = { ...app, step: 5, resumeAt: 0, ref: `LN${Date.now().toString(36).toUpperCase()}` };
        save();
        render();
        sessionStorage.removeItem(KEY);
      },
    },
    ...steps[n](),
    h(
      'div',
      { class: 'row-actions' },
      n > 1 && h('button', { type: 'button', class: 'btn ghost', onClick: () => go(n - 1) }, t('prev')),
      h('button', { type: 'submit', class: 'btn block', id: 'apply-next' }, t(n < 4 ? 'next' : 'submit')),
    ),
  );
  root.replaceChildren(
    h(
      'div',
      { class: 'apply-head' },
      h('h2', { id: 'apply-title', tabindex: '-1' }, t('loans.applyTitle')),
      h('button', { type: 'button', class: 'link-btn', id: 'apply-exit', onClick: () => exit('button') }, t('exit')),
    ),
    h('p', { class: 'lead' }, t('stepOf', { n })),
    h('ol', { class: 'stepper' }, ...[1, 2, 3, 4].map((i) => h('li', { class: i < n ? 'done' : '', 'aria-current': i === n ? 'step' : null }, t(`step.${i}`)))),
    form,
  );
}

render();
