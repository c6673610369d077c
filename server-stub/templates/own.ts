/**
 * An app's own template, saved from one of its campaigns: each parameter the author chose replaces
 * the campaign's value at its path with a placeholder, that value becoming the default. The tags
 * the campaign aims at travel with it as they are. Saving an id again makes the next version.
 */
import type { RuleChecks } from '../admin/rules';
import type { RuleSet } from '../../sdk/contract-admin';
import { paramProblem, templateSchemas, type SaveTemplateRequest, type Template, type TemplateParam } from '../../sdk/contract-templates';
import { firstProblem } from '../../sdk/contract';
import { HttpError } from '../wire/errors';

type Json = Record<string, unknown> | unknown[];

export interface SaveOptions {
  input: SaveTemplateRequest;
  app: string;
  /** the app's draft rule set: the campaign may be a draft */
  rules: RuleSet;
  previous: Template | undefined;
  checks: RuleChecks;
}

/** The parent of `path` in `root` and the key there, or undefined when the path leads nowhere. */
function locate(root: unknown, path: string): { parent: Json; key: string | number } | undefined {
  const keys = path.split('.');
  let at: unknown = root;
  for (let i = 0; i < keys.length - 1; i++) {
    if (!at || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[keys[i]!];
  }
  const last = keys[keys.length - 1]!;
  if (!at || typeof at !== 'object') return undefined;
  const key = Array.isArray(at) ? Number(last) : last;
  return (at as Record<string | number, unknown>)[key] === undefined ? undefined : { parent: at as Json, key };
}

export function saveOwnTemplate(o: SaveOptions): Template {
  const { input } = o;
  const campaign = o.rules.campaigns.find((c) => c.id === input.campaign);
  if (!campaign) throw new HttpError(404, 'not_found', `campaign: no campaign ${input.campaign} in app ${o.app}`, { path: 'campaign' });
  const shape = structuredClone(campaign) as Record<string, unknown>;
  delete shape.template;
  const params: TemplateParam[] = [];
  const names = new Set<string>();
  input.params.forEach((p, i) => {
    if (names.has(p.name)) throw new HttpError(400, 'duplicate_param', `params.${i}.name: "${p.name}" is named twice`, { path: `params.${i}.name` });
    names.add(p.name);
    const hit = locate(shape, p.path);
    if (!hit) throw new HttpError(400, 'invalid_path', `params.${i}.path: campaign ${campaign.id} has no value at "${p.path}"`, { path: `params.${i}.path` });
    const value = (hit.parent as Record<string | number, unknown>)[hit.key];
    const param = { name: p.name, type: p.type, default: value, label: p.label, ...(p.help ? { help: p.help } : {}) } as TemplateParam;
    const why = paramProblem(param, value);
    if (why) throw new HttpError(400, 'invalid_param', `params.${i}.path: the value at "${p.path}" is no ${p.type}: ${why}`, { path: `params.${i}.path` });
    (hit.parent as Record<string | number, unknown>)[hit.key] = `{{${p.name}}}`;
    params.push(param);
  });
  // each use makes a new campaign: its id is always a parameter
  if (shape.id === campaign.id) {
    if (names.has('id')) throw new HttpError(400, 'duplicate_param', 'params: "id" names the campaign id; give it the path "id"', { path: 'params' });
    params.unshift({ name: 'id', type: 'id', default: `${campaign.id}_2`, label: { 'zh-CN': '活动编号', en: 'Campaign id' } });
    shape.id = '{{id}}';
  }
  shape.template = '{{$template}}';
  const wanted = new Set((campaign.tags ?? []).map((t) => t.name));
  const tags = o.rules.tags.filter((t) => wanted.has(t.name)) as unknown as Record<string, unknown>[];
  const template = {
    id: input.id,
    family: input.family,
    version: (o.previous?.version ?? 0) + 1,
    name: input.name,
    description: input.description,
    params,
    drafts: { campaign: shape, ...(tags.length ? { tags } : {}) },
    owner: o.app,
  };
  const r = templateSchemas().template.safeParse(template);
  if (!r.success) {
    const problem = firstProblem(r.error);
    throw new HttpError(400, problem.code, problem.message, { path: problem.path });
  }
  return r.data as Template;
}
