/** Built-in templates of the customer lifecycle: from the first days to retention and milestones. */
import type { Template } from '../../sdk/contract-templates';
import { CAMPAIGN, l, P } from './params';

export const LIFECYCLE: Template[] = [
  {
    id: 'welcome-series',
    family: 'lifecycle',
    version: 1,
    name: l('新客欢迎礼', 'Welcome series'),
    description: l('开户后的前 N 天，在首页为新客户展示欢迎产品。', 'For the first N days after a customer opens the account, shows them a welcome offer.'),
    params: [P.id('welcome_series'), P.days('days', 7, '开户后天数', 'Days after opening', 90), P.item('welcome-fund'), P.slot('picks'), P.priority(60)],
    drafts: {
      campaign: { ...CAMPAIGN, label: l('新客专享', 'Welcome offer for new customers'), traits: [{ name: 'accountOpenedOn', op: 'date_in_days', min: '{{days:neg}}', max: 0 }] },
    },
  },
  {
    id: 'first-transaction-nudge',
    family: 'lifecycle',
    version: 1,
    name: l('首笔交易激励', 'First-transaction nudge'),
    description: l('开户 N 天内还没有任何交易的客户，看到首笔交易奖励。', 'Customers who opened an account in the last N days and have not made a transaction yet see a first-transaction reward.'),
    params: [P.id('first_transaction'), P.days('days', 30, '开户后天数', 'Days after opening', 180), P.item('welcome-ad'), P.slot('ad'), P.priority(55)],
    drafts: {
      campaign: {
        ...CAMPAIGN,
        label: l('完成首笔交易领奖励', 'A reward for your first transaction'),
        traits: [
          { name: 'accountOpenedOn', op: 'date_in_days', min: '{{days:neg}}', max: 0 },
          { name: 'firstTransactionOn', op: 'exists', value: false },
        ],
      },
    },
  },
  {
    id: 'dormant-reactivation',
    family: 'lifecycle',
    version: 1,
    name: l('沉睡客户唤醒', 'Dormant reactivation'),
    description: l('30 天以上没有访问、刚回来的客户，看到欢迎回来的专属产品；活动运行 N 天。', 'Customers back after 30 days or more away see a welcome-back offer. The campaign runs for N days.'),
    params: [P.id('reactivation'), P.item('comeback-deposit'), P.slot('picks'), P.runDays(30), P.priority(45)],
    drafts: { campaign: { ...CAMPAIGN, label: l('欢迎回来', 'Welcome back'), segments: ['dormant'], end: '{{runDays:end}}' } },
  },
  {
    id: 'churn-risk-retention',
    family: 'lifecycle',
    version: 1,
    name: l('流失预警挽留', 'Churn-risk retention'),
    description: l('被流失分析或银行批量数据标记为流失风险的客户，看到挽留礼遇；活动运行 N 天。', 'Customers the churn analysis or the bank marks as at risk of leaving see a thank-you offer. The campaign runs for N days.'),
    params: [P.id('churn_retention'), { name: 'segment', type: 'segment', default: 'churn_risk', label: l('客群', 'Segment') }, P.item('rescue-deposit'), P.slot('picks'), P.runDays(30), P.priority(50)],
    drafts: { campaign: { ...CAMPAIGN, label: l('感恩回馈，专属礼遇', 'A thank-you for staying with us'), segments: ['{{segment}}'], end: '{{runDays:end}}' } },
  },
  {
    id: 'tier-upgrade',
    family: 'lifecycle',
    version: 1,
    name: l('资产升级礼遇', 'Tier upgrade'),
    description: l('资产达到门槛（元）的客户，看到升级权益；活动运行 N 天。', 'Customers whose assets reach the threshold (yuan) see the next tier\'s benefits. The campaign runs for N days.'),
    params: [P.id('tier_upgrade'), P.amount(500_000, '资产门槛（元）', 'Assets threshold (yuan)'), P.item('rescue-card'), P.slot('picks'), P.runDays(30), P.priority(40)],
    drafts: { campaign: { ...CAMPAIGN, label: l('尊享客户升级礼遇', 'Benefits of your new tier'), traits: [{ name: 'assetsYuan', op: 'gte', value: '{{amount}}' }], end: '{{runDays:end}}' } },
  },
  {
    id: 'birthday',
    family: 'lifecycle',
    version: 1,
    name: l('生日祝福礼', 'Birthday greeting'),
    description: l('客户生日当天及之前 N 天，看到生日祝福和专属优惠。', 'From N days before a customer\'s birthday to the day itself, shows a birthday greeting and offer.'),
    params: [P.id('birthday'), P.days('days', 3, '提前天数', 'Days before', 30), P.item('comeback-ad'), P.slot('ad'), P.priority(65)],
    drafts: { campaign: { ...CAMPAIGN, label: l('生日快乐，专属礼遇', 'Happy birthday: an offer for you'), traits: [{ name: 'birthday', op: 'anniversary_in_days', min: 0, max: '{{days}}' }] } },
  },
];
