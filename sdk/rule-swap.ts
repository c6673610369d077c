/**
 * A new release of the rules arrives while the page is open (remote-config.ts): what of the
 * trigger state carries over. A pending trigger whose rule is in the new release unchanged keeps
 * its deadline; one whose rule is gone or changed is cancelled, since its `when`, `unless` or
 * reminder may no longer be what started it. Rules arrive checked (contract-check copies keys in
 * the schema's order), so equal rules have equal JSON.
 */
import type { TriggerRule } from './contract';

/** should a trigger pending under `was` be cancelled when the rule is `now`? */
export const stale = (was?: TriggerRule, now?: TriggerRule): boolean => !now || JSON.stringify(was) != JSON.stringify(now);
