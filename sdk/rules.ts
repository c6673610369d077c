/**
 * What tags and triggers share: matching an event against a rule's matcher, validating rules one
 * by one, localizing rule texts, and writing to the device only with consent.
 */
import { check, type Schema } from './contract-check';
import { SlotwiseError, toSlotwiseError } from './errors';
import type { Core } from './types';

export { compare, matches, num, read } from './contract-rules';

/**
 * The rules that pass `schema`, in order. A bad rule (or a second rule with the same key) is
 * skipped and reported as `bad_rule`; the others still run.
 */
export function validRules<T>(
  core: Pick<Core, 'report'>,
  what: string,
  list: unknown[],
  schema: Schema<T>,
  key: (rule: T) => string,
  report: boolean,
): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  list.forEach((raw, i) => {
    const r = check(schema, raw, `${what}.${i}`);
    const message = !r.success ? r.error.message : seen.has(key(r.data)) && `${what}.${i}: duplicate "${key(r.data)}"`;
    if (message) {
      if (report) core.report(new SlotwiseError('bad_rule', message, { rule: raw }));
    } else if (r.success) {
      seen.add(key(r.data));
      out.push(r.data);
    }
  });
  return out;
}

/** The text for the user's locale: exact, then zh-CN for any zh, then en, then whatever there is. */
export const localize = (texts: Record<string, string> | undefined, locale: string): string | undefined =>
  texts && (texts[locale] ?? texts[/^zh/i.test(locale) ? 'zh-CN' : 'en'] ?? texts.en ?? Object.values(texts)[0]);

/** Behaviour is used on the device only when the user allows personalisation and consented. */
export const personal = (core: Core): boolean => core.personalized() && core.consent() == 'granted';

/**
 * Write to the device's store, only under granted consent (pending keeps everything in memory),
 * reporting instead of throwing.
 */
export const save = (core: Core, key: string, value: unknown): Promise<void> | undefined =>
  core.consent() == 'granted' ? core.kv.set(key, value).catch(fail(core)) : undefined;

export const fail = (core: Core) => (e: unknown) => core.report(toSlotwiseError('storage_failed', e));
