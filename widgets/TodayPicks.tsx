/**
 * 今日推荐 / Today's picks: a few hero cards in a horizontal, snap-scrolling carousel.
 * Keyboard: Tab reaches each card; ←/→ move between cards, Home/End to the first/last, and the
 * card moved to is scrolled fully into view; the previous/next buttons scroll by one card.
 */
import type { TargetedKeyboardEvent } from 'preact';
import { useWidget, type SlotProps, type WidgetContext } from './context';
import { CardList, Region } from './frame';
import { useItems, useNode } from './hooks';

/** @example <TodayPicks client={sw} slotId="home.today" count={4} /> */
export function TodayPicks(p: SlotProps, context?: WidgetContext) {
  const w = useWidget(p, context);
  const n = p.count || 4;
  const { state, items, hide } = useItems(w.client, p.slotId || 'home.today', 'picks', n, p.fallback);
  const list = useNode<HTMLUListElement>();
  const scroll = (dir: number) => {
    const ul = list.current;
    const card = ul?.firstElementChild as HTMLElement | null;
    if (card) ul!.scrollBy?.({ left: dir * (card.offsetWidth + 12) });
  };
  const onKeyDown = (e: TargetedKeyboardEvent<HTMLUListElement>) => {
    const cards = [...e.currentTarget.children];
    const at = cards.findIndex((li) => li.contains(e.target as Node));
    const to = ({ ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: cards.length - 1 } as Record<string, number>)[e.key];
    if (to == null || at < 0) return;
    e.preventDefault();
    const card = cards[to];
    // past either end, focus stays. Focus alone would scroll only the link into view, leaving the
    // card cut off: the card is scrolled to the row's start, where the snap puts cards
    (card?.querySelector('a,button') as HTMLElement | null)?.focus({ preventScroll: true });
    card?.scrollIntoView({ block: 'nearest', inline: 'start' });
  };
  return (
    <Region
      w={w}
      cls="sw-picks"
      title={w.s.todayPicks}
      tools={
        items.length > 1 && (
          <div class="sw-nav">
            {[-1, 1].map((dir) => (
              <button type="button" class="sw-btn" aria-label={dir < 0 ? w.s.prev : w.s.next} onClick={() => scroll(dir)}>
                {dir < 0 ? '‹' : '›'}
              </button>
            ))}
          </div>
        )
      }
    >
      <CardList w={w} state={state} items={items} cls="sw-row" label={w.s.todayPicks} n={n} hide={hide} listRef={list} onKeyDown={onKeyDown} />
    </Region>
  );
}
