/**
 * templates/: campaign templates — the built-in gallery, apps' own templates, and turning one into
 * drafts — under the admin API:
 *
 * | route                                               | who           | answer                                        |
 * | --------------------------------------------------- | ------------- | --------------------------------------------- |
 * | GET  /admin/v1/templates[?app=]                     | signed in     | 200 { items: TemplateSummary[] } (+ the app's own) |
 * | GET  /admin/v1/templates/:id[?app=]                 | signed in     | 200 Template                                  |
 * | POST /admin/v1/apps/:app/templates/:id/preview      | viewer on app | 200 TemplatePreview                           |
 * | POST /admin/v1/apps/:app/templates/:id/drafts       | editor on app | 201 { drafts: [{ collection, id }], template }|
 * | GET  /admin/v1/apps/:app/templates                  | viewer on app | 200 { items: Template[] } (its own, newest)   |
 * | POST /admin/v1/apps/:app/templates                  | editor on app | 201 Template (a new version when the id exists)|
 *
 * Instantiating writes ordinary drafts, checked as drafts.ts checks a save (the contract's schema,
 * then the whole draft rule set): they are previewed, approved and published by the releases API.
 * An id that exists already is a 409 at `params.id`; a bad parameter a 400 at `params.<name>`.
 */
import type { Context, Hono } from 'hono';
import { HttpError } from '../wire/errors';
import { audit, body, onApp, origin, who, type AdminContext } from '../admin/context';
import { allowed } from '../admin/auth';
import { canonical, draftRules, liveRules, ruleId } from '../admin/rules';
import type { CatalogItem, Collection, RuleEntity } from '../../sdk/contract-admin';
import { templateSchemas, type Template, type TemplateSummary } from '../../sdk/contract-templates';
import { BUILTIN_TEMPLATES } from './builtin';
import { instantiate, type Draft } from './instantiate';
import { sourceOf } from './fill';
import { previewDrafts } from './preview';
import { saveOwnTemplate } from './own';
import type { TemplateStore } from './store';

export interface TemplateDeps {
  store: TemplateStore;
  /** the catalog the engine serves: a template's item may come from it when the app's rules lack it */
  catalog: () => readonly CatalogItem[];
}

const summary = (t: Template): TemplateSummary => ({ id: t.id, family: t.family, version: t.version, name: t.name, description: t.description, params: t.params, owner: t.owner ?? 'builtin' });

