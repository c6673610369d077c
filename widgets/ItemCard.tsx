/** @jsxRuntime classic */
/** @jsx h */
/**
 * One product on a card: title, subtitle, headline figure, risk level, badges, the risk disclosure
 * for wealth and fund products, "why this?" and "not interested". Ads and reminders are cards too,
 * with a close button instead (and "remind me later" for reminders). Item fields are untrusted:
 * text goes through Preact (escaped), URLs through safeUrl/safeImageUrl, nothing is set as HTML.
 */
import { h } from 'preact';
import { useState } from 'preact/hooks';
import { safeImageUrl, safeUrl, type Item, type SlotwiseClient } from '../sdk/index';
import { useImpression } from './hooks';
import type { Strings } from './i18n';

export interface ItemCardProps {
  item: Item;
  slotId?: string;
  /** records impression, click and not_interested/dismiss; none without it */
  client?: SlotwiseClient;
  /** the widget's strings (see i18n.ts) */
  s: Strings;
  /** called after "not interested" or the close button was recorded */
  onRemove?: (item: Item) => void;
  /** `ad`: marked "Ad", closing records `dismiss`; `note`: a reminder, closing records `dismiss` */
  variant?: 'ad' | 'note';
  /** for reminders: "remind me later" */
  onSnooze?: () => void;
}

/** Products whose cards must carry the risk disclosure even when the item brings none. */
const disclosed = /^(fund|wealth)$/;

/**
 * One card, for building your own slot layouts; a `<li>`, so put it in a list.
 * @example <ul>{items.map((item) => <ItemCard item={item} slotId="home.today" client={sw} s={stringsFor('en')} />)}</ul>
 */
export function ItemCard({ item, slotId, client, s, onRemove, variant, onSnooze }: ItemCardProps) {
  const ref = useImpression(client, item, slotId);
  const [why, setWhy] = useState(false);
  const href = safeUrl(item.url);
  const img = safeImageUrl(item.image);
  const level = item.risk ? +item.risk[1] : 0;
  const ad = variant == 'ad';
  const disclosure = item.disclosure || (disclosed.test(item.kind) ? s.disclosure : '');
  const reasons = [...(item.reasons || [])].sort((a, b) => b.contribution - a.contribution).slice(0, 3);
  const remove = () => {
    client?.[variant ? 'dismiss' : 'notInterested'](item, slotId);
    onRemove?.(item);
  };
  return (
    <li
      class="sw-card"
      ref={ref as never}
      // Escape anywhere in the card closes "why this?" and puts focus back on its button; the
      // Escape is used up, so a dialog around the widget stays open
      onKeyDown={(e) => why && e.key == 'Escape' && (e.stopPropagation(), setWhy(false), e.currentTarget.querySelector<HTMLElement>('[aria-expanded]')!.focus())}
    >
      <div class="sw-head">
        {img && <img class="sw-img" src={img} alt="" loading="lazy" />}
        <div>
          <h3 class="sw-title">
            {/* the link covers the card (::after); clicking records the click, then the browser navigates */}
            {href ? <a href={href} onClick={() => client?.click(item, slotId)}>{item.title}</a> : item.title}
          </h3>
          {variant && item.subtitle && <p class="sw-sub">{item.subtitle}</p>}
        </div>
      </div>
      {item.highlight && (
        <p class="sw-hl">
          <b>{item.highlight.value}</b>
          {item.highlight.label}
        </p>
      )}
      {(ad || level > 0 || item.badges?.length) && (
        <p class="sw-tags">
          {ad && <span>{s.ad}</span>}
          {level > 0 && (
            <span class={'sw-r' + level}>
              {item.risk} {s.riskNames.split('|')[level - 1]}
            </span>
          )}
          {item.badges?.map((b) => (
            <span>{b}</span>
          ))}
        </p>
      )}
      {/* a product's fine-print box: the disclosure where there is one, else the subtitle (a tile
          keeps one shape whatever the item: styles.ts) */}
      {(disclosure || (!variant && item.subtitle)) && <p class={disclosure ? 'sw-disc' : 'sw-note'}>{disclosure || item.subtitle}</p>}
      <div class="sw-acts">
        {reasons.length > 0 && (
          <button type="button" class="sw-link" aria-expanded={why} onClick={() => setWhy(!why)}>
            {s.why}
          </button>
        )}
        {onSnooze && (
          <button type="button" class="sw-link" onClick={onSnooze}>
            {s.snooze}
          </button>
        )}
        {/* ads and reminders close, products are "not interested" in */}
        <button type="button" class={variant ? 'sw-x' : 'sw-link'} aria-label={variant && s.close} onClick={remove}>
          {variant ? '×' : s.notInterested}
        </button>
        {href && item.cta && (
          <span class="sw-cta" aria-hidden="true">
            {item.cta}
          </span>
        )}
      </div>
      {why && (
        <ul class="sw-why">
          {reasons.map((r) => (
            <li>{r.label}</li>
          ))}
        </ul>
      )}
    </li>
  );
}
