/**
 * The parameters built-in templates share, so each template file reads as what it is about.
 * Defaults name items every generated catalog has (engine/catalog.ts `featured`).
 */
import type { TemplateParam } from '../../sdk/contract-templates';

const l = (zh: string, en: string) => ({ 'zh-CN': zh, en });

export const P = {
  id: (d: string): TemplateParam => ({ name: 'id', type: 'id', default: d, label: l('活动编号', 'Campaign id'), help: l('新建草稿的编号，也是其标签与触发规则编号的前缀', 'The id of the new campaign; its tags and triggers are named after it') }),
  item: (d: string): TemplateParam => ({ name: 'item', type: 'item', default: d, label: l('推荐产品', 'Item to show') }),
  slot: (d: string): TemplateParam => ({ name: 'slot', type: 'slot', default: d, label: l('展示位', 'Slot kind') }),
  priority: (d = 50): TemplateParam => ({ name: 'priority', type: 'number', default: d, min: -1000, max: 1000, label: l('优先级', 'Priority'), help: l('越高越先占位', 'Higher claims its slot first') }),
  days: (name: string, d: number, zh: string, en: string, max = 366): TemplateParam => ({ name, type: 'days', default: d, min: 0, max, label: l(zh, en) }),
  amount: (d: number, zh: string, en: string): TemplateParam => ({ name: 'amount', type: 'amount', default: d, label: l(zh, en) }),
  holiday: (d: string): TemplateParam => ({ name: 'holiday', type: 'holiday', default: d, label: l('节日', 'Holiday') }),
  runDays: (d = 30): TemplateParam => ({ name: 'runDays', type: 'days', default: d, min: 1, max: 366, label: l('活动天数', 'Runs for (days)'), help: l('从今天起的天数，之后活动结束', 'Days from today; the campaign ends after them') }),
};

/** The campaign fields every built-in template fills the same way. */
export const CAMPAIGN = {
  id: '{{id}}',
  priority: '{{priority}}',
  pins: [{ itemId: '{{item}}', slotKind: '{{slot}}' }],
  template: '{{$template}}',
};

export { l };
