/**
 * The template gallery's strings, in its own table so the screens' words stay next to them; read
 * through `useTemplateText()` in the console's current language.
 */
import { useI18n } from './i18n';

const zh = {
  'nav.templates': '模板库',
  'title': '活动模板库',
  'intro': '从成熟的营销玩法开始：选一个模板，填几个参数，预览后一键生成草稿，再经发布审批上线。',
  'search': '搜索模板',
  'searchHint': '按名称、说明或编号筛选',
  'family.lifecycle': '客户生命周期',
  'family.calendar': '节日与日历',
  'family.transaction': '交易行为',
  'use': '使用此模板',
  'own': '本应用模板',
  'none': '没有匹配的模板',
  'count': '共 {n} 个模板',
  'params': '参数',
  'preview': '预览',
  'previewing': '预览中…',
  'create': '生成草稿',
  'creating': '生成中…',
  'sample': '示例客户',
  'sampleNone': '任意客户',
  'when': '何时可见',
  'never': '未来 400 天内不会出现',
  'shows': '展示内容',
  'inSlot': '{item}（{slot} 推荐位）',
  'reminders': '即时提醒',
  'on': '触发事件：{event}',
  'made': '已生成 {n} 个草稿。发布后生效。',
  'toReleases': '去发布',
  'back': '返回模板库',
  'version': '版本 {v}',
  'fromTo': '{from} 至 {to}',
} as const;

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  'nav.templates': 'Templates',
  'title': 'Campaign templates',
  'intro': 'Start from a proven playbook: pick a template, fill a few parameters, preview it, create the drafts in one click, and publish them through a release.',
  'search': 'Search templates',
  'searchHint': 'Filters by name, description or id',
  'family.lifecycle': 'Customer lifecycle',
  'family.calendar': 'Calendar and holidays',
  'family.transaction': 'Transaction behaviour',
  'use': 'Use this template',
  'own': "This app's template",
  'none': 'No template matches',
  'count': '{n} templates',
  'params': 'Parameters',
  'preview': 'Preview',
  'previewing': 'Previewing…',
  'create': 'Create drafts',
  'creating': 'Creating…',
  'sample': 'Sample customer',
  'sampleNone': 'any customer',
  'when': 'When they see it',
  'never': 'Not in the next 400 days',
  'shows': 'What they see',
  'inSlot': '{item} (in a {slot} slot)',
  'reminders': 'Reminders at once',
  'on': 'On the event: {event}',
  'made': '{n} drafts created. They go live when published.',
  'toReleases': 'Go to releases',
  'back': 'Back to the templates',
  'version': 'version {v}',
  'fromTo': '{from} to {to}',
};

export type TemplateText = (key: Key, vars?: Record<string, string | number>) => string;

export function useTemplateText(): TemplateText {
  const { locale } = useI18n();
  const table: Record<Key, string> = locale === 'en' ? en : zh;
  return (key, vars) => table[key].replace(/\{(\w+)\}/g, (_m, k: string) => String(vars?.[k] ?? ''));
}
