/**
 * The tables the generated catalog is drawn from: categories with their share of the catalog,
 * risk levels, rate ranges, terms and title parts, in zh-CN and en. Names are fictitious.
 */
import type { RiskLevel } from '../../sdk/contract';
import type { Localized } from './i18n';
import { pick } from './random';
import type { Condition, Kind } from './types';

type Pair = readonly [zh: string, en: string];

/**
 * How a category's titles are composed (issuer × product line × term, see `productTitle`):
 * `fund` a fund house, the line and a share class ("Harbor Short-term Bond Fund C");
 * `wealth` a wealth manager, the line and the term ("Summit Wealth Steady Income 90-Day");
 * `deposit` the term and the line ("3-Year Certificate of Deposit"); `loan` the line and, when the
 * category has several, the term; `card` a card scheme and the line; `insurer` an insurer and the
 * line; `plain` the line alone (articles, ads).
 */
export type Naming = 'fund' | 'wealth' | 'deposit' | 'loan' | 'card' | 'insurer' | 'plain';

export interface CategorySpec {
  kind: Kind;
  category: string;
  name: Localized;
  /** relative share of the generated catalog */
  weight: number;
  risk?: readonly RiskLevel[];
  /** [min, max] of the headline figure in percent (or currency for fee/premium) */
  rate?: readonly [number, number];
  highlight?: 'yield7d' | 'return1y' | 'rate' | 'benchmark' | 'apr' | 'fee' | 'premium';
  terms?: readonly number[];
  minAmounts?: readonly number[];
  tags: readonly string[];
  /**
   * Product lines: complete names in each language, so a title never repeats a word the line
   * already says ("Short-term Bond Fund", not "Short-term Bond" + "Bond Fund").
   */
  lines: readonly Pair[];
  naming: Naming;
  subtitle: Pair;
}

/** Fund houses and wealth managers (fictitious). */
export const ISSUERS: readonly Pair[] = [
  ['海港', 'Harbor'], ['峰汇', 'Summit'], ['常青', 'Evergreen'], ['莲华', 'Lotus'], ['北辰', 'Polaris'],
  ['锦程', 'Silkroad'], ['睿远', 'Farsight'], ['安盈', 'Bedrock'], ['融通', 'Confluence'], ['鸿图', 'Horizon'],
];

/** Insurers (fictitious). */
export const INSURERS: readonly Pair[] = [
  ['海港人寿', 'Harbor Assurance'], ['峰汇保险', 'Summit Insurance'], ['常青健康', 'Evergreen Health'], ['北辰保险', 'Polaris Insurance'],
];

/** Card schemes. */
export const SCHEMES: readonly Pair[] = [['银联', 'UnionPay'], ['Visa', 'Visa'], ['万事达', 'Mastercard']];

const n = (zh: string, en: string): Localized => ({ 'zh-CN': zh, en });

