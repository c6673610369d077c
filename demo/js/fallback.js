// Editorial fallback items: what each slot shows when the backend cannot answer and the SDK has
// nothing cached (DESIGN.md: timeout or failure → cached items → these → an empty slot).
// Deliberately safe: low risk (R1–R2; the SDK shows an R2 one only to a customer of C2 and up, as any answer), no personal targeting, the demo's own images.

const DISCLOSURE = {
  en: 'Wealth products are not deposits. Investing involves risk.',
  'zh-CN': '理财非存款，产品有风险，投资须谨慎',
};

/** id, kind, category, risk, image, url, then the texts per locale */
const ITEMS = [
  {
    id: 'lumen-fb-cash', kind: 'fund', category: 'money_market', risk: 'R1', image: '/img/fund.svg', url: '/wealth.html#item=lumen-fb-cash',
    en: { title: 'Lumen Cash Plus', subtitle: 'Money-market fund · redeem any time', cta: 'View', highlight: ['7-day yield', '1.86%'], badges: ["Editor's pick"] },
    zh: { title: '明光现金宝', subtitle: '货币基金 · 随时赎回', cta: '查看', highlight: ['七日年化', '1.86%'], badges: ['编辑推荐'] },
  },
  {
    id: 'lumen-fb-cd', kind: 'deposit', category: 'deposit', image: '/img/deposit.svg', url: '/wealth.html#item=lumen-fb-cd',
    en: { title: '3-year certificate of deposit', subtitle: 'From ¥200,000 · deposit insurance', cta: 'View', highlight: ['Rate', '2.15%'] },
    zh: { title: '3 年期大额存单', subtitle: '20 万元起存 · 受存款保险保障', cta: '查看', highlight: ['年利率', '2.15%'] },
  },
  {
    id: 'lumen-fb-bond', kind: 'fund', category: 'bond', risk: 'R2', image: '/img/fund.svg', url: '/wealth.html#item=lumen-fb-bond',
    en: { title: 'Lumen Steady Bond Fund', subtitle: 'Short-term bonds · low volatility', cta: 'View', highlight: ['1-year return', '3.42%'] },
    zh: { title: '明光稳健债券基金', subtitle: '短债 · 波动较低', cta: '查看', highlight: ['近一年收益', '3.42%'] },
  },
  {
    id: 'lumen-fb-guide', kind: 'article', category: 'education', image: '/img/article.svg', url: '/wealth.html#item=lumen-fb-guide',
    en: { title: 'Five rules for your first fund', subtitle: 'A 3-minute read', cta: 'Read' },
    zh: { title: '新手买基金的五条守则', subtitle: '3 分钟读懂', cta: '阅读' },
  },
  {
    id: 'lumen-fb-card', kind: 'card', category: 'credit_card', image: '/img/card.svg', url: '/loans.html#item=lumen-fb-card',
    en: { title: 'Lumen Everyday card', subtitle: 'No annual fee · 5% back on groceries', cta: 'Apply' },
    zh: { title: '明光日常信用卡', subtitle: '免年费 · 超市消费 5% 返现', cta: '申请' },
  },
  {
    id: 'lumen-fb-cover', kind: 'insurance', category: 'accident', risk: 'R1', image: '/img/insurance.svg', url: '/wealth.html#item=lumen-fb-cover',
    en: { title: 'Accident cover', subtitle: 'From ¥29 a year', cta: 'View' },
    zh: { title: '综合意外险', subtitle: '每年 29 元起', cta: '查看' },
  },
  {
    id: 'lumen-fb-loan', kind: 'loan', category: 'consumer_loan', image: '/img/loan.svg', url: '/loans.html',
    en: { title: 'Personal loan from 3.45% APR', subtitle: 'Up to ¥300,000 · decision in minutes', cta: 'Apply', highlight: ['APR from', '3.45%'] },
    zh: { title: '个人消费贷 年化 3.45% 起', subtitle: '最高 30 万元 · 最快几分钟审批', cta: '申请', highlight: ['年化利率低至', '3.45%'] },
  },
  {
    id: 'lumen-fb-ad', kind: 'ad', category: 'campaign', image: '/img/ad.svg', url: '/wealth.html#item=lumen-fb-cash',
    en: { title: 'Let idle cash work for you', subtitle: 'Lumen Cash Plus · from ¥0.01', cta: 'Learn more' },
    zh: { title: '让闲钱动起来', subtitle: '明光现金宝 · 0.01 元起购', cta: '了解更多' },
  },
];

const SLOTS = {
  'home.today': ['lumen-fb-cash', 'lumen-fb-cd', 'lumen-fb-bond', 'lumen-fb-guide'],
  'home.feed': ['lumen-fb-bond', 'lumen-fb-cover', 'lumen-fb-card', 'lumen-fb-guide', 'lumen-fb-cd', 'lumen-fb-cash'],
  'home.ad': ['lumen-fb-ad'],
  'wealth.today': ['lumen-fb-cash', 'lumen-fb-bond', 'lumen-fb-cd'],
  'wealth.feed': ['lumen-fb-bond', 'lumen-fb-cd', 'lumen-fb-cash', 'lumen-fb-cover', 'lumen-fb-guide'],
  'wealth.ad': ['lumen-fb-ad'],
  'loans.picks': ['lumen-fb-loan', 'lumen-fb-card', 'lumen-fb-cover'],
  'loans.ad': ['lumen-fb-loan'],
};

/**
 * The home page's standing notice, shown when its reminder slot has nothing (a customer who has seen
 * today's reminders): the slot's box then stays filled instead of collapsing under the page.
 */
export function securityNotice(locale) {
  const zh = locale === 'zh-CN';
  return {
    id: 'lumen-fb-security',
    kind: 'reminder',
    category: 'security',
    title: zh ? '明光银行绝不会索要您的短信验证码' : 'Lumen Bank never asks for your SMS code',
    subtitle: zh ? '索要验证码的都是诈骗，请立即挂断' : 'Anyone who asks for it is a fraudster: hang up',
    position: 0,
    strategy: 'fallback',
    score: 0,
    reasons: [],
  };
}

/** Items in the wire shape (sdk/contract.ts Item), per slot, in `locale`. */
export function fallbackItems(locale) {
  const zh = locale === 'zh-CN';
  const item = (id, position) => {
    const base = ITEMS.find((i) => i.id === id);
    const text = zh ? base.zh : base.en;
    return {
      id,
      kind: base.kind,
      category: base.category,
      title: text.title,
      subtitle: text.subtitle,
      image: base.image,
      url: base.url,
      cta: text.cta,
      ...(text.badges && { badges: text.badges }),
      ...(base.risk && { risk: base.risk }),
      ...((base.kind === 'fund' || base.kind === 'wealth') && { disclosure: DISCLOSURE[locale] }),
      ...(text.highlight && { highlight: { label: text.highlight[0], value: text.highlight[1] } }),
      position,
      strategy: 'fallback',
      score: 0,
      reasons: [],
    };
  };
  return Object.fromEntries(Object.entries(SLOTS).map(([slot, ids]) => [slot, ids.map(item)]));
}
