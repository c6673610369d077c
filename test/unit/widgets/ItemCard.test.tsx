import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { Item } from '../../../sdk/index';
import { stringsFor } from '../../../widgets/i18n';
import { ItemCard } from '../../../widgets/ItemCard';
import { item } from './backend';

afterEach(cleanup);
const zh = stringsFor('zh-CN');
const en = stringsFor('en');
const card = (i: Item, s = zh) => render(<ul><ItemCard item={i} s={s} /></ul>).container.querySelector('li')!;

describe('ItemCard', () => {
  it('shows title, subtitle, headline figure, risk level, badges and the CTA', () => {
    const li = card(
      item({
        id: 'f1',
        kind: 'fund',
        title: '稳健理财 A',
        subtitle: '随存随取',
        highlight: { label: '七日年化', value: '2.35%' },
        risk: 'R3',
        badges: ['热销', '新客'],
        cta: '立即购买',
        url: '/wealth.html#item=f1',
      }),
    );
    expect(li.querySelector('.sw-title a')!.textContent).toBe('稳健理财 A');
    expect(li.querySelector('.sw-title a')!.getAttribute('href')).toBe('/wealth.html#item=f1');
    // a fund's fine-print box is its disclosure: the subtitle gives way (the card keeps one shape)
    expect(li.querySelector('.sw-disc')!.textContent).toBe('理财非存款，产品有风险，投资须谨慎');
    expect(li.textContent).not.toContain('随存随取');
    expect(li.querySelector('.sw-hl b')!.textContent).toBe('2.35%');
    expect(li.querySelector('.sw-hl')!.textContent).toContain('七日年化');
    expect(li.querySelector('.sw-r3')!.textContent).toBe('R3 中风险');
    expect([...li.querySelectorAll('.sw-tags span')].map((s) => s.textContent)).toEqual(['R3 中风险', '热销', '新客']);
    expect(li.querySelector('.sw-cta')!.textContent).toBe('立即购买');
  });

  it('names risk levels in English too', () => {
    expect(card(item({ id: 'w5', risk: 'R5' }), en).querySelector('.sw-r5')!.textContent).toBe('R5 High risk');
  });

  it('carries the risk disclosure on wealth and fund items, the item’s own text first', () => {
    expect(card(item({ id: 'w', kind: 'wealth' })).querySelector('.sw-disc')!.textContent).toBe('理财非存款，产品有风险，投资须谨慎');
    cleanup();
    expect(card(item({ id: 'f', kind: 'fund' }), en).querySelector('.sw-disc')!.textContent).toBe(
      'Wealth products are not deposits. Investing involves risk.',
    );
    cleanup();
    expect(card(item({ id: 'f2', kind: 'fund', disclosure: '基金有风险，过往业绩不代表未来表现' })).querySelector('.sw-disc')!.textContent).toBe(
      '基金有风险，过往业绩不代表未来表现',
    );
    cleanup();
    // any kind with a disclosure of its own shows it; a deposit without one shows none
    expect(card(item({ id: 'i', kind: 'insurance', disclosure: '保险有风险' })).querySelector('.sw-disc')!.textContent).toBe('保险有风险');
    cleanup();
    // a deposit without one shows its subtitle in that box instead
    const deposit = card(item({ id: 'd', kind: 'deposit', subtitle: '随存随取' }));
    expect(deposit.querySelector('.sw-disc')).toBeNull();
    expect(deposit.querySelector('.sw-note')!.textContent).toBe('随存随取');
  });

  it('"why this?" toggles the top three reasons, strongest first', () => {
    const li = card(
      item({
        id: 'r',
        reasons: [
          { feature: 'a', label: '你常看基金', contribution: 0.2 },
          { feature: 'b', label: '风险等级匹配', contribution: 0.9 },
          { feature: 'c', label: '新客专享', contribution: 0.5 },
          { feature: 'd', label: '弱理由', contribution: 0.01 },
        ],
      }),
    );
    const why = screen.getByRole('button', { name: '为什么推荐?' });
    expect(why.getAttribute('aria-expanded')).toBe('false');
    expect(li.querySelector('.sw-why')).toBeNull();
    fireEvent.click(why);
    expect(why.getAttribute('aria-expanded')).toBe('true');
    expect([...li.querySelectorAll('.sw-why li')].map((l) => l.textContent)).toEqual(['风险等级匹配', '新客专享', '你常看基金']);
    fireEvent.click(why);
    expect(li.querySelector('.sw-why')).toBeNull();
  });

  it('Escape closes "why this?" from anywhere in the card and puts focus back on its button', () => {
    const li = card(item({ id: 'k', reasons: [{ feature: 'a', label: '你常看基金', contribution: 0.2 }] }));
    const why = screen.getByRole('button', { name: '为什么推荐?' });
    const outside: string[] = [];
    const listen = (e: KeyboardEvent) => outside.push(e.key);
    document.addEventListener('keydown', listen);
    try {
      why.focus();
      fireEvent.click(why);
      // the user tabs on to "not interested", then presses Escape there
      const other = screen.getByRole('button', { name: '不感兴趣' });
      other.focus();
      fireEvent.keyDown(other, { key: 'Escape' });
      expect(li.querySelector('.sw-why')).toBeNull();
      expect(why.getAttribute('aria-expanded')).toBe('false');
      expect(document.activeElement).toBe(why);
      // used up: a dialog around the widget does not close with it
      expect(outside).toEqual([]);
      // closed, Escape is not the card's: it goes on, and focus stays
      fireEvent.keyDown(why, { key: 'Escape' });
      expect(outside).toEqual(['Escape']);
      expect(document.activeElement).toBe(why);
      // other keys do not close it
      fireEvent.click(why);
      fireEvent.keyDown(why, { key: 'Enter' });
      expect(li.querySelector('.sw-why')).not.toBeNull();
    } finally {
      document.removeEventListener('keydown', listen);
    }
  });

  it('has no "why this?" without reasons, but always "not interested"', () => {
    card(item({ id: 'n' }));
    expect(screen.queryByRole('button', { name: '为什么推荐?' })).toBeNull();
    expect(screen.getByRole('button', { name: '不感兴趣' })).toBeTruthy();
  });

  it('renders markup in any text field as text', () => {
    const payload = '<img src=x onerror="window.__xss=1">';
    const li = card(
      item({
        id: 'x',
        title: payload,
        subtitle: '<script>window.__xss=1</script>',
        badges: ['<b onclick=alert(1)>hot</b>'],
        cta: '"><svg onload=alert(1)>',
        highlight: { label: '</style><script>1</script>', value: '<i>9%</i>' },
        disclosure: '<a href="javascript:alert(1)">x</a>',
        url: '/ok',
        reasons: [{ feature: 'f', label: '<iframe src=javascript:alert(1)>', contribution: 1 }],
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: '为什么推荐?' }));
    expect(li.querySelector('.sw-title')!.textContent).toBe(payload);
    expect(li.querySelectorAll('img,script,svg,iframe,i,a[href^="javascript"]').length).toBe(0);
    // the one <b> is the card's own headline figure, holding the payload as text
    expect([...li.querySelectorAll('b')].map((b) => b.textContent)).toEqual(['<i>9%</i>']);
    expect([...li.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.name)).filter((n) => /^on/.test(n))).toEqual([]);
    expect((window as { __xss?: number }).__xss).toBeUndefined();
  });

  it('links only http(s) or relative URLs, and shows only safe images', () => {
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x']) {
      const li = card(item({ id: 'u', url, cta: 'Go' }));
      expect(li.querySelector('a'), url).toBeNull();
      // no link, so no call to action pretending to be one
      expect(li.querySelector('.sw-cta'), url).toBeNull();
      cleanup();
    }
    expect(card(item({ id: 'h', url: 'https://bank.example/p?x=1' })).querySelector('a')!.getAttribute('href')).toBe('https://bank.example/p?x=1');
    cleanup();
    for (const image of ['javascript:alert(1)', 'data:image/svg+xml,<svg onload=alert(1)>', 'data:text/html,x']) {
      expect(card(item({ id: 'i', image })).querySelector('img'), image).toBeNull();
      cleanup();
    }
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    expect(card(item({ id: 'p', image: png })).querySelector('img')!.getAttribute('src')).toBe(png);
    cleanup();
    const img = card(item({ id: 'q', image: '/v1/images/q.svg' })).querySelector('img')!;
    expect(img.getAttribute('src')).toBe('/v1/images/q.svg');
    // decorative: the title says what the card is
    expect(img.getAttribute('alt')).toBe('');
  });
});
