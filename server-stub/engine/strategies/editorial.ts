/**
 * Editorial: the curated order (operator's `editorial` priority, then prior popularity). It is
 * what cold users and personalisation-off requests rest on, and the filler behind every page.
 */
import { takeEligible, type Strategy } from './context';

export const editorial: Strategy = (ctx, limit) => takeEligible(ctx, ctx.index.editorial[ctx.pool][ctx.cap], limit);
