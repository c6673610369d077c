/** @jsxRuntime classic */
/** @jsx h */
/**
 * The parts every slot widget shares: the labelled region with its heading, and the card list in
 * its states: skeletons while loading (as tall as the cards, see styles.ts), cards, empty.
 */
import { h } from 'preact';
import type { ComponentChildren, Ref, TargetedKeyboardEvent } from 'preact';
import type { Item, SlotState } from '../sdk/index';
import type { useWidget } from './context';
import { ItemCard } from './ItemCard';

type Widget = ReturnType<typeof useWidget>;

/** A labelled region (landmark) with a visible heading and optional controls beside it. */
export function Region(p: {
  w: Widget;
  cls: string;
  /** names the region; shown as its heading unless `bare` */
  title: string;
  bare?: boolean;
  tools?: ComponentChildren;
  children: ComponentChildren;
  as?: 'aside';
}) {
  const Tag = p.as || 'section';
  return (
    <Tag class={p.w.cls + ' ' + p.cls} aria-label={p.title}>
      {!p.bare && (
        <div class="sw-hd">
          <h2 class="sw-h2">{p.title}</h2>
          {p.tools}
        </div>
      )}
      {p.children}
    </Tag>
  );
}

export interface CardListProps {
  w: Widget;
  state: SlotState;
  items: Item[];
  cls: string;
  label: string;
  /** skeleton cards while loading: as many as the page will hold, so the box does not change */
  n: number;
  /** hides an item for good (not interested, closed) */
  hide: (id: string) => void;
  ad?: boolean;
  listRef?: Ref<HTMLUListElement>;
  onKeyDown?: (e: TargetedKeyboardEvent<HTMLUListElement>) => void;
}

/** The items of a slot as cards; skeletons of the same size while loading; the empty note. */
export function CardList({ w, state, items, cls, label, n, hide, ad, listRef, onKeyDown }: CardListProps) {
  const loading = state.status == 'loading' && !items.length;
  if (!loading && !items.length) return ad ? null : <p class="sw-empty">{w.s.empty}</p>;
  return (
    <ul ref={listRef} class={'sw-ul ' + cls} aria-label={loading ? w.s.loading : label} aria-busy={loading} onKeyDown={onKeyDown}>
      {loading
        ? skeletons(n)
        : items.map((item) => (
            <ItemCard key={item.id} item={item} slotId={state.slotId} client={w.client} s={w.s} onRemove={(i) => hide(i.id)} variant={ad ? 'ad' : undefined} />
          ))}
    </ul>
  );
}

/** `n` placeholder cards; a skeleton is exactly as tall as a card (`--h`, styles.ts). */
export const skeletons = (n: number) =>
  [...Array(n)].map(() => (
    <li class="sw-card sw-skel" aria-hidden="true">
      <i />
      <i />
      <i />
    </li>
  ));
