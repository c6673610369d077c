/**
 * Drafts of an app's rules, and what they would do:
 *
 * | route                                        | who            | answer                                  |
 * | -------------------------------------------- | -------------- | --------------------------------------- |
 * | GET    /admin/v1/apps/:app/:kind             | viewer on app  | 200 { items: DraftEntry[] }             |
 * | GET    /admin/v1/apps/:app/:kind/:id         | viewer on app  | 200 DraftEntry, ETag "rev"              |
 * | POST   /admin/v1/apps/:app/:kind             | editor on app  | 201 DraftEntry (409 if the id exists)   |
 * | PUT    /admin/v1/apps/:app/:kind/:id         | editor on app  | 200 DraftEntry; If-Match: "rev"         |
 * | DELETE /admin/v1/apps/:app/:kind/:id         | editor on app  | 204; If-Match: "rev"                    |
 * | GET    /admin/v1/apps/:app/drafts            | viewer on app  | 200 { items: Change[] } (vs live)       |
 * | POST   /admin/v1/apps/:app/drafts/discard    | editor on app  | 200 { discarded } (all drafts dropped)  |
 * | POST   /admin/v1/apps/:app/preview           | viewer on app  | 200 the preview (drafts applied)        |
 * | POST   /admin/v1/apps/:app/triggers/dry-run  | viewer on app  | 200 the dry run (drafts applied)        |
 *
 * `:kind` is campaigns, tags, triggers, slots or items. Every save checks the rule against the
 * contract's schema and the whole draft rule set with it applied; a problem is a 400 whose path is
 * relative to the body. PUT and DELETE need the entry's `rev` as `If-Match` (428 without, 409 when
 * it is stale): two people editing one campaign never silently overwrite each other.
 */
import type { Context, Hono } from 'hono';
import { HttpError } from '../wire/errors';
import { audit, onApp, origin, rawBody, type AdminContext } from './context';
import { canonical, diffRules, draftRules, entries, liveRules, problemFor, ruleId } from './rules';
import { COLLECTIONS, type DraftEntry, type RuleEntity, type Collection } from '../../sdk/contract-admin';

/** the field that holds a rule's id: a tag rule's `name`, everything else's `id` */
const idField = (kind: Collection) => (kind === 'tags' ? 'name' : 'id');

