/**
 * What a template's campaign would do, before any draft exists: a sample customer who fits it
 * (built from the campaign's own conditions, or given), the days from today it would be live for
 * that customer, what it shows and which reminders its triggers send. Evaluated with the engine's
 * own condition code (engine/traits.ts), so the preview cannot disagree with a decide.
 */
import type { CalendarWindow, Campaign, TraitCondition } from '../../sdk/contract-admin';
import type { TriggerRule } from '../../sdk/contract';
import { chinaDay, inCalendar, traitsHold, type Traits } from '../engine/traits';
import type { Draft } from './instantiate';

const DAY = 86_400_000;
/** how far ahead the preview looks: a festival may be most of a year away */
export const PREVIEW_DAYS = 400;

export interface SampleCustomer {
  traits: Record<string, string | number | boolean>;
  tags: Record<string, string | number | boolean>;
  segment?: string;
}

export interface TemplatePreview {
  sample: SampleCustomer;
  /** China dates `[from, to]` (inclusive) on which the campaign is live for the sample, from today on */
  windows: { from: string; to: string }[];
  /** what the campaign pins, where, with the item's title */
  shows: { itemId: string; title?: { 'zh-CN': string; en: string }; slotKind?: string; slotId?: string }[];
  /** the reminders its triggers send, and on what event */
  reminders: { triggerId: string; on: TriggerRule['when']; title: Record<string, string>; body: Record<string, string> }[];
  drafts: { collection: string; value: unknown }[];
}

const dateOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** A value in `min…max` near its middle, leaning to today. */
const mid = (t: TraitCondition) => Math.round(((t.min ?? 0) + (t.max ?? 0)) / 2);

/** A customer who meets `c`'s conditions on China day `today`. */
export function fittingSample(c: Campaign, today: number): SampleCustomer {
  const traits: SampleCustomer['traits'] = {};
  for (const t of c.traits ?? []) {
    const v = t.value;
    switch (t.op) {
      case 'date_in_days':
        traits[t.name] = dateOf(today + mid(t));
        break;
      case 'anniversary_in_days':
        traits[t.name] = `1990${dateOf(today + mid(t)).slice(4)}`;
        break;
      case 'day_of_month_in_days':
        traits[t.name] = new Date((today + mid(t)) * DAY).getUTCDate();
        break;
      case 'eq':
      case 'gte':
      case 'lte':
        if (v !== undefined && !Array.isArray(v)) traits[t.name] = v;
        break;
      case 'gt':
      case 'lt':
        if (typeof v === 'number') traits[t.name] = t.op === 'gt' ? v + 1 : v - 1;
        break;
      case 'in':
        if (Array.isArray(v) && v.length) traits[t.name] = v[0]!;
        break;
      case 'exists':
        if (v !== false) traits[t.name] = true;
        break;
      default:
    }
  }
  const tags: SampleCustomer['tags'] = {};
  for (const t of c.tags ?? []) tags[t.name] = t.value ?? true;
  return { traits, tags, segment: c.segments?.[0] };
}

/** Days from `today` on which the campaign's window, calendar and trait conditions hold for `traits`. */
export function liveWindows(c: Campaign, traits: Traits, now: number, days = PREVIEW_DAYS): TemplatePreview['windows'] {
  const today = chinaDay(now);
  const out: TemplatePreview['windows'] = [];
  let open: { from: string; to: string } | undefined;
  for (let d = 0; d < days; d++) {
    // noon China time of each day: inside the day whatever the window's edges
    const at = (today + d) * DAY + 4 * 3_600_000;
    const live =
      (c.start === undefined || at >= c.start) &&
      (c.end === undefined || at < c.end) &&
      (!c.calendar || inCalendar(c.calendar as CalendarWindow, at)) &&
      (!c.traits || traitsHold(c.traits, traits, at));
    const date = dateOf(today + d);
    if (live && open) open.to = date;
    else if (live) out.push((open = { from: date, to: date }));
    else open = undefined;
  }
  return out;
}

export function previewDrafts(drafts: Draft[], now: number, titleOf: (itemId: string) => TemplatePreview['shows'][number]['title'], given?: Partial<SampleCustomer>): TemplatePreview {
  const campaign = drafts.find((d) => d.collection === 'campaigns')!.value as unknown as Campaign;
  const fit = fittingSample(campaign, chinaDay(now));
  const sample = { traits: given?.traits ?? fit.traits, tags: given?.tags ?? fit.tags, segment: given?.segment ?? fit.segment };
  return {
    sample,
    windows: liveWindows(campaign, sample.traits, now),
    shows: (campaign.pins ?? []).map((p) => ({ itemId: p.itemId, title: titleOf(p.itemId), slotKind: p.slotKind, slotId: p.slotId })),
    reminders: drafts
      .filter((d) => d.collection === 'triggers')
      .map((d) => {
        const t = d.value as unknown as TriggerRule;
        return { triggerId: t.id, on: t.when, title: t.reminder.title, body: t.reminder.body };
      }),
    drafts: drafts.map((d) => ({ collection: d.collection, value: d.value })),
  };
}