export const CATEGORIES: readonly CategorySpec[] = [
  { kind: 'fund', category: 'money_market', name: n('货币基金', 'money market funds'), weight: 6, risk: ['R1'], rate: [1.4, 2.6], highlight: 'yield7d', minAmounts: [0.01, 1, 100],
    tags: ['low_risk', 'liquid', 'cash', 'newbie'], naming: 'fund',
    lines: [['现金宝货币', 'Cash Plus Money Market Fund'], ['日日盈货币', 'Daily Gain Money Market Fund'], ['添利货币', 'Income Plus Money Market Fund'], ['货币', 'Money Market Fund']],
    subtitle: ['随存随取，适合打理零钱', 'Instant access, a home for spare cash'] },
  { kind: 'fund', category: 'bond_fund', name: n('债券基金', 'bond funds'), weight: 7, risk: ['R2'], rate: [1.8, 5.2], highlight: 'return1y', minAmounts: [10, 100],
    tags: ['low_risk', 'steady', 'short_term', 'long_term'], naming: 'fund',
    lines: [['纯债债券', 'Pure Bond Fund'], ['短债债券', 'Short-term Bond Fund'], ['信用债债券', 'Credit Bond Fund'], ['利率债债券', 'Government Bond Fund'], ['中短债债券', 'Short-to-Medium Bond Fund']],
    subtitle: ['波动较小，追求稳健收益', 'Low volatility, steady returns'] },
  { kind: 'fund', category: 'mixed_fund', name: n('混合基金', 'mixed funds'), weight: 7, risk: ['R3'], rate: [-6, 16], highlight: 'return1y', minAmounts: [10, 100],
    tags: ['balanced', 'long_term', 'steady', 'retirement'], naming: 'fund',
    lines: [['平衡混合', 'Balanced Fund'], ['稳健配置混合', 'Steady Allocation Fund'], ['灵活配置混合', 'Flexible Allocation Fund'], ['偏债混合', 'Conservative Hybrid Fund'], ['养老目标2045', 'Target Retirement 2045 Fund']],
    subtitle: ['股债搭配，攻守兼备', 'Stocks and bonds in one fund'] },
  { kind: 'fund', category: 'equity_fund', name: n('股票基金', 'equity funds'), weight: 7, risk: ['R4', 'R5'], rate: [-18, 32], highlight: 'return1y', minAmounts: [10, 100],
    tags: ['tech', 'consumer', 'healthcare', 'green', 'dividend', 'manufacturing', 'growth', 'long_term'], naming: 'fund',
    lines: [['科技创新股票', 'Tech Innovation Fund'], ['消费升级股票', 'Consumer Growth Fund'], ['医疗健康股票', 'Healthcare Fund'], ['新能源股票', 'New Energy Fund'], ['红利价值股票', 'Dividend Value Fund'], ['高端制造股票', 'Advanced Manufacturing Fund']],
    subtitle: ['长期持有，分享成长', 'For the long run: share in growth'] },
  { kind: 'fund', category: 'index_fund', name: n('指数基金', 'index funds'), weight: 5, risk: ['R4'], rate: [-12, 26], highlight: 'return1y', minAmounts: [10],
    tags: ['index', 'long_term', 'low_fee', 'tech'], naming: 'fund',
    lines: [['沪深300指数', 'CSI 300 Index Fund'], ['中证500指数增强', 'CSI 500 Enhanced Index Fund'], ['创业板指数', 'ChiNext Index Fund'], ['恒生科技ETF联接', 'Hang Seng Tech ETF Feeder Fund']],
    subtitle: ['低费率，紧跟市场', 'Low fees, tracks the market'] },
  { kind: 'deposit', category: 'term_deposit', name: n('定期存款', 'term deposits'), weight: 4, risk: ['R1'], rate: [1.3, 2.6], highlight: 'rate', terms: [90, 180, 365, 730, 1095, 1825], minAmounts: [50, 1000],
    tags: ['low_risk', 'guaranteed', 'steady', 'short_term', 'long_term'], naming: 'deposit',
    lines: [['整存整取', 'Fixed Deposit'], ['定期存款', 'Term Deposit'], ['存本取息', 'Monthly Interest Deposit'], ['线上专享定期', 'Online Term Deposit']],
    subtitle: ['受存款保险保障', 'Protected by deposit insurance'] },
  { kind: 'deposit', category: 'large_cd', name: n('大额存单', 'certificates of deposit'), weight: 3, risk: ['R1'], rate: [1.9, 2.9], highlight: 'rate', terms: [365, 730, 1095], minAmounts: [200_000],
    tags: ['low_risk', 'guaranteed', 'high_yield', 'long_term'], naming: 'deposit',
    lines: [['大额存单', 'Certificate of Deposit'], ['线上大额存单', 'Online Certificate of Deposit'], ['养老专享大额存单', 'Retirement Certificate of Deposit']],
    subtitle: ['20万起存，利率更高', 'From ¥200,000, a higher rate'] },
  { kind: 'wealth', category: 'wealth_fixed', name: n('固收理财', 'fixed-income wealth products'), weight: 6, risk: ['R2'], rate: [2.4, 3.6], highlight: 'benchmark', terms: [30, 90, 180, 365], minAmounts: [1, 10_000],
    tags: ['steady', 'low_risk', 'short_term'], naming: 'wealth',
    lines: [['稳享', 'Steady Income'], ['安鑫', 'Secure Income'], ['月月盈', 'Monthly Income'], ['季季红', 'Quarterly Income']],
    subtitle: ['投资债券等固收资产', 'Invests in bonds and other fixed income'] },
  { kind: 'wealth', category: 'wealth_plus', name: n('固收+理财', 'fixed-income-plus products'), weight: 5, risk: ['R3'], rate: [3.0, 4.6], highlight: 'benchmark', terms: [90, 180, 365, 730], minAmounts: [10_000],
    tags: ['balanced', 'high_yield', 'long_term'], naming: 'wealth',
    lines: [['增利', 'Enhanced Income'], ['睿选', 'Select Plus'], ['优享', 'Prime Plus']],
    subtitle: ['固收打底，少量权益增强', 'Fixed income with a dash of equity'] },
  { kind: 'loan', category: 'consumer_loan', name: n('消费贷', 'consumer loans'), weight: 4, rate: [3.4, 12], highlight: 'apr', terms: [365, 730, 1095],
    tags: ['quick_approval', 'flexible', 'travel', 'home', 'education', 'car'], naming: 'loan',
    lines: [['随心贷', 'Flexi Loan'], ['家装贷', 'Home Improvement Loan'], ['车主贷', 'Car Loan'], ['教育贷', 'Education Loan'], ['旅游贷', 'Travel Loan']],
    subtitle: ['线上申请，最快当天放款', 'Apply online, funds the same day'] },
  { kind: 'loan', category: 'credit_line', name: n('信用贷', 'personal credit lines'), weight: 3, rate: [3.6, 18], highlight: 'apr', terms: [365],
    tags: ['quick_approval', 'flexible'], naming: 'loan',
    lines: [['闪电贷', 'Flash Credit Line'], ['备用金', 'Standby Credit Line'], ['工薪贷', 'Salary Credit Line'], ['公积金信用贷', 'Housing Fund Credit Line']],
    subtitle: ['随借随还，按日计息', 'Borrow and repay any time'] },
  { kind: 'card', category: 'credit_card', name: n('信用卡', 'credit cards'), weight: 6, rate: [0, 0], highlight: 'fee',
    tags: ['travel', 'cashback', 'no_annual_fee', 'young', 'dining'], naming: 'card',
    lines: [['旅行白金卡', 'Travel Platinum Card'], ['返现卡', 'Cashback Card'], ['青春卡', 'Young Card'], ['美食卡', 'Dining Card'], ['金卡', 'Gold Card']],
    subtitle: ['首刷有礼，积分不过期', 'A welcome gift and points that never expire'] },
  { kind: 'insurance', category: 'health_insurance', name: n('健康险', 'health insurance'), weight: 3, rate: [9, 60], highlight: 'premium',
    tags: ['health', 'family'], naming: 'insurer',
    lines: [['百万医疗险', 'Medical Plus'], ['重疾保障', 'Critical Illness Cover'], ['门诊保障', 'Outpatient Cover']],
    subtitle: ['住院医疗费用报销', 'Pays hospital bills'] },
  { kind: 'insurance', category: 'accident_insurance', name: n('意外险', 'accident insurance'), weight: 2, rate: [3, 20], highlight: 'premium',
    tags: ['travel', 'family'], naming: 'insurer',
    lines: [['出行意外险', 'Commute Accident Cover'], ['旅行意外险', 'Travel Accident Cover'], ['家庭意外险', 'Family Accident Cover']],
    subtitle: ['出行有保障', 'Cover on the move'] },
  { kind: 'insurance', category: 'life_insurance', name: n('寿险', 'life insurance'), weight: 2, rate: [30, 200], highlight: 'premium',
    tags: ['family', 'retirement'], naming: 'insurer',
    lines: [['定期寿险', 'Term Life'], ['养老年金', 'Retirement Annuity'], ['终身寿险', 'Whole Life']],
    subtitle: ['为家人撑起保护伞', 'Protection for your family'] },
  { kind: 'article', category: 'article_investing', name: n('投资知识', 'investing guides'), weight: 6,
    tags: ['newbie', 'fund', 'retirement', 'long_term'], naming: 'plain',
    lines: [['货币基金是怎么赚钱的？', 'How money market funds earn'], ['基金定投入门', 'Dollar-cost averaging, explained'], ['如何读懂风险等级', 'Reading a risk level'], ['养老钱怎么投', 'Investing for retirement']],
    subtitle: ['3分钟读懂', 'A 3-minute read'] },
  { kind: 'article', category: 'article_credit', name: n('信用知识', 'credit guides'), weight: 3,
    tags: ['credit', 'newbie', 'flexible'], naming: 'plain',
    lines: [['如何提升信用评分', 'Raising your credit score'], ['年化利率怎么算', 'APR, explained'], ['信用卡分期划算吗？', 'Are card instalments worth it?']],
    subtitle: ['理性借贷小课堂', 'Borrowing wisely'] },
  { kind: 'article', category: 'article_market', name: n('市场观点', 'market views'), weight: 4,
    tags: ['market', 'tech', 'green', 'dividend'], naming: 'plain',
    lines: [['本周市场观点', 'Market view of the week'], ['降息周期里的债基', 'Bond funds when rates fall'], ['新能源行业展望', 'Outlook: new energy']],
    subtitle: ['投研团队出品', 'From our research team'] },
  { kind: 'ad', category: 'ad_wealth', name: n('理财活动', 'wealth offers'), weight: 2, risk: ['R2'],
    tags: ['high_yield', 'steady'], naming: 'plain',
    lines: [['理财节：业绩基准最高3.8%', 'Wealth Week: target returns up to 3.8%'], ['稳健理财，1元起投', 'Steady income products from ¥1']],
    subtitle: ['限时活动', 'For a limited time'] },
  { kind: 'ad', category: 'ad_card', name: n('信用卡活动', 'card offers'), weight: 2,
    tags: ['cashback', 'travel', 'dining'], naming: 'plain',
    lines: [['新户首刷返88元', '¥88 back on your first purchase'], ['周末美食五折', 'Half price dining at weekends']],
    subtitle: ['活动详情见页面', 'Terms apply'] },
  { kind: 'ad', category: 'ad_loan', name: n('贷款活动', 'loan offers'), weight: 2,
    tags: ['quick_approval', 'flexible'], naming: 'plain',
    lines: [['消费贷年化低至3.6%', 'Loans from 3.6% APR'], ['借款30天免息券', '30 days interest-free']],
    subtitle: ['按需借款，理性消费', 'Borrow only what you need'] },
  { kind: 'ad', category: 'ad_brand', name: n('品牌活动', 'brand campaigns'), weight: 2,
    tags: ['rewards'], naming: 'plain',
    lines: [['扫码支付赢好礼', 'Scan to pay and win'], ['积分兑换节', 'Points festival']],
    subtitle: ['天天有惊喜', 'Something new every day'] },
];

