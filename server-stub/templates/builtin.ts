/** The built-in templates, by family (lifecycle.ts, calendar.ts, transaction.ts). */
import type { Template } from '../../sdk/contract-templates';
import { CALENDAR } from './calendar';
import { LIFECYCLE } from './lifecycle';
import { TRANSACTION } from './transaction';

export const BUILTIN_TEMPLATES: readonly Template[] = [...LIFECYCLE, ...CALENDAR, ...TRANSACTION].map((t) => ({ ...t, owner: 'builtin' }));
