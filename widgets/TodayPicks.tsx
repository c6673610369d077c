/** @jsxRuntime classic */
/** @jsx h */
/**
 * 今日推荐 / Today's picks: a few hero cards in a horizontal, snap-scrolling carousel.
 * Keyboard: Tab reaches each card; ←/→ move between cards, Home/End to the first/last, and the
 * card moved to is scrolled fully into view; the previous/next buttons scroll by one card.
 */
import { h } from 'preact';
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
  const onKeyDown = (e: TargetedKeyboardEvent<HTMLUListElement>) => {
    const cards = [...e.currentTarget.children];
    const at = cards.findIndex((li) => li.contains(e.target as Node));
    const to = ({ ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: cards.length - 1 } as Record<string, number>)[e.key];
    const card = cards[to!];
    // not one of those keys, or past either end: not ours
    if (!card || at < 0) return;
    e.preventDefault();
    // focus scrolls only the link into view, which can leave the card cut off: the card is scrolled
    // to the row's start, where the snap puts cards
    card.querySelector<HTMLElement>('a,button')!.focus();
    card.scrollIntoView({ block: 'nearest', inline: 'start' });
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
              <button type="button" class="sw-btn" aria-label={dir < 0 ? w.s.prev : w.s.next} onClick={() => list.current!.scrollBy({ left: dir * ((list.current!.firstElementChild as HTMLElement).offsetWidth + 12) })}>
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