const ZH_YEARS = ['', '一', '两', '三', '四', '五'];

/** A term as it is said in a product's name: [zh, en]. */
export function termName(days: number, style: 'deposit' | 'wealth' | 'loan'): Pair {
  const years = days / 365;
  if (Number.isInteger(years)) {
    const en = `${years}-Year`;
    if (style === 'wealth') return [`${years}年`, en];
    return [style === 'deposit' ? `${ZH_YEARS[years] ?? years}年期` : `${years}年期`, en];
  }
  const months = Math.round(days / 30);
  if (style === 'wealth' || days < 90) return [`${days}天`, `${days}-Day`];
  return [`${months}个月`, `${months}-Month`];
}

/**
 * A product's title in both languages, from the curated lists: issuer × product line × term.
 * Draws from `random` a fixed number of times for a naming, so the catalog stays deterministic.
 */
export function productTitle(spec: CategorySpec, random: () => number, termDays: number | undefined): Localized {
  const [lineZh, lineEn] = pick(random, spec.lines);
  switch (spec.naming) {
    case 'fund': {
      const [house, houseEn] = pick(random, ISSUERS);
      const share = random() < 0.5 ? 'A' : 'C';
      return n(`${house}${lineZh}${share}`, `${houseEn} ${lineEn} ${share}`);
    }
    case 'wealth': {
      const [house, houseEn] = pick(random, ISSUERS);
      const [termZh, termEn] = termName(termDays ?? 90, 'wealth');
      return n(`${house}理财${lineZh}${termZh}`, `${houseEn} Wealth ${lineEn} ${termEn}`);
    }
    case 'deposit': {
      const [termZh, termEn] = termName(termDays ?? 365, 'deposit');
      return n(`${termZh}${lineZh}`, `${termEn} ${lineEn}`);
    }
    case 'loan': {
      if (!spec.terms || spec.terms.length < 2) return n(lineZh, lineEn);
      const [termZh, termEn] = termName(termDays ?? 365, 'loan');
      return n(`${lineZh}（${termZh}）`, `${termEn} ${lineEn}`);
    }
    case 'card': {
      const [scheme, schemeEn] = pick(random, SCHEMES);
      return n(`${scheme}${lineZh}`, `${schemeEn} ${lineEn}`);
    }
    case 'insurer': {
      const [insurer, insurerEn] = pick(random, INSURERS);
      return n(`${insurer}${lineZh}`, `${insurerEn} ${lineEn}`);
    }
    case 'plain':
      return n(lineZh, lineEn);
  }
}

