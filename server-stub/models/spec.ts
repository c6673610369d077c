/**
 * Feature specs: what a response model reads, as data. A spec names the binary target, each input
 * column with its type (numeric or categorical), an optional transform and declared levels, the
 * values that mean "missing", and the columns that must never be inputs (leaks: known only after
 * the outcome) with the reason why. The spec is saved inside every trained model, so scoring reads
 * a file exactly the way training did.
 */
import * as z from 'zod/mini';
import { firstProblem } from '../../sdk/contract';

export type Transform = 'none' | 'log1p' | 'signed-log1p';

/** Plain words for a customer, in both locales of the product: what a "why this?" panel shows. */
export interface Words {
  en: string;
  'zh-CN': string;
}

export interface NumericSpec {
  name: string;
  type: 'numeric';
  /** applied before standardising; `log1p` for counts, `signed-log1p` for money that can be negative */
  transform?: Transform;
  /** raw cell texts that mean "missing" (besides the empty cell), e.g. `["-1"]` for "never contacted" */
  missing?: string[];
  /** the feature in plain words, for reasons. @example { en: 'Age', 'zh-CN': '年龄' } */
  label?: Words;
}

export interface CategoricalSpec {
  name: string;
  type: 'categorical';
  /** the levels, in display order; a level not listed is treated as missing. Omitted: learned from the data. */
  levels?: string[];
  missing?: string[];
  /** the feature in plain words, for reasons. @example { en: 'Previous campaign', 'zh-CN': '上次营销' } */
  label?: Words;
  /** levels in plain words, for reasons; a level without one is shown as written. @example { success: { en: 'succeeded', 'zh-CN': '成功' } } */
  levelLabels?: Record<string, Words>;
}

export type FeatureSpec = NumericSpec | CategoricalSpec;

export interface ModelSpec {
  /** the binary response: `column` is positive when its cell is one of `positive` */
  target: { name: string; column: string; positive: string[] };
  features: FeatureSpec[];
  /** columns that must never be inputs, each with why (shown when a spec or a caller asks for one) */
  mustNotUse: { column: string; why: string }[];
  /** the CSV delimiter; default `,` */
  delimiter?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

function schema() {
  const name = z.string().check(z.regex(NAME, { message: 'a name is letters, digits, _ . - (≤ 64)' }));
  const missing = z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(32)));
  const words = z.object({ en: z.string().check(z.minLength(1), z.maxLength(80)), 'zh-CN': z.string().check(z.minLength(1), z.maxLength(80)) });
  const label = z.optional(words);
  return z.object({
    target: z.object({ name, column: name, positive: z.array(z.string().check(z.maxLength(64))).check(z.minLength(1), z.maxLength(32)) }),
    features: z
      .array(
        z.union([
          z.object({ name, type: z.literal('numeric'), transform: z.optional(z.enum(['none', 'log1p', 'signed-log1p'])), missing, label }),
          z.object({
            name,
            type: z.literal('categorical'),
            levels: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.minLength(1), z.maxLength(1000))),
            missing,
            label,
            levelLabels: z.optional(z.record(z.string().check(z.maxLength(64)), words)),
          }),
        ]),
      )
      .check(z.minLength(1), z.maxLength(256)),
    mustNotUse: z.array(z.object({ column: name, why: z.string().check(z.minLength(1), z.maxLength(500)) })).check(z.maxLength(256)),
    delimiter: z.optional(z.string().check(z.minLength(1), z.maxLength(1))),
  });
}

/** Checks a spec (parsed JSON); throws naming the field at fault. A feature on its own leak list is refused here too. */
export function parseSpec(value: unknown): ModelSpec {
  const parsed = schema().safeParse(value);
  if (!parsed.success) {
    throw new Error(`spec: ${firstProblem(parsed.error).message}`);
  }
  const spec = parsed.data as ModelSpec;
  const seen = new Set<string>();
  for (const f of spec.features) {
    if (seen.has(f.name)) throw new Error(`spec.features: "${f.name}" appears twice`);
    seen.add(f.name);
    if (f.name === spec.target.column) throw new Error(`spec.features: "${f.name}" is the target`);
  }
  return spec;
}

