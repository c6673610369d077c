/** @jsxRuntime classic */
/** @jsx h */
/**
 * 智能提醒 / Reminders: notices from a reminder slot and from the client's on-device triggers
 * (`on('reminder')`). Each can be dismissed (kept; recorded as `dismiss` for slot items) or
 * snoozed. New notices are announced politely (aria-live) and never take focus.
 * The notices share one row (swipe or Tab for the next), so the widget is one card tall however many
 * there are; while its slot loads, a skeleton holds that box. With no notice it takes no space
 * (give it a `fallback` notice where that would move the page under the reader).
 */
import { h } from 'preact';
import { options } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Item } from '../sdk/index';
import { useWidget, type WidgetContext, type WidgetOptions } from './context';
import { Region, skeletons } from './frame';
import { useItems } from './hooks';
import { ItemCard } from './ItemCard';

export interface RemindersProps extends WidgetOptions {
  /** A reminder slot to show besides on-device reminders; none by default. @example 'home.reminders' */
  slotId?: string;
  /** Most notices shown at once. Default 3. @example 2 */
  count?: number;
  /** How long "remind me later" hides a notice, ms. Default 30 minutes. @example 3_600_000 */
  snoozeMs?: number;
  /** Notices shown when the slot ends up empty, so its box does not collapse under the page. @example [securityNotice] */
  fallback?: Item[];
}

/** @example <Reminders client={sw} slotId="home.reminders" /> */
export function Reminders(p: RemindersProps, context?: WidgetContext) {
  const w = useWidget(p, context);
  const { client, s } = w;
  const n = p.count || 3;
  const { state, items, hidden, hide } = useItems(client, p.slotId, 'reminder', n, p.fallback);
  // on-device reminders, as cards; they carry no decision, so they record no attribution events
  const [fired, setFired] = useState<Item[]>([]);
  useEffect(
    () =>
      client?.on('reminder', (r) => {
        // Rendered in the emit, not in Preact's microtask: that one would come after those the
        // track() that fired it had queued (the event's IndexedDB write, …), and the card with it.
        // The setter below asks Preact (synchronously) to schedule a render: this scheduler renders
        // at once (preact/compat's flushSync swaps it the same way). The page's own scheduler is
        // back whatever happens, also when Preact asked nothing (a render already queued, which
        // then runs at once here too). One card costs a fraction of a millisecond.
        const d = options.debounceRendering;
        options.debounceRendering = (render) => render();
        try {
          setFired((f) => [
            // ItemCard reads only the display fields
            { ...r, kind: 'reminder', subtitle: r.body } as unknown as Item,
            ...f.filter((x) => x.id != r.id),
          ].slice(0, 20));
        } finally {
          options.debounceRendering = d;
        }
      }),
    [client],
  );
  const notices = [...fired.filter((x) => !hidden(x.id)), ...items].slice(0, n);
  const k = notices.length;
  // nothing to show, and no slot on its way (while it loads, a skeleton holds the box)
  const none = !k && (!p.slotId || state.status != 'loading');
  return (
    <Region w={w} cls={'sw-rem' + (none ? ' sw-none' : '')} title={s.reminders} bare={none}>
      {/* always rendered, so screen readers know the live region before anything is announced */}
      <ul class={'sw-ul' + (k > 1 ? ' sw-row' : '')} aria-live="polite" aria-label={s.reminders}>
        {k ? notices.map((item) => (
          <ItemCard
            key={item.id}
            item={item}
            slotId={p.slotId}
            client={fired.includes(item) ? undefined : client}
            s={s}
            variant="note"
            onRemove={() => hide(item.id)}
            onSnooze={() => hide(item.id, p.snoozeMs || 1_800_000)}
          />
        )) : !none && skeletons(1)}
      </ul>
    </Region>
  );
}