/** Reminder items: every generated catalog has them, whatever its size. */
export const REMINDERS: readonly { id: string; category: string; condition?: Condition; title: Pair; subtitle: Pair; url: string }[] = [
  { id: 'reminder-risk-assessment', category: 'reminder_profile', condition: 'no_risk_profile', title: ['完成风险测评', 'Complete your risk assessment'], subtitle: ['只需2分钟，解锁更多产品', 'Two minutes, and more products open up'], url: '/wealth.html#risk-assessment' },
  { id: 'reminder-deposit-maturing', category: 'reminder_deposit', condition: 'holds:deposit', title: ['您的存款即将到期', 'Your deposit matures soon'], subtitle: ['到期前安排好资金去向', 'Decide where the money goes next'], url: '/wealth.html#deposits' },
  { id: 'reminder-card-bill', category: 'reminder_card', condition: 'holds:card', title: ['信用卡账单待还款', 'Your card bill is due'], subtitle: ['按时还款，保持良好信用', 'Pay on time to keep a good record'], url: '/loans.html#card-bill' },
  { id: 'reminder-security', category: 'reminder_account', title: ['开启登录保护', 'Turn on login protection'], subtitle: ['守护账户安全', 'Keep your account safe'], url: '/index.html#security' },
  { id: 'reminder-auto-invest', category: 'reminder_account', condition: 'holds:fund', title: ['设置基金定投', 'Set up a monthly fund plan'], subtitle: ['积少成多，平滑波动', 'Small, regular amounts smooth the ride'], url: '/wealth.html#auto-invest' },
];

