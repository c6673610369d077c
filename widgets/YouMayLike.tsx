/** @jsxRuntime classic */
/** @jsx h */
/**
 * 猜你喜欢 / You may like: a feed of cards as a grid or a list, with "load more". Loading more asks
 * the same slot for a bigger count: the client's cache knows the count each answer was asked
 * with, so it shows the cards it has at once and revalidates, and a later visit asking for the
 * first page gets its first items from the bigger answer without a request. The first page keeps
 * one box from skeletons to cards: `count` cards of `--h` (styles.ts) and the "load more" line.
 */
import { h } from 'preact';
import { useState } from 'preact/hooks';
import { useWidget, type SlotProps, type WidgetContext } from './context';
import { CardList, Region } from './frame';
import { useItems } from './hooks';

export interface YouMayLikeProps extends SlotProps {
  /** `list` (one column, default) or `grid`. @example 'grid' */
  layout?: 'grid' | 'list';
}

/** the contract's most items per slot */
const MAX = 50;

/** @example <YouMayLike client={sw} slotId="home.feed" count={6} layout="grid" /> */
export function YouMayLike(p: YouMayLikeProps, context?: WidgetContext) {
  const w = useWidget(p, context);
  const step = p.count || 6;
  const [pages, setPages] = useState(1);
  const n = Math.min(MAX, step * pages);
  const { state, items, hide } = useItems(w.client, p.slotId || 'home.feed', 'feed', n, p.fallback);
  return (
    <Region w={w} cls="sw-feed" title={w.s.youMayLike}>
      <CardList w={w} state={state} items={items} cls={p.layout == 'grid' ? 'sw-grid' : ''} label={w.s.youMayLike} n={step} hide={hide} />
      {/* a full page means there may be more; else an empty line as tall as the button holds its place */}
      {state.items.length >= n && n < MAX && state.status != 'loading' ? (
        <button type="button" class="sw-link sw-more" onClick={() => setPages(pages + 1)}>
          {w.s.loadMore}
        </button>
      ) : (
        <i class="sw-more" />
      )}
    </Region>
  );
}
