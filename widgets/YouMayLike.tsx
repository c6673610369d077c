/**
 * 猜你喜欢 / You may like: a feed of cards as a grid or a list, with "load more". Loading more asks
 * the slot for a bigger page; the cards already shown stay while it loads. The bigger page is
 * cached apart (`<path>#more-<n>`): the client's slot cache answers a slot per page, whatever the
 * count, and the first page must stay as it was for the next visit.
 */
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
  const page = pages > 1 ? location.pathname + '#more-' + n : undefined;
  const { state, items, hide } = useItems(w.client, p.slotId || 'home.feed', 'feed', n, p.fallback, page);
  return (
    <Region w={w} cls="sw-feed" title={w.s.youMayLike}>
      <CardList w={w} state={state} items={items} cls={p.layout == 'grid' ? 'sw-grid' : ''} label={w.s.youMayLike} n={step} hide={hide} />
      {/* a full page means there may be more */}
      {state.items.length >= n && n < MAX && state.status != 'loading' && (
        <button type="button" class="sw-link sw-more" onClick={() => setPages(pages + 1)}>
          {w.s.loadMore}
        </button>
      )}
    </Region>
  );
}