export const REMINDER_NAMES: Record<string, Localized> = {
  reminder_profile: n('账户提醒', 'account reminders'),
  reminder_deposit: n('存款提醒', 'deposit reminders'),
  reminder_card: n('账单提醒', 'bill reminders'),
  reminder_account: n('账户提醒', 'account reminders'),
};

export const TAG_NAMES: Record<string, Localized> = {
  low_risk: n('低风险', 'low risk'), liquid: n('灵活存取', 'easy access'), cash: n('零钱理财', 'spare cash'),
  newbie: n('新手友好', 'beginner-friendly'), steady: n('稳健', 'steady returns'), short_term: n('短期', 'short terms'),
  long_term: n('长期投资', 'long-term investing'), balanced: n('均衡配置', 'balanced portfolios'), retirement: n('养老', 'retirement'),
  tech: n('科技', 'technology'), consumer: n('消费', 'consumer brands'), healthcare: n('医疗', 'healthcare'), green: n('新能源', 'clean energy'),
  dividend: n('红利', 'dividends'), manufacturing: n('制造', 'manufacturing'), growth: n('成长', 'growth'), index: n('指数', 'index investing'),
  low_fee: n('低费率', 'low fees'), guaranteed: n('保本', 'guaranteed capital'), high_yield: n('高收益', 'higher yields'),
  quick_approval: n('极速审批', 'fast approval'), flexible: n('随借随还', 'flexible borrowing'), travel: n('旅行', 'travel'), home: n('家装', 'home improvement'),
  education: n('教育', 'education'), car: n('汽车', 'cars'), cashback: n('返现', 'cashback'), no_annual_fee: n('免年费', 'no annual fee'),
  young: n('年轻人', 'young customers'), dining: n('美食', 'dining'), health: n('健康', 'health'), family: n('家庭保障', 'family protection'),
  fund: n('基金', 'funds'), credit: n('信用', 'credit'), market: n('市场动态', 'markets'), rewards: n('积分奖励', 'rewards'),
};
