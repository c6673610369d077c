/**
 * Built-in templates of transaction behaviour: a `transaction` or `product_maturity` event
 * (sdk/contract.ts) makes a real-time tag on the device, or a batch date a trait, and the campaign
 * or trigger follows within N days.
 */
import type { Template } from '../../sdk/contract-templates';
import { CAMPAIGN, l, P } from './params';

const tx = (type: string, extra: unknown[] = []) => ({ type: 'track', name: 'transaction', where: [{ prop: 'type', op: 'eq', value: type }, ...extra] });

export const TRANSACTION: Template[] = [
  {
    id: 'large-deposit',
    family: 'transaction',
    version: 1,
    name: l('大额入账理财推荐', 'Large deposit → wealth'),
    description: l('一笔入账达到金额（元）后的 N 天内，客户看到理财产品；只推荐不超过其风险承受能力的产品。', 'For N days after a deposit of at least the amount (yuan) lands, the customer sees wealth products, only those within their risk tolerance.'),
    params: [P.id('large_deposit'), P.amount(50_000, '入账金额（元）', 'Deposit of at least (yuan)'), P.days('days', 7, '有效天数', 'For (days)', 90), P.item('wealth-week-ad'), P.slot('ad'), P.priority(70)],
    drafts: {
      campaign: { ...CAMPAIGN, label: l('大额资金理财方案', 'Put a large deposit to work'), tags: [{ name: '{{id}}_deposit' }] },
      tags: [{ name: '{{id}}_deposit', label: l('大额入账', 'Large deposit'), match: tx('deposit', [{ prop: 'amount', op: 'gte', value: '{{amount}}' }]), agg: 'exists', windowMs: '{{days:ms}}' }],
    },
  },
  {
    id: 'salary-savings',
    family: 'transaction',
    version: 1,
    name: l('工资到账储蓄计划', 'Salary credited → savings plan'),
    description: l('工资入账后的 N 天内，客户看到储蓄计划。', 'For N days after a salary is credited, the customer sees a savings plan.'),
    params: [P.id('salary_savings'), P.days('days', 3, '有效天数', 'For (days)', 31), P.item('comeback-deposit'), P.slot('picks'), P.priority(60)],
    drafts: {
      campaign: { ...CAMPAIGN, label: l('工资到账，先存一笔', 'Salary in: save some first'), tags: [{ name: '{{id}}_salary' }] },
      tags: [{ name: '{{id}}_salary', label: l('工资到账', 'Salary credited'), match: tx('salary'), agg: 'exists', windowMs: '{{days:ms}}' }],
    },
  },
  {
    id: 'term-deposit-maturing',
    family: 'transaction',
    version: 1,
    name: l('定期到期续存', 'Term deposit maturing'),
    description: l('定期存款在 N 天内到期的客户（批量数据或 product_maturity 事件），看到续存产品。', 'Customers whose term deposit matures in the next N days (batch data or a product_maturity event) see a deposit to reinvest in.'),
    params: [P.id('deposit_maturing'), P.days('days', 7, '到期前天数', 'Days before maturity', 90), P.item('rescue-deposit'), P.slot('picks'), P.priority(80)],
    drafts: {
      campaign: { ...CAMPAIGN, label: l('存款即将到期，续存享加息', 'Your deposit matures soon: reinvest at a better rate'), traits: [{ name: 'termDepositMaturesOn', op: 'date_in_days', min: 0, max: '{{days}}' }] },
    },
  },
  {
    id: 'card-spend-instalments',
    family: 'transaction',
    version: 1,
    name: l('大额消费分期', 'Card spend → instalments'),
    description: l('N 天内信用卡消费累计达到金额（元）的客户，看到分期优惠。', 'Customers whose card spending over N days adds up to the amount (yuan) see an instalment offer.'),
    params: [P.id('card_instalments'), P.amount(10_000, '累计消费（元）', 'Spending of at least (yuan)'), P.days('days', 30, '统计天数', 'Over (days)', 90), P.item('rescue-card'), P.slot('picks'), P.priority(55)],
    drafts: {
      campaign: { ...CAMPAIGN, label: l('大额消费可分期', 'Spread a large spend'), tags: [{ name: '{{id}}_spend' }] },
      tags: [{ name: '{{id}}_spend', label: l('信用卡消费', 'Card spending'), match: tx('card_spend'), agg: 'sum', property: 'amount', op: 'gte', threshold: '{{amount}}', windowMs: '{{days:ms}}' }],
    },
  },
  {
    id: 'loan-abandoned',
    family: 'transaction',
    version: 1,
    name: l('贷款申请未完成提醒', 'Loan application abandoned'),
    description: l('客户在填完前离开贷款申请时，立即提醒其继续；之后 N 天内在广告位看到贷款优惠。', 'When a customer leaves a loan application before its last step, reminds them at once to finish it; for N days after, shows a loan offer in the ad slot.'),
    params: [P.id('loan_abandoned'), { name: 'step', type: 'number', default: 4, min: 1, max: 20, label: l('最后一步', 'Last step'), help: l('离开时所在步骤小于此值才提醒', 'Reminds only when the customer left before this step') }, P.days('days', 7, '有效天数', 'For (days)', 30), P.item('loan-rate-ad'), P.slot('ad'), P.priority(50)],
    drafts: {
      campaign: { ...CAMPAIGN, label: l('贷款利率优惠', 'Loan rate offer'), tags: [{ name: '{{id}}_left' }] },
      tags: [{ name: '{{id}}_left', label: l('贷款申请未完成', 'Left a loan application'), match: { type: 'track', name: 'loan_apply_exit', where: [{ prop: 'step', op: 'lt', value: '{{step}}' }] }, agg: 'exists', windowMs: '{{days:ms}}' }],
      triggers: [
        {
          id: '{{id}}',
          when: { type: 'track', name: 'loan_apply_exit', where: [{ prop: 'step', op: 'lt', value: '{{step}}' }] },
          delayMs: 0,
          onReload: 'drop',
          caps: { perDay: 1 },
          reminder: {
            title: l('您的贷款申请还差几步', 'Your loan application is nearly done'),
            body: l('已填写的信息已为您保存，回来继续即可。', 'We saved what you entered. Pick up where you left off.'),
            cta: l('继续申请', 'Continue'),
            url: '/loans.html#apply',
          },
        },
      ],
    },
  },
  {
    id: 'payment-failed-help',
    family: 'transaction',
    version: 1,
    name: l('支付失败帮助', 'Failed payment → help'),
    description: l('支付失败时立即提示帮助；之后 N 天内在提醒位看到账户帮助。', 'When a payment fails, offers help at once; for N days after, shows account help in the reminder slot.'),
    params: [P.id('payment_failed'), P.days('days', 3, '有效天数', 'For (days)', 30), P.item('reminder-security'), P.slot('reminder'), P.priority(90)],
    drafts: {
      campaign: { ...CAMPAIGN, label: l('支付遇到问题？', 'Trouble paying?'), tags: [{ name: '{{id}}_failed' }] },
      tags: [{ name: '{{id}}_failed', label: l('支付失败', 'Payment failed'), match: tx('payment_failed'), agg: 'exists', windowMs: '{{days:ms}}' }],
      triggers: [
        {
          id: '{{id}}',
          when: tx('payment_failed'),
          delayMs: 0,
          caps: { perDay: 3 },
          reminder: {
            title: l('付款没有成功', 'Your payment did not go through'),
            body: l('常见原因：余额不足、超出限额或卡片已过期。点此查看解决办法。', 'Usually: not enough balance, a limit reached or an expired card. See how to fix it.'),
            cta: l('查看帮助', 'Get help'),
            url: '/index.html#help',
          },
        },
      ],
    },
  },
];
