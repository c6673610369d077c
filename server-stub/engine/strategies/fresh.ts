/** Fresh: items launched in the last 30 days, newest first — new items get seen, and learned about. */
import { takeEligible, type Strategy } from './context';

export const fresh: Strategy = (ctx, limit) => takeEligible(ctx, ctx.index.fresh[ctx.pool][ctx.cap], limit);
