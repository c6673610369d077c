/**
 * The admin API's draft shapes as the console reads them (server-stub/admin/wire.ts), and how a
 * campaign's status chip is told: a draft is a draft; a live one is scheduled, live or ended by
 * its window at `now`.
 */
import type { Campaign, CatalogItem, SlotLayout } from '../sdk/contract-admin';
import type { Status } from './ui';

export type { Campaign, CatalogItem, SlotLayout };

export interface DraftEntry<T = Record<string, unknown>> {
  id: string;
  status: 'live' | 'draft' | 'deleted';
  rev: string;
  value: T;
  updatedAt?: string;
  updatedBy?: string;
}

export interface List<T> {
  items: T[];
  next?: number | null;
}

/** JSON with object keys sorted: equal rules have one text whatever order their keys came in. */
export const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));

/**
 * A campaign's chip. `waiting` maps the canonical text of each campaign in a release that waits
 * (for approval: pending; for its time: scheduled): a draft equal to one of them is that, not a
 * plain draft.
 */
export function campaignStatus(e: DraftEntry<Campaign>, now: number, waiting?: Map<string, Status>): Status {
  if (e.status === 'draft') return waiting?.get(canonical(e.value)) ?? 'draft';
  if (e.status !== 'live') return e.status;
  const { start, end } = e.value;
  if (end !== undefined && end <= now) return 'ended';
  if (start !== undefined && start > now) return 'scheduled';
  return 'live';
}

/** A localized text in the console's language, else the other one. */
export const pick = (text: { 'zh-CN': string; en: string } | undefined, locale: string): string =>
  !text ? '' : locale === 'en' ? text.en || text['zh-CN'] : text['zh-CN'] || text.en;

/** epoch ms ↔ the value of an `<input type="datetime-local">` in the browser's time zone */
export function toLocalInput(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}
export function fromLocalInput(v: string): number | undefined {
  if (!v) return undefined;
  const ms = new Date(v).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}
