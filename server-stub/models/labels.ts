/**
 * Reasons in plain words. A reason names a term and the customer's value of it: with a locale and
 * the spec's words, "Previous campaign: succeeded" / "上次营销结果：成功"; without a locale (batch
 * files, for analysts), "poutcome is success". A feature or level without words is shown as its
 * name or cell text, so any model has reasons, and a spec can add words later without retraining.
 */
import type { AdditiveModel } from './additive';
import type { Words } from './spec';

export type Locale = keyof Words;

/** `value` is the cell text as the customer's record holds it. */
function part(model: AdditiveModel, j: number, value: string, locale: Locale): string {
  const f = model.spec.features[j]!;
  const name = f.label?.[locale] ?? f.name;
  const shown = (f.type === 'categorical' ? f.levelLabels?.[value]?.[locale] : undefined) ?? value;
  return locale === 'zh-CN' ? `${name}：${shown}` : `${name}: ${shown}`;
}

/**
 * The label of term `t` (a main term: its feature index; a pair: its index in `model.terms`) for a
 * row whose cells are `cell(j)`.
 */
export function termLabel(model: AdditiveModel, t: number, cell: (j: number) => string, locale?: Locale): string {
  const nf = model.spec.features.length;
  const term = model.terms[t]!;
  if (t < nf) return locale ? part(model, t, cell(t), locale) : `${model.spec.features[t]!.name} is ${cell(t)}`;
  if (term.kind !== 'pair') return String(t);
  const [a, b] = term.features.map((name) => model.spec.features.findIndex((f) => f.name === name)) as [number, number];
  if (!locale) return `${term.features[0]} is ${cell(a)} with ${term.features[1]} ${cell(b)}`;
  return `${part(model, a, cell(a), locale)}${locale === 'zh-CN' ? '，' : ', '}${part(model, b, cell(b), locale)}`;
}