export function mountDrafts(api: Hono, ctx: AdminContext): void {
  const { store } = ctx;

  api.get('/apps/:app/drafts', async (c) => {
    const { app } = await onApp(ctx, c, 'viewer');
    const live = await liveRules(store, app.id);
    return c.json({ items: diffRules(live, await draftRules(store, app.id, live)) });
  });

  api.post('/apps/:app/drafts/discard', async (c) => {
    const { p, app } = await onApp(ctx, c, 'editor');
    const discarded = await store.atomic(async () => {
      const rows = await store.drafts(app.id);
      for (const d of rows) await store.deleteDraft(app.id, d.kind, d.id);
      if (rows.length) await audit(ctx, origin(c), p.user.username, { app: app.id, action: 'draft.discard', target: '*', diff: rows.map((d) => ({ kind: d.kind, id: d.id })) });
      return rows.length;
    });
    return c.json({ discarded });
  });

  api.post('/apps/:app/preview', async (c) => {
    const { app } = await onApp(ctx, c, 'viewer');
    if (!ctx.publisher.preview) throw new HttpError(501, 'not_implemented', 'this server has no preview');
    const sample = await rawBody(ctx, c);
    return c.json(await ctx.publisher.preview(app.id, await draftRules(store, app.id), sample));
  });

  api.post('/apps/:app/triggers/dry-run', async (c) => {
    const { app } = await onApp(ctx, c, 'viewer');
    if (!ctx.publisher.dryRunTriggers) throw new HttpError(501, 'not_implemented', 'this server has no trigger dry-run');
    const events = await rawBody(ctx, c);
    return c.json(await ctx.publisher.dryRunTriggers(app.id, await draftRules(store, app.id), events));
  });

  for (const kind of COLLECTIONS) {
    const base = `/apps/:app/${kind}`;
    api.get(base, async (c) => c.json({ items: await entries(store, (await onApp(ctx, c, 'viewer')).app.id, kind) }));

    api.get(`${base}/:id`, async (c) => {
      const { app } = await onApp(ctx, c, 'viewer');
      const e = await find(app.id, kind, c.req.param('id')!);
      c.header('etag', `"${e.rev}"`);
      return c.json(e);
    });

    api.post(base, async (c) => {
      const { p, app } = await onApp(ctx, c, 'editor');
      const rule = parse(kind, await rawBody(ctx, c));
      const id = ruleId(kind, rule);
      const saved = await store.atomic(async () => {
        const current = (await entries(store, app.id, kind)).find((e) => e.id === id);
        if (current) {
          const hint = current.status === 'deleted' ? 'its deletion is pending; PUT it to keep it' : 'PUT it to change it';
          throw new HttpError(409, 'exists', `${kind} ${id} exists (${current.status}); ${hint}`, { path: idField(kind) });
        }
        return save(c, p.user.username, app.id, kind, id, rule, 'draft.create');
      });
      c.header('etag', `"${saved.rev}"`);
      return c.json(saved, 201);
    });

    api.put(`${base}/:id`, async (c) => {
      const { p, app } = await onApp(ctx, c, 'editor');
      const id = c.req.param('id')!;
      const json = await rawBody(ctx, c);
      const field = idField(kind);
      const withId = json && typeof json === 'object' && !Array.isArray(json) && !(field in json) ? { ...json, [field]: id } : json;
      const rule = parse(kind, withId);
      if (ruleId(kind, rule) !== id) throw new HttpError(400, 'invalid_field', `${field}: must be ${id}, the id in the URL`, { path: field });
      const saved = await store.atomic(async () => {
        matches(c, await find(app.id, kind, id));
        return save(c, p.user.username, app.id, kind, id, rule, 'draft.update');
      });
      c.header('etag', `"${saved.rev}"`);
      return c.json(saved);
    });

    api.delete(`${base}/:id`, async (c) => {
      const { p, app } = await onApp(ctx, c, 'editor');
      const id = c.req.param('id')!;
      await store.atomic(async () => {
        const current = await find(app.id, kind, id);
        matches(c, current);
        if (current.status === 'deleted') throw new HttpError(409, 'deleted', `${kind} ${id} is already pending deletion`, { path: 'id' });
        await save(c, p.user.username, app.id, kind, id, undefined, 'draft.delete');
      });
      return c.body(null, 204);
    });
  }

  async function find(app: string, kind: Collection, id: string): Promise<DraftEntry> {
    const e = (await entries(store, app, kind)).find((x) => x.id === id);
    if (!e) throw new HttpError(404, 'not_found', `no ${kind} ${id} in app ${app}`, { path: 'id' });
    return e;
  }

  function matches(c: Context, current: DraftEntry): void {
    const header = c.req.header('if-match');
    if (header === undefined) throw new HttpError(428, 'precondition_required', `send the entry's rev as If-Match: "${'rev'}" (from GET); it guards against overwriting someone else's edit`, { path: 'if-match' });
    const revs = header.split(',').map((s) => s.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'));
    if (!revs.includes(current.rev) && !revs.includes('*')) {
      throw new HttpError(409, 'stale', `${current.id} changed since you read it (now rev ${current.rev}, ${current.status}); reload and edit again`, { path: 'if-match' });
    }
  }

  function parse(kind: Collection, value: unknown): RuleEntity {
    const r = ctx.checks.parse(kind, value);
    if (!r.ok) throw new HttpError(400, r.problem.code, r.problem.message, { path: r.problem.path });
    return r.value;
  }

  /**
   * Writes `rule` (undefined: a deletion) as the pending draft of `kind`/`id` after checking the
   * whole draft rule set with it applied; a draft equal to the live rule is no draft at all.
   * Runs inside the caller's transaction, with the audit entry.
   */
  async function save(c: Context, actor: string, app: string, kind: Collection, id: string, rule: RuleEntity | undefined, action: string): Promise<DraftEntry> {
    const live = await liveRules(store, app);
    const rules = await draftRules(store, app, live);
    // problems the drafts already had (a rule set from before a check existed) do not block
    // an unrelated save; only the ones this change brings do
    const key = (x: { code: string; path: string }) => `${x.code} ${x.path}`;
    const known = new Set(ctx.checks.check(rules).map((x) => key(problemFor(x, rules, kind, id))));
    const list = rules[kind] as unknown as RuleEntity[];
    const at = list.findIndex((r) => ruleId(kind, r) === id);
    const before = at >= 0 ? list[at] : undefined;
    if (rule === undefined) list.splice(at, 1);
    else if (at >= 0) list[at] = rule;
    else list.push(rule);
    const named = ctx.checks.check(rules).map((x) => problemFor(x, rules, kind, id)).find((x) => !known.has(key(x)));
    if (named) throw new HttpError(400, named.code, named.message, { path: named.path });
    const liveRule = (live[kind] as unknown as RuleEntity[]).find((r) => ruleId(kind, r) === id);
    const same = rule === undefined ? liveRule === undefined : liveRule !== undefined && canonical(liveRule) === canonical(rule);
    if (same) await store.deleteDraft(app, kind, id);
    else await store.putDraft({ app, kind, id, body: rule === undefined ? null : JSON.stringify(rule), updatedAt: ctx.now(), updatedBy: actor });
    await audit(ctx, origin(c), actor, { app, action, target: `${kind}/${id}`, diff: { kind, id, before: before ?? null, after: rule ?? null } });
    return (await entries(store, app, kind, live)).find((e) => e.id === id) ?? { id, status: 'deleted', rev: '', value: before! };
  }
}