export function mountTemplates(api: Hono, ctx: AdminContext, deps: TemplateDeps): void {
  const { store } = ctx;
  let catalogIndex: Map<string, CatalogItem> | undefined;
  const catalog = () => (catalogIndex ??= new Map(deps.catalog().map((i) => [i.id, i])));

  /** `?app=` when the caller may see that app; its own templates join the built-ins */
  const appOf = async (c: Context): Promise<string | undefined> => {
    const p = await who(ctx, c);
    const app = c.req.query('app');
    if (app === undefined) return undefined;
    if (!allowed(p.user, 'viewer', app)) throw new HttpError(403, 'forbidden', `${p.user.username} may not see app ${app}`, { path: 'app' });
    return app;
  };

  const find = async (app: string | undefined, id: string): Promise<Template> => {
    const t = (app && (await deps.store.get(app, id))) || BUILTIN_TEMPLATES.find((x) => x.id === id);
    if (!t) throw new HttpError(404, 'not_found', `no template ${id}${app ? ` for app ${app}` : ''}`, { path: 'id' });
    return t;
  };

  /** an item of the app's draft rules, else of the catalog */
  const itemsOf = async (app: string) => {
    const own = new Map((await draftRules(store, app)).items.map((i) => [i.id, i]));
    return (id: string) => {
      const mine = own.get(id);
      if (mine) return { item: mine, inRules: true };
      const theirs = catalog().get(id);
      return theirs && { item: theirs, inRules: false };
    };
  };

  const drafts = async (c: Context, app: string, item?: Awaited<ReturnType<typeof itemsOf>>): Promise<{ made: Draft[]; given: Record<string, unknown> }> => {
    const input = await body(ctx, c, templateSchemas().instantiate);
    const t = await find(app, c.req.param('id')!);
    const given = input.params ?? {};
    const made = instantiate({
      template: t,
      given,
      now: ctx.now(),
      checks: ctx.checks,
      item: item ?? (await itemsOf(app)),
    });
    return { made, given };
  };

  api.get('/templates', async (c) => {
    const app = await appOf(c);
    const mine = app ? await deps.store.list(app) : [];
    return c.json({ items: [...BUILTIN_TEMPLATES, ...mine].map(summary) });
  });

  api.get('/templates/:id', async (c) => c.json(await find(await appOf(c), c.req.param('id')!)));

  api.post('/apps/:app/templates/:id/preview', async (c) => {
    const { app } = await onApp(ctx, c, 'viewer');
    const item = await itemsOf(app.id);
    return c.json(previewDrafts((await drafts(c, app.id, item)).made, ctx.now(), (id) => item(id)?.item.title));
  });

  api.post('/apps/:app/templates/:id/drafts', async (c) => {
    const { p, app } = await onApp(ctx, c, 'editor');
    const { made, given } = await drafts(c, app.id);
    const t = await find(app.id, c.req.param('id')!);
    const answer = await store.atomic(async () => {
      const rules = await draftRules(store, app.id, await liveRules(store, app.id));
      const key = (x: { code: string; path: string }) => `${x.code} ${x.path}`;
      const known = new Set(ctx.checks.check(rules).map(key));
      const at = new Map<string, Draft>();
      for (const d of made) {
        const list = rules[d.collection] as unknown as RuleEntity[];
        const id = ruleId(d.collection, d.value);
        const same = list.find((r) => ruleId(d.collection, r) === id);
        if (same) {
          // an item, or a tag an own template shares with the campaign it came from, is used as it is
          if (d.collection === 'items' || (d.collection === 'tags' && canonical(same) === canonical(d.value))) continue;
          throw new HttpError(409, 'exists', `params.id: ${d.collection} ${id} exists in app ${app.id}; choose another id`, { path: 'params.id' });
        }
        at.set(`${d.collection}.${list.length}`, d);
        list.push(d.value);
      }
      const problem = ctx.checks.check(rules).find((x) => !known.has(key(x)));
      if (problem) {
        // `campaigns.7.traits.0.max` → the draft at campaigns.7, its field traits.0.max
        const [k, i, ...rest] = problem.path.split('.');
        const d = at.get(`${k}.${i}`);
        const name = d?.sources && sourceOf(d.sources, rest.join('.'));
        throw new HttpError(400, problem.code, problem.message, { path: name ? `params.${name}` : problem.path });
      }
      const out: { collection: Collection; id: string }[] = [];
      for (const d of at.values()) {
        const id = ruleId(d.collection, d.value);
        await store.putDraft({ app: app.id, kind: d.collection, id, body: JSON.stringify(d.value), updatedAt: ctx.now(), updatedBy: p.user.username });
        out.push({ collection: d.collection, id });
      }
      await audit(ctx, origin(c), p.user.username, { app: app.id, action: 'template.instantiate', target: `template/${t.id}@${t.version}`, diff: { params: given, drafts: out } });
      return { drafts: out, template: { id: t.id, version: t.version } };
    });
    return c.json(answer, 201);
  });

  api.get('/apps/:app/templates', async (c) => {
    const { app } = await onApp(ctx, c, 'viewer');
    return c.json({ items: await deps.store.list(app.id) });
  });

  api.post('/apps/:app/templates', async (c) => {
    const { p, app } = await onApp(ctx, c, 'editor');
    const input = await body(ctx, c, templateSchemas().saveTemplate);
    if (BUILTIN_TEMPLATES.some((t) => t.id === input.id)) throw new HttpError(409, 'exists', `id: ${input.id} is a built-in template; choose another id`, { path: 'id' });
    const saved = await store.atomic(async () => {
      // read inside the transaction: two saves of one id cut consecutive versions, never the same one
      const t = saveOwnTemplate({ input, app: app.id, rules: await draftRules(store, app.id), previous: await deps.store.get(app.id, input.id), checks: ctx.checks });
      await deps.store.add(app.id, t, ctx.now(), p.user.username);
      await audit(ctx, origin(c), p.user.username, { app: app.id, action: 'template.save', target: `template/${t.id}@${t.version}`, diff: { campaign: input.campaign, params: t.params.map((x) => x.name) } });
      return t;
    });
    return c.json(saved, 201);
  });
}
