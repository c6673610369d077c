/**
 * The tables the generated catalog is drawn from: categories with their share of the catalog,
 * risk levels, rate ranges, terms and title parts, in zh-CN and en. Names are fictitious.
 */
import type { RiskLevel } from '../../sdk/contract';
import type { Localized } from './i18n';
import type { Condition, Kind } from './types';

type Pair = readonly [zh: string, en: string];

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
  /** title stems; a brand and a series number make each title unique */
  stems: readonly Pair[];
  suffix?: Pair;
  subtitle: Pair;
  /** whether a brand goes in front of the stem */
  branded: boolean;
}

export const BRANDS: readonly Pair[] = [
  ['海港', 'Harbor'], ['峰汇', 'Summit'], ['常青', 'Evergreen'], ['莲华', 'Lotus'], ['北辰', 'Polaris'],
  ['锦程', 'Silkroad'], ['睿远', 'Farsight'], ['安盈', 'Anying'], ['融通', 'Confluence'], ['鸿图', 'Horizon'],
];

const n = (zh: string, en: string): Localized => ({ 'zh-CN': zh, en });

export const CATEGORIES: readonly CategorySpec[] = [
  { kind: 'fund', category: 'money_market', name: n('货币基金', 'money market funds'), weight: 6, risk: ['R1'], rate: [1.4, 2.6], highlight: 'yield7d', minAmounts: [0.01, 1, 100],
    tags: ['low_risk', 'liquid', 'cash', 'newbie'], stems: [['现金宝', 'Cash Plus'], ['日日盈', 'Daily Gain'], ['货币', 'Money Market']], suffix: ['A', 'A'],
    subtitle: ['随存随取，适合打理零钱', 'Instant access, a home for spare cash'], branded: true },
  { kind: 'fund', category: 'bond_fund', name: n('债券基金', 'bond funds'), weight: 7, risk: ['R2'], rate: [1.8, 5.2], highlight: 'return1y', minAmounts: [10, 100],
    tags: ['low_risk', 'steady', 'short_term', 'long_term'], stems: [['纯债', 'Pure Bond'], ['短债', 'Short-term Bond'], ['信用债', 'Credit Bond'], ['利率债', 'Government Bond']], suffix: ['债券C', 'Bond Fund C'],
    subtitle: ['波动较小，追求稳健收益', 'Low volatility, steady returns'], branded: true },
  { kind: 'fund', category: 'mixed_fund', name: n('混合基金', 'mixed funds'), weight: 7, risk: ['R3'], rate: [-6, 16], highlight: 'return1y', minAmounts: [10, 100],
    tags: ['balanced', 'long_term', 'steady', 'retirement'], stems: [['平衡', 'Balanced'], ['稳健', 'Steady'], ['灵活配置', 'Flexible Allocation'], ['偏股', 'Equity-tilted']], suffix: ['混合A', 'Mixed Fund A'],
    subtitle: ['股债搭配，攻守兼备', 'Stocks and bonds in one fund'], branded: true },
  { kind: 'fund', category: 'equity_fund', name: n('股票基金', 'equity funds'), weight: 7, risk: ['R4', 'R5'], rate: [-18, 32], highlight: 'return1y', minAmounts: [10, 100],
    tags: ['tech', 'consumer', 'healthcare', 'green', 'dividend', 'manufacturing', 'growth', 'long_term'], stems: [['科技创新', 'Tech Innovation'], ['消费升级', 'Consumer Growth'], ['医疗健康', 'Healthcare'], ['新能源', 'New Energy'], ['红利价值', 'Dividend Value'], ['高端制造', 'Advanced Manufacturing']], suffix: ['股票A', 'Equity Fund A'],
    subtitle: ['长期持有，分享成长', 'For the long run: share in growth'], branded: true },
  { kind: 'fund', category: 'index_fund', name: n('指数基金', 'index funds'), weight: 5, risk: ['R4'], rate: [-12, 26], highlight: 'return1y', minAmounts: [10],
    tags: ['index', 'long_term', 'low_fee', 'tech'], stems: [['沪深300', 'CSI 300'], ['中证500', 'CSI 500'], ['创业板', 'ChiNext'], ['恒生科技', 'Hang Seng Tech']], suffix: ['指数A', 'Index Fund A'],
    subtitle: ['低费率，紧跟市场', 'Low fees, tracks the market'], branded: true },
  { kind: 'deposit', category: 'term_deposit', name: n('定期存款', 'term deposits'), weight: 4, rate: [1.3, 2.6], highlight: 'rate', terms: [90, 180, 365, 730, 1095, 1825], minAmounts: [50, 1000],
    tags: ['low_risk', 'guaranteed', 'steady', 'short_term', 'long_term'], stems: [['定期存款', 'Term Deposit'], ['整存整取', 'Fixed Deposit']],
    subtitle: ['受存款保险保障', 'Protected by deposit insurance'], branded: false },
  { kind: 'deposit', category: 'large_cd', name: n('大额存单', 'certificates of deposit'), weight: 3, rate: [1.9, 2.9], highlight: 'rate', terms: [365, 730, 1095], minAmounts: [200_000],
    tags: ['low_risk', 'guaranteed', 'high_yield', 'long_term'], stems: [['大额存单', 'Certificate of Deposit']],
    subtitle: ['20万起存，利率更高', 'From ¥200,000, a higher rate'], branded: false },
  { kind: 'wealth', category: 'wealth_fixed', name: n('固收理财', 'fixed-income wealth products'), weight: 6, risk: ['R2'], rate: [2.4, 3.6], highlight: 'benchmark', terms: [30, 90, 180, 365], minAmounts: [1, 10_000],
    tags: ['steady', 'low_risk', 'short_term'], stems: [['稳享', 'Steady'], ['安鑫', 'Secure'], ['月月盈', 'Monthly Gain']],
    subtitle: ['投资债券等固收资产', 'Invests in bonds and other fixed income'], branded: true },
  { kind: 'wealth', category: 'wealth_plus', name: n('固收+理财', 'fixed-income-plus products'), weight: 5, risk: ['R3'], rate: [3.0, 4.6], highlight: 'benchmark', terms: [90, 180, 365, 730], minAmounts: [10_000],
    tags: ['balanced', 'high_yield', 'long_term'], stems: [['增利', 'Plus'], ['睿选', 'Select'], ['优享', 'Prime']],
    subtitle: ['固收打底，少量权益增强', 'Fixed income with a dash of equity'], branded: true },
  { kind: 'loan', category: 'consumer_loan', name: n('消费贷', 'consumer loans'), weight: 4, rate: [3.4, 12], highlight: 'apr', terms: [365, 730, 1095],
    tags: ['quick_approval', 'flexible', 'travel', 'home', 'education', 'car'], stems: [['随心贷', 'Easy Loan'], ['家装贷', 'Home Makeover Loan'], ['车主贷', 'Car Loan'], ['教育贷', 'Education Loan']],
    subtitle: ['线上申请，最快当天放款', 'Apply online, funds the same day'], branded: false },
  { kind: 'loan', category: 'credit_line', name: n('信用贷', 'personal credit lines'), weight: 3, rate: [3.6, 18], highlight: 'apr', terms: [365],
    tags: ['quick_approval', 'flexible'], stems: [['闪电贷', 'Flash Credit'], ['备用金', 'Standby Credit']],
    subtitle: ['随借随还，按日计息', 'Borrow and repay any time'], branded: false },
  { kind: 'card', category: 'credit_card', name: n('信用卡', 'credit cards'), weight: 6, rate: [0, 0], highlight: 'fee',
    tags: ['travel', 'cashback', 'no_annual_fee', 'young', 'dining'], stems: [['旅行白金卡', 'Travel Platinum Card'], ['返现卡', 'Cashback Card'], ['青春卡', 'Young Card'], ['美食卡', 'Dining Card'], ['金卡', 'Gold Card']],
    subtitle: ['首刷有礼，积分不过期', 'A welcome gift and points that never expire'], branded: false },
  { kind: 'insurance', category: 'health_insurance', name: n('健康险', 'health insurance'), weight: 3, rate: [9, 60], highlight: 'premium',
    tags: ['health', 'family'], stems: [['百万医疗', 'Medical Plus'], ['重疾保障', 'Critical Illness Cover']],
    subtitle: ['住院医疗费用报销', 'Pays hospital bills'], branded: false },
  { kind: 'insurance', category: 'accident_insurance', name: n('意外险', 'accident insurance'), weight: 2, rate: [3, 20], highlight: 'premium',
    tags: ['travel', 'family'], stems: [['出行意外险', 'Commute Accident Cover'], ['旅行意外险', 'Travel Accident Cover']],
    subtitle: ['出行有保障', 'Cover on the move'], branded: false },
  { kind: 'insurance', category: 'life_insurance', name: n('寿险', 'life insurance'), weight: 2, rate: [30, 200], highlight: 'premium',
    tags: ['family', 'retirement'], stems: [['定期寿险', 'Term Life'], ['养老年金', 'Retirement Annuity']],
    subtitle: ['为家人撑起保护伞', 'Protection for your family'], branded: false },
  { kind: 'article', category: 'article_investing', name: n('投资知识', 'investing guides'), weight: 6,
    tags: ['newbie', 'fund', 'retirement', 'long_term'], stems: [['货币基金是怎么赚钱的？', 'How money market funds earn'], ['基金定投入门', 'Dollar-cost averaging, explained'], ['如何读懂风险等级', 'Reading a risk level'], ['养老钱怎么投', 'Investing for retirement']],
    subtitle: ['3分钟读懂', 'A 3-minute read'], branded: false },
  { kind: 'article', category: 'article_credit', name: n('信用知识', 'credit guides'), weight: 3,
    tags: ['credit', 'newbie', 'flexible'], stems: [['如何提升信用评分', 'Raising your credit score'], ['年化利率怎么算', 'APR, explained'], ['信用卡分期划算吗？', 'Are card instalments worth it?']],
    subtitle: ['理性借贷小课堂', 'Borrowing wisely'], branded: false },
  { kind: 'article', category: 'article_market', name: n('市场观点', 'market views'), weight: 4,
    tags: ['market', 'tech', 'green', 'dividend'], stems: [['本周市场观点', 'Market view of the week'], ['降息周期里的债基', 'Bond funds when rates fall'], ['新能源行业展望', 'Outlook: new energy']],
    subtitle: ['投研团队出品', 'From our research team'], branded: false },
  { kind: 'ad', category: 'ad_wealth', name: n('理财活动', 'wealth offers'), weight: 2, risk: ['R2'],
    tags: ['high_yield', 'steady'], stems: [['理财节：业绩基准最高3.8%', 'Wealth Week: target returns up to 3.8%'], ['新客理财专享', 'Wealth offers for newcomers']],
    subtitle: ['限时活动', 'For a limited time'], branded: false },
  { kind: 'ad', category: 'ad_card', name: n('信用卡活动', 'card offers'), weight: 2,
    tags: ['cashback', 'travel', 'dining'], stems: [['新户首刷返88元', '¥88 back on your first purchase'], ['周末美食五折', 'Half price dining at weekends']],
    subtitle: ['活动详情见页面', 'Terms apply'], branded: false },
  { kind: 'ad', category: 'ad_loan', name: n('贷款活动', 'loan offers'), weight: 2,
    tags: ['quick_approval', 'flexible'], stems: [['消费贷年化低至3.6%', 'Loans from 3.6% APR'], ['借款30天免息券', '30 days interest-free']],
    subtitle: ['按需借款，理性消费', 'Borrow only what you need'], branded: false },
  { kind: 'ad', category: 'ad_brand', name: n('品牌活动', 'brand campaigns'), weight: 2,
    tags: ['rewards'], stems: [['扫码支付赢好礼', 'Scan to pay and win'], ['积分兑换节', 'Points festival']],
    subtitle: ['天天有惊喜', 'Something new every day'], branded: false },
];

/** Reminder items: every generated catalog has them, whatever its size. */
export const REMINDERS: readonly { id: string; category: string; condition?: Condition; title: Pair; subtitle: Pair; url: string }[] = [
  { id: 'reminder-risk-assessment', category: 'reminder_profile', condition: 'no_risk_profile', title: ['完成风险测评，解锁更多产品', 'Take the risk assessment to see more products'], subtitle: ['只需2分钟', 'It takes 2 minutes'], url: '/wealth.html#risk-assessment' },
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
