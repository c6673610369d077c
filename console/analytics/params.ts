/**
 * Each analysis's own parameters as the screen's form shows them (the API's names and defaults:
 * sdk/contract-analytics.ts), and the customer lists a screen can save as an audience. An empty
 * field is left out of the query, so the server's documented default applies.
 */
import type { AnalysisName } from '../../sdk/contract-analytics';
import type { AnKey } from './i18n';

export type ParamSpec =
  | { name: string; label: AnKey; kind: 'text' | 'number'; placeholder?: string }
  | { name: string; label: AnKey; kind: 'select'; options: [value: string, label: AnKey | string][] };

const interval = (fallback: 'day' | 'week'): ParamSpec => ({
  name: 'interval',
  label: 'an.interval',
  kind: 'select',
  options: fallback === 'day' ? [['', 'an.day'], ['week', 'an.week']] : [['', 'an.week'], ['day', 'an.day']],
});

export const PARAMS: Record<AnalysisName, ParamSpec[]> = {
  acquisition: [
    interval('day'),
    { name: 'by', label: 'an.by', kind: 'select', options: [['', 'source'], ['channel', 'channel'], ['medium', 'medium'], ['campaign', 'campaign'], ['referrer', 'referrer']] },
    { name: 'activation', label: 'an.activationEvent', kind: 'text', placeholder: 'loan_apply_submit' },
    { name: 'days', label: 'an.days', kind: 'number', placeholder: '7' },
  ],
  activation: [interval('week'), { name: 'dormantDays', label: 'an.dormantDays', kind: 'number', placeholder: '14' }, { name: 'campaign', label: 'an.campaign', kind: 'text' }],
  funnel: [
    { name: 'steps', label: 'an.steps', kind: 'text', placeholder: 'loan_apply_step:step=1,…,loan_apply_submit' },
    { name: 'window', label: 'an.window', kind: 'text', placeholder: '7d' },
    { name: 'by', label: 'an.by', kind: 'select', options: [['', 'an.none'], ['channel', 'channel'], ['segment', 'segment'], ['source', 'source']] },
  ],
  path: [
    { name: 'start', label: 'an.start', kind: 'text', placeholder: 'loan_apply_exit' },
    { name: 'end', label: 'an.end', kind: 'text' },
    { name: 'steps', label: 'an.depth', kind: 'number', placeholder: '3' },
    { name: 'top', label: 'an.top', kind: 'number', placeholder: '5' },
  ],
  event: [
    { name: 'events', label: 'an.events', kind: 'text' },
    interval('day'),
    { name: 'by', label: 'an.by', kind: 'select', options: [['', 'an.none'], ['channel', 'channel'], ['segment', 'segment']] },
    { name: 'compare', label: 'an.compare', kind: 'select', options: [['', 'an.yes'], ['false', 'an.no']] },
  ],
  viral: [],
  matching: [
    {
      name: 'by',
      label: 'an.by',
      kind: 'select',
      options: [['', 'strategy'], ['slot', 'slot'], ['campaign', 'campaign'], ['model', 'model'], ['segment', 'segment'], ['channel', 'channel'], ['explored', 'explored']],
    },
  ],
  churn: [
    { name: 'weeks', label: 'an.weeks', kind: 'number', placeholder: '8' },
    { name: 'top', label: 'an.topCustomers', kind: 'number', placeholder: '100' },
    { name: 'minRisk', label: 'an.minRisk', kind: 'text', placeholder: '0.5' },
  ],
};

/** The lists a screen offers as an audience: [list, label, label vars]. */
export function listsOf(name: AnalysisName, steps: number): [string, AnKey, Record<string, number>?][] {
  if (name === 'funnel') return [...Array.from({ length: Math.max(0, steps - 1) }, (_, i) => [`dropped:${i + 1}`, 'an.listDropped', { n: i + 1 }] as [string, AnKey, Record<string, number>]), ['converted', 'an.listConverted']];
  if (name === 'churn') return [['at_risk', 'an.listAtRisk']];
  return [];
}
