/// <reference path="./js/lumen.d.ts" />
/**
 * The wealth page: the widgets as Preact components (`slotwise/widgets`) on a client this page
 * creates itself — the way an app developer with a Preact app uses Slotwise. Bundled by rollup to
 * dist/demo/preact-app.js. The demo chrome and live panel come from the shared shell.
 *
 * Product pages are `#item=<id>` on this page: opening one tracks `item_view`, buying tracks
 * `purchase` and records a `conversion` for the decision that showed the item.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { createClient, safeImageUrl, type Item, type SlotwiseClient } from '../sdk/index';
import { Interests, Reminders, SlotwiseProvider, SmartAd, TodayPicks, YouMayLike } from '../widgets/index';
import { money, toast } from './js/dom';
import { fallbackItems } from './js/fallback';
import { startShell, type Shell } from './js/shell';

const BUY_AMOUNT = 1000;

const itemFromHash = () => /(?:^#|&)item=([^&]+)/.exec(location.hash)?.[1];

function main(): void {
  const lumen = window.lumen;
  const locale = lumen.locale();
  const fallback = fallbackItems(locale);
  const client = createClient({ appKey: 'demo', endpoint: location.origin, locale, fallback });
  window.lumenClient = client;
  // before the first render, so the first decide already knows the customer and the panel sees it
  lumen.attach(client);

  const root = document.getElementById('main')!;
  let generation = 0;
  const draw = () => render(<Wealth key={generation} client={client} shell={shell} fallback={fallback} />, root);
  const shell = startShell({
    page: 'wealth',
    client,
    onRefresh: () => {
      generation++;
      draw();
    },
    // the theme is a prop: the widgets repaint in place, their slots stay
    onTheme: () => draw(),
  });
  draw();
}

function Wealth({ client, shell, fallback }: { client: SlotwiseClient; shell: Shell; fallback: Record<string, Item[]> }) {
  const [itemId, setItemId] = useState(itemFromHash);
  useEffect(() => {
    const follow = () => setItemId(itemFromHash());
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  const fallbackById = (id: string) => Object.values(fallback).flat().find((i) => i.id === id);
  const item = itemId ? (window.lumen.item(itemId) ?? fallbackById(itemId)) : undefined;

  return (
    <SlotwiseProvider client={client} locale={shell.locale} theme={window.lumen.theme()}>
      <Summary client={client} shell={shell} />
      {itemId && <Detail key={itemId} id={itemId} item={item} client={client} shell={shell} />}
      <section class="widget" id="wealth-reminders">
        <Reminders slotId="wealth.reminders" />
      </section>
      <section class="widget" id="wealth-today">
        <TodayPicks slotId="wealth.today" count={3} />
      </section>
      <section class="widget" id="wealth-ad">
        <SmartAd slotId="wealth.ad" />
      </section>
      <section class="widget" id="wealth-feed">
        <YouMayLike slotId="wealth.feed" count={6} />
      </section>
      <section class="widget" id="wealth-interests">
        <Interests />
      </section>
      <p class="disclaimer">{shell.t('disclaimer')}</p>
    </SlotwiseProvider>
  );
}

function Summary({ client, shell }: { client: SlotwiseClient; shell: Shell }) {
  const p = window.lumen.persona();
  const { t, locale } = shell;
  return (
    <section class="card apply quick-lift wealth-summary" aria-label={t('wealth.holdings')}>
      <dl class="summary">
        <div>
          <dt>{t('wealth.profile')}</dt>
          <dd>{p.traits.riskTolerance ?? t('wealth.profileUnknown')}</dd>
        </div>
        <div>
          <dt>{t('wealth.holdings')}</dt>
          <dd>¥{money(p.money.wealth, locale)}</dd>
        </div>
        <div>
          <dt>{t('wealth.yesterday')}</dt>
          <dd class="gain">+{money(p.money.yesterday, locale)}</dd>
        </div>
      </dl>
      {/* the customer's own deposit that matures soon: looking at it feeds the maturity trigger */}
      {p.deposit && (
        <button
          type="button"
          class="maturing"
          id="maturing-deposit"
          onClick={() => {
            client.track('deposit_view', { itemId: p.deposit!.itemId, daysToMaturity: p.deposit!.daysToMaturity });
            toast(t('deposit.viewed'));
          }}
        >
          <span class="chip c-gold">
            <svg class="icon" aria-hidden="true">
              <use href="/icons.svg#deposit" />
            </svg>
          </span>
          <span>
            <b>{t('deposit.title', { years: p.deposit.years })}</b>
            <small>{t('deposit.matures', { n: p.deposit.daysToMaturity, amount: money(p.deposit.amount, locale).replace(/\.00$/, '') })}</small>
          </span>
          <svg class="icon" aria-hidden="true">
            <use href="/icons.svg#chevron" />
          </svg>
        </button>
      )}
    </section>
  );
}

function Detail({ id, item, client, shell }: { id: string; item?: Item; client: SlotwiseClient; shell: Shell }) {
  const { t } = shell;
  useEffect(() => {
    client.track('item_view', { itemId: id, category: item?.category ?? null, kind: item?.kind ?? null });
  }, [id]);
  const close = () => {
    // replaceState fires no hashchange: announce it so the page follows
    history.replaceState(null, '', location.pathname);
    dispatchEvent(new HashChangeEvent('hashchange'));
  };
  const invests = item && (item.kind === 'fund' || item.kind === 'wealth');
  const image = safeImageUrl(item?.image, location.origin + '/');
  return (
    <section class="card detail" aria-labelledby="detail-title">
      <div class="detail-head">
        {image && <img src={image} alt="" width={56} height={56} />}
        <div>
          <p>{t('detail.view')}</p>
          <h2 id="detail-title">{item?.title ?? t('detail.unknown', { id })}</h2>
        </div>
      </div>
      {item?.subtitle && <p class="detail-sub">{item.subtitle}</p>}
      {item?.highlight && (
        <p class="figure">
          {item.highlight.value} <small>{item.highlight.label}</small>
        </p>
      )}
      {invests && <p class="risk-note">{item.disclosure || t('detail.risk')}</p>}
      <div class="row-actions">
        <button type="button" class="btn ghost" onClick={close}>
          {t('detail.close')}
        </button>
        {item && (
          <button
            type="button"
            class="btn block"
            id="buy"
            onClick={() => {
              client.track('purchase', { itemId: item.id, amount: BUY_AMOUNT });
              client.conversion(item, BUY_AMOUNT);
              toast(t('detail.bought', { title: item.title }));
            }}
          >
            {t('detail.buy', { amount: BUY_AMOUNT.toLocaleString() })}
          </button>
        )}
      </div>
    </section>
  );
}

main();