/**
 * Bank Marketing (UCI): the 15 inputs known before a call is made. `duration` (the call's length)
 * is known only after it, so it is on the leak list; `pdays` = -1 means "no earlier campaign".
 */
export function bankSpec(): ModelSpec {
  const w = (en: string, zh: string): Words => ({ en, 'zh-CN': zh });
  const cat = (name: string, label: Words, levels?: string[], levelLabels?: Record<string, Words>): CategoricalSpec => ({
    name, type: 'categorical', label, ...(levels ? { levels } : {}), ...(levelLabels ? { levelLabels: { unknown: w('not recorded', '未记录'), ...levelLabels } } : {}),
  });
  const yesNo = { no: w('no', '无'), yes: w('yes', '有') };
  const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return {
    target: { name: 'subscribed', column: 'y', positive: ['yes'] },
    delimiter: ';',
    features: [
      { name: 'age', type: 'numeric', label: w('Age', '年龄') },
      cat('job', w('Occupation', '职业'), undefined, {
        retired: w('retired', '退休'), student: w('student', '学生'), management: w('management', '管理岗位'), 'blue-collar': w('blue-collar', '蓝领'),
        technician: w('technician', '技术人员'), admin: w('administrative', '行政'), services: w('services', '服务业'), unemployed: w('unemployed', '待业'),
        entrepreneur: w('entrepreneur', '创业者'), housemaid: w('housekeeping', '家政'), 'self-employed': w('self-employed', '自雇'),
      }),
      cat('marital', w('Marital status', '婚姻状况'), undefined, { married: w('married', '已婚'), single: w('single', '单身'), divorced: w('divorced or widowed', '离异或丧偶') }),
      cat('education', w('Education', '教育程度'), undefined, { primary: w('primary', '小学'), secondary: w('secondary', '中学'), tertiary: w('tertiary', '高等教育') }),
      cat('default', w('Credit in default', '信用违约'), ['no', 'yes'], yesNo),
      { name: 'balance', type: 'numeric', transform: 'signed-log1p', label: w('Average yearly balance (EUR)', '年均余额（欧元）') },
      cat('housing', w('Housing loan', '住房贷款'), ['no', 'yes'], yesNo),
      cat('loan', w('Personal loan', '个人贷款'), ['no', 'yes'], yesNo),
      cat('contact', w('Contact channel', '联系方式'), undefined, { cellular: w('mobile phone', '手机'), telephone: w('landline', '固定电话') }),
      { name: 'day', type: 'numeric', label: w('Day of month of the last contact', '上次联系日') },
      cat('month', w('Month of the last contact', '上次联系月份'), months, Object.fromEntries(months.map((m, i) => [m, w(monthNames[i]!, `${i + 1} 月`)]))),
      { name: 'campaign', type: 'numeric', transform: 'log1p', label: w('Contacts in this campaign', '本次营销联系次数') },
      { name: 'pdays', type: 'numeric', transform: 'log1p', missing: ['-1'], label: w('Days since the previous campaign', '距上次营销天数') },
      { name: 'previous', type: 'numeric', transform: 'log1p', label: w('Contacts before this campaign', '此前联系次数') },
      cat('poutcome', w('Previous campaign', '上次营销结果'), undefined, {
        success: w('succeeded', '成功'), failure: w('did not succeed', '未成功'), other: w('other outcome', '其他'),
      }),
    ],
    mustNotUse: [
      { column: 'duration', why: 'the last call\'s duration is known only after the call is made; a model that decides whom to call cannot have it, and with it every model looks far better than it can be' },
    ],
  };
}

export function applyTransform(t: Transform | undefined, x: number): number {
  if (t === 'log1p') return Math.log1p(Math.max(0, x));
  if (t === 'signed-log1p') return Math.sign(x) * Math.log1p(Math.abs(x));
  return x;
}
