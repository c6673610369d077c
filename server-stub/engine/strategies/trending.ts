/** Trending: what customers engage with now, by time-decayed clicks, views and conversions. */
import { takeEligible, type Strategy } from './context';

export const trending: Strategy = (ctx, limit) => takeEligible(ctx, ctx.stats.trending(ctx.pool, ctx.cap, ctx.now), limit);
