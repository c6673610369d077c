/**
 * Built-in templates of the calendar: festivals with a window of days before and after them
 * (the dates come from calendar/, resolved when the template is used), and the customer's pay day.
 */
import type { Template } from '../../sdk/contract-templates';
import { CAMPAIGN, l, P } from './params';

const WINDOW = { dates: '{{holiday:dates}}', before: '{{before}}', after: '{{after}}', day: '{{holiday}}' };
const assets = [{ name: 'assetsYuan', op: 'gte', value: '{{amount}}' }];

/** A festival campaign for customers with at least `amount` yuan in assets. */
function festival(o: { id: string; day: string; before: number; after: number; amount: number; item: string; slot: string; name: [string, string]; description: [string, string]; label: [string, string] }): Template {
  return {
    id: o.id,
    family: 'calendar',
    version: 1,
    name: l(...o.name),
    description: l(...o.description),
    params: [
      P.id(o.id.replace(/-/g, '_')),
      P.holiday(o.day),
      P.days('before', o.before, '节前天数', 'Days before'),
      P.days('after', o.after, '节后天数', 'Days after'),
      P.amount(o.amount, '资产门槛（元）', 'Assets at least (yuan)'),
      P.item(o.item),
      P.slot(o.slot),
      P.priority(35),
    ],
    drafts: { campaign: { ...CAMPAIGN, label: l(...o.label), calendar: WINDOW, traits: assets } },
  };
}

export const CALENDAR: Template[] = [
  festival({
    id: 'spring-festival', day: 'spring-festival', before: 10, after: 5, amount: 1000, item: 'rescue-deposit', slot: 'picks',
    name: ['春节开门红', 'Spring Festival'],
    description: ['春节前 N 天到节后 M 天，资产达到门槛的客户看到新春存款礼遇。', 'From N days before Spring Festival to M days after, customers with assets above the threshold see a New Year deposit offer.'],
    label: ['新春开门红', 'A Spring Festival offer'],
  }),
  festival({
    id: 'mid-autumn', day: 'mid-autumn', before: 7, after: 1, amount: 1000, item: 'comeback-deposit', slot: 'picks',
    name: ['中秋团圆礼', 'Mid-Autumn'],
    description: ['中秋前 N 天到节后 M 天，资产达到门槛的客户看到中秋礼遇。', 'From N days before Mid-Autumn to M days after, customers with assets above the threshold see a Mid-Autumn offer.'],
    label: ['中秋团圆礼', 'A Mid-Autumn offer'],
  }),
  festival({
    id: 'dragon-boat', day: 'dragon-boat', before: 5, after: 1, amount: 1000, item: 'wealth-week-ad', slot: 'ad',
    name: ['端午安康', 'Dragon Boat Festival'],
    description: ['端午前 N 天到节后 M 天，资产达到门槛的客户看到端午理财活动（仍按风险等级适配）。', 'From N days before the Dragon Boat Festival to M days after, customers with assets above the threshold see a wealth offer (suitability still applies).'],
    label: ['端午理财节', 'A Dragon Boat wealth offer'],
  }),
  festival({
    id: 'national-day', day: 'national-day', before: 5, after: 7, amount: 1000, item: 'rescue-card', slot: 'picks',
    name: ['国庆黄金周', 'National Day golden week'],
    description: ['国庆前 N 天到黄金周结束（节后 M 天），资产达到门槛的客户看到出行用卡优惠。', 'From N days before National Day to the end of golden week (M days after), customers with assets above the threshold see a travel card offer.'],
    label: ['黄金周出行礼遇', 'Golden week travel offer'],
  }),
  festival({
    id: 'double-11', day: 'double-11', before: 10, after: 1, amount: 1000, item: 'rescue-card', slot: 'picks',
    name: ['双十一分期', '11.11 shopping day'],
    description: ['双十一前 N 天到节后 M 天，资产达到门槛的客户看到信用卡分期优惠。', 'From N days before 11.11 to M days after, customers with assets above the threshold see card instalment offers.'],
    label: ['双十一分期免息', '11.11 interest-free instalments'],
  }),
  festival({
    id: 'year-end-bonus', day: 'spring-festival', before: 30, after: 0, amount: 10_000, item: 'rescue-deposit', slot: 'picks',
    name: ['年终奖理财季', 'Year-end bonus season'],
    description: ['年终奖发放季（春节前 N 天起），资产达到门槛的客户看到年终奖存款与理财方案。', 'In the year-end bonus season (from N days before Spring Festival), customers with assets above the threshold see where to put their bonus.'],
    label: ['年终奖安心存', 'A home for your year-end bonus'],
  }),
  {
    id: 'pay-day',
    family: 'calendar',
    version: 1,
    name: l('发薪日储蓄', 'Pay day'),
    description: l('客户发薪日（批量数据 salaryDay）当天起 N 天内，看到储蓄计划。', 'From a customer\'s own pay day (the batch salaryDay) to N days after it, shows a savings plan.'),
    params: [P.id('pay_day'), P.days('days', 2, '发薪后天数', 'Days after pay day', 27), P.item('comeback-deposit'), P.slot('picks'), P.priority(30)],
    drafts: { campaign: { ...CAMPAIGN, label: l('工资到账，存一笔', 'Pay day: put some aside'), traits: [{ name: 'salaryDay', op: 'day_of_month_in_days', min: '{{days:neg}}', max: 0 }] } },
  },
];
