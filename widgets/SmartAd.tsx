/** @jsxRuntime classic */
/** @jsx h */
/**
 * 智能广告 / Smart ad: one banner marked "Ad"/"广告" with a close button. Closing records `dismiss`
 * and is kept (localStorage): a closed ad is not shown again and is excluded from later requests.
 */
import { h } from 'preact';
import { useWidget, type SlotProps, type WidgetContext } from './context';
import { CardList, Region } from './frame';
import { useItems } from './hooks';

/** @example <SmartAd client={sw} slotId="home.ad" /> */
export function SmartAd(p: SlotProps, context?: WidgetContext) {
  const w = useWidget(p, context);
  const n = p.count || 1;
  const { state, items, hide } = useItems(w.client, p.slotId || 'home.ad', 'ad', n, p.fallback);
  return (
    <Region w={w} cls="sw-ad" title={w.s.ad} bare as="aside">
      <CardList w={w} state={state} items={items} cls="" label={w.s.ad} n={n} hide={hide} ad />
    </Region>
  );
}
