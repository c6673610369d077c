/**
 * Releases: the drafts published as version N of an app's rules, all or nothing.
 *
 * | route                                          | who               | answer                          |
 * | ---------------------------------------------- | ----------------- | ------------------------------- |
 * | GET  /admin/v1/apps/:app/releases              | viewer on app     | 200 { items: Release[], next }  |
 * | GET  /admin/v1/apps/:app/releases/:v           | viewer on app     | 200 Release with its rules      |
 * | GET  /admin/v1/apps/:app/releases/:v/diff      | viewer on app     | 200 { from, to, items: Change[] } (?against=k, default its base) |
 * | POST /admin/v1/apps/:app/releases              | publisher (four-eyes: editor) | 201 Release: live, scheduled or pending |
 * | POST /admin/v1/apps/:app/releases/:v/approve   | another publisher | 200 Release: live or scheduled  |
 * | POST /admin/v1/apps/:app/releases/:v/reject    | publisher         | 200 Release: rejected/cancelled |
 * | POST /admin/v1/apps/:app/releases/:v/rollback  | publisher         | 201 Release N+1 with v's rules  |
 *
 * Versions only grow. A rollback to k is a new version whose rules equal k's (`rollbackOf: k`), not
 * a move of the live pointer back to k: devices and caches compare versions (a config's ETag, a
 * decide answer's `release`), so "live went from 7 to 3" would look older than what they hold; and
 * the history stays a plain append-only list that says when k's rules came back and who did it.
 *
 * A release is made against the live version at that moment (`base`). It may go live only while
 * `base` is still live: approving a release made before someone else published is a 409, and a
 * scheduled one whose base moved is cancelled at its time rather than undo the newer release.
 */
import type { Context, Hono } from 'hono';
import { HttpError } from '../wire/errors';
import { demand } from './auth';
import { audit, body, intParam, iso, onApp, origin, type AdminContext, type Origin } from './context';
import { canonical, diffRules, draftRules, emptyRuleSet, liveRules, ruleId } from './rules';
import type { DraftRow, ReleaseRow } from './store';
import { adminRequests, COLLECTIONS, type ReleaseAnswer, type RuleEntity, type Collection, type RuleSet } from '../../sdk/contract-admin';

export function releaseAnswer(r: ReleaseRow, withRules = false): ReleaseAnswer {
  const counts = Object.fromEntries(COLLECTIONS.map((k) => [k, r.rules[k]?.length ?? 0])) as Record<Collection, number>;
  return {
    version: r.version,
    status: r.status,
    base: r.base,
    note: r.note,
    createdBy: r.createdBy,
    createdAt: iso(r.createdAt)!,
    ...(r.approvedBy ? { approvedBy: r.approvedBy, approvedAt: iso(r.approvedAt) } : {}),
    ...(r.goLiveAt !== null ? { goLiveAt: iso(r.goLiveAt) } : {}),
    ...(r.liveAt !== null ? { liveAt: iso(r.liveAt) } : {}),
    ...(r.rollbackOf !== null ? { rollbackOf: r.rollbackOf } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    counts,
    ...(withRules ? { rules: r.rules } : {}),
  };
}

export interface Releases {
  /** makes scheduled releases whose time has come live (or cancels them); returns how many it handled */
  runDue(): Promise<number>;
  /** agrees with the publisher on each app's live release, then arms the scheduler */
  start(): Promise<void>;
  /** another instance scheduled or handled a release: read the schedule again */
  rearm(): void;
  close(): void;
}

const SYSTEM: Origin = { ip: '', userAgent: 'slotwise scheduler' };
/** Longest sleep of the scheduler: a clock that jumps is noticed within this. */
const MAX_SLEEP_MS = 60_000;

export function mountReleases(api: Hono, ctx: AdminContext): Releases {
  const { store } = ctx;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  /** Above every version of this app on either side: numbers are never reused. */
  const nextVersion = async (app: string) => Math.max(await store.nextVersion(app), ((await ctx.publisher.latest?.(app)) ?? 0) + 1);

  /**
   * In one transaction: `release` (inserted or updated) becomes the live one, the previous live
   * one superseded, the app's pointer moved, the drafts it publishes dropped, the audit written.
   * Then the publisher makes it live on the engine. Should the publisher refuse, a second
   * transaction undoes the first (the release is `failed`, the previous one live again, the
   * dropped drafts back) and the caller gets the publisher's error: never half a release.
   */
  async function goLive(release: ReleaseRow, insert: boolean, actor: string, from: Origin, action: string): Promise<ReleaseRow> {
    const now = ctx.now();
    const live = { ...release, status: 'live' as const, liveAt: now };
    const { previous, dropped } = await store.atomic(async () => {
      const app = (await store.app(release.app))!;
      // what was checked before this transaction may have changed since (another request, another
      // instance): the release goes live only once, and only from the state it was made for
      const stored = await store.release(release.app, release.version);
      if (insert ? stored !== undefined : stored?.status !== release.status) {
        throw new HttpError(409, 'not_pending', `release ${release.version} is ${stored?.status ?? 'gone'} now (handled by another request)`, { path: 'version' });
      }
      if (app.live !== release.base) {
        throw new HttpError(409, 'stale_release', `release ${release.version} was made against release ${release.base ?? 'none'}, but ${app.live} is live now; publish the drafts again`, { path: 'version' });
      }
      if (insert) await store.insertRelease(live);
      else await store.updateRelease(release.app, release.version, { status: 'live', liveAt: now, approvedBy: release.approvedBy, approvedAt: release.approvedAt });
      ctx.fault?.('publish:release-written');
      if (app.live !== null) await store.updateRelease(release.app, app.live, { status: 'superseded' });
      await store.updateApp(release.app, { live: release.version });
      const dropped = await consumeDrafts(release.app, release.rules);
      const before = app.live === null ? emptyRuleSet() : (await store.release(release.app, app.live))!.rules;
      await audit(ctx, from, actor, { app: release.app, action, target: `release/${release.version}`, diff: diffRules(before, release.rules) });
      ctx.fault?.('publish:before-commit');
      return { previous: app.live, dropped };
    });
    try {
      ctx.fault?.('publish:activate');
      await ctx.publisher.activate(release.app, { version: live.version, publishedAt: now, rules: live.rules });
    } catch (error) {
      await store.atomic(async () => {
        const reason = `the engine refused it: ${(error as Error).message}`;
        await store.updateRelease(release.app, release.version, { status: 'failed', reason });
        if (previous !== null) await store.updateRelease(release.app, previous, { status: 'live' });
        await store.updateApp(release.app, { live: previous });
        for (const d of dropped) if (!await store.draft(d.app, d.kind, d.id)) await store.putDraft(d);
        await audit(ctx, SYSTEM, 'system', { app: release.app, action: 'release.fail', target: `release/${release.version}`, diff: { reason, live: previous } });
      });
      // the live side may have stored the release before its engine refused it: put the previous back there too
      const back = previous === null ? undefined : await store.release(release.app, previous);
      if (back) {
        await (async () => ctx.publisher.activate(release.app, { version: back.version, publishedAt: back.liveAt ?? back.createdAt, rules: back.rules }))().catch((e: Error) =>
          ctx.log(`admin: putting release ${back.version} of ${release.app} back live failed: ${e.message}`),
        );
      }
      throw error;
    }
    return live;
  }

  /**
   * Drops each draft the live rules now equal (edits made after a release was cut stay drafts);
   * returns them, for an undo.
   */
  async function consumeDrafts(app: string, rules: RuleSet): Promise<DraftRow[]> {
    const dropped: DraftRow[] = [];
    for (const d of await store.drafts(app)) {
      const rule = ((rules[d.kind] ?? []) as unknown as RuleEntity[]).find((r) => ruleId(d.kind, r) === d.id);
      const done = d.body === null ? rule === undefined : rule !== undefined && canonical(JSON.parse(d.body)) === canonical(rule);
      if (done) {
        await store.deleteDraft(app, d.kind, d.id);
        dropped.push(d);
      }
    }
    return dropped;
  }

  /**
   * At start, the two sides agree on each app's live release, the higher version winning: a
   * release the live side has and the admin side does not (the demo app's seed; one published
   * there) is recorded here as live; one the admin side committed but the engine never took
   * (a crash between the two) is activated again.
   */
  async function reconcile(): Promise<void> {
    const theirs = new Map((ctx.publisher.lives?.() ?? []).map((l) => [l.app, l.release]));
    for (const [app, release] of theirs) {
      const mine = await store.app(app);
      if (mine && mine.live !== null && mine.live >= release.version) continue;
      await store.atomic(async () => {
        if (!await store.app(app)) await store.insertApp({ id: app, name: app, fourEyes: false, createdAt: ctx.now() });
        const current = (await store.app(app))!.live;
        if (current !== null) await store.updateRelease(app, current, { status: 'superseded' });
        if (!await store.release(app, release.version)) {
          await store.insertRelease({
            app, version: release.version, status: 'live', base: current, rules: release.rules, note: 'made live outside the admin API (seed or rules registry)',
            createdBy: 'system', createdAt: release.publishedAt, approvedBy: null, approvedAt: null, goLiveAt: null, liveAt: release.publishedAt, rollbackOf: null, reason: null,
          });
        } else await store.updateRelease(app, release.version, { status: 'live' });
        await store.updateApp(app, { live: release.version });
        await audit(ctx, SYSTEM, 'system', { app, action: 'release.import', target: `release/${release.version}` });
      });
    }
    for (const app of await store.apps()) {
      const r = app.live === null ? undefined : await store.release(app.id, app.live);
      if (!r || theirs.get(app.id)?.version === r.version) continue;
      try {
        await ctx.publisher.activate(app.id, { version: r.version, publishedAt: r.liveAt ?? r.createdAt, rules: r.rules });
      } catch (error) {
        ctx.log(`admin: release ${r.version} of ${app.id} is live in the admin store but the engine refused it: ${(error as Error).message}`);
      }
    }
  }

  const getRelease = async (c: Context, app: string): Promise<ReleaseRow> => {
    const v = Number(c.req.param('version'));
    const r = Number.isSafeInteger(v) && v > 0 ? await store.release(app, v) : undefined;
    if (!r) throw new HttpError(404, 'not_found', `no release ${c.req.param('version')} of app ${app}`, { path: 'version' });
    return r;
  };

  const future = (goLiveAt: string | undefined): number | null => {
    if (goLiveAt === undefined) return null;
    const at = Date.parse(goLiveAt);
    return at > ctx.now() ? at : null;
  };

  api.get('/apps/:app/releases', async (c) => {
    const { app } = await onApp(ctx, c, 'viewer');
    const limit = intParam(c, 'limit', 50, 1, 500)!;
    const before = intParam(c, 'before', undefined, 1, Number.MAX_SAFE_INTEGER);
    const rows = await store.releases(app.id, { before, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return c.json({ items: page.map((r) => releaseAnswer(r)), next: rows.length > limit ? page[page.length - 1]!.version : null });
  });

  api.get('/apps/:app/releases/:version', async (c) => {
    const { app } = await onApp(ctx, c, 'viewer');
    return c.json(releaseAnswer(await getRelease(c, app.id), true));
  });

  api.get('/apps/:app/releases/:version/diff', async (c) => {
    const { app } = await onApp(ctx, c, 'viewer');
    const to = await getRelease(c, app.id);
    const against = intParam(c, 'against', to.base ?? undefined, 1, Number.MAX_SAFE_INTEGER);
    const from = against === undefined ? undefined : await store.release(app.id, against);
    if (against !== undefined && !from) throw new HttpError(404, 'not_found', `no release ${against} of app ${app.id}`, { path: 'against' });
    return c.json({ from: from?.version ?? null, to: to.version, items: diffRules(from?.rules ?? emptyRuleSet(), to.rules) });
  });

  api.post('/apps/:app/releases', async (c) => {
    const { p, app } = await onApp(ctx, c, 'editor');
    if (!app.fourEyes) demand(p, 'publisher', app.id);
    const input = await body(ctx, c, adminRequests().publish);
    const from = origin(c);
    const goLiveAt = future(input.goLiveAt);
    const { release, pending } = await store.atomic(async () => {
      const live = await liveRules(store, app.id);
      const rules = await draftRules(store, app.id, live);
      if (diffRules(live, rules).length === 0) throw new HttpError(409, 'no_changes', 'there are no drafts to publish');
      const problem = ctx.checks.check(rules)[0];
      if (problem) throw new HttpError(400, problem.code, `the drafts do not make a valid rule set: ${problem.message}`, { path: problem.path });
      const status = app.fourEyes ? 'pending' : goLiveAt !== null ? 'scheduled' : 'live';
      const release: ReleaseRow = {
        app: app.id,
        version: await nextVersion(app.id),
        status,
        base: (await store.app(app.id))!.live,
        rules,
        note: input.note ?? '',
        createdBy: p.user.username,
        createdAt: ctx.now(),
        approvedBy: null,
        approvedAt: null,
        goLiveAt,
        liveAt: null,
        rollbackOf: null,
        reason: null,
      };
      if (status !== 'live') {
        await store.insertRelease(release);
        const action = status === 'pending' ? 'release.submit' : 'release.schedule';
        await audit(ctx, from, p.user.username, { app: app.id, action, target: `release/${release.version}`, diff: diffRules(live, rules) });
      }
      return { release, pending: status !== 'live' };
    });
    if (pending) {
      arm();
      ctx.changed?.('releases');
      return c.json(releaseAnswer(release), 201);
    }
    return c.json(releaseAnswer(await goLive(release, true, p.user.username, from, 'release.publish')), 201);
  });

  api.post('/apps/:app/releases/:version/approve', async (c) => {
    const { p, app } = await onApp(ctx, c, 'publisher');
    const from = origin(c);
    const release = await store.atomic(async () => {
      const r = await getRelease(c, app.id);
      if (r.status !== 'pending') throw new HttpError(409, 'not_pending', `release ${r.version} is ${r.status}, not pending`, { path: 'version' });
      if (r.createdBy === p.user.username) throw new HttpError(403, 'four_eyes', `release ${r.version} was submitted by you; another publisher must approve it`);
      await checkBase(r);
      const approved = { ...r, approvedBy: p.user.username, approvedAt: ctx.now() };
      if (future(iso(r.goLiveAt)) !== null) {
        await store.updateRelease(app.id, r.version, { status: 'scheduled', approvedBy: approved.approvedBy, approvedAt: approved.approvedAt });
        await audit(ctx, from, p.user.username, { app: app.id, action: 'release.approve', target: `release/${r.version}`, diff: { scheduledFor: iso(r.goLiveAt) } });
        return { ...approved, status: 'scheduled' as const };
      }
      return approved;
    });
    if (release.status === 'scheduled') {
      arm();
      ctx.changed?.('releases');
      return c.json(releaseAnswer(release));
    }
    return c.json(releaseAnswer(await goLive(release, false, p.user.username, from, 'release.approve')));
  });

  api.post('/apps/:app/releases/:version/reject', async (c) => {
    const { p, app } = await onApp(ctx, c, 'publisher');
    const input = await body(ctx, c, adminRequests().reject);
    const answer = await store.atomic(async () => {
      const r = await getRelease(c, app.id);
      if (r.status !== 'pending' && r.status !== 'scheduled') throw new HttpError(409, 'not_pending', `release ${r.version} is ${r.status}; only pending or scheduled releases can be rejected`, { path: 'version' });
      const status = r.status === 'pending' ? ('rejected' as const) : ('cancelled' as const);
      const reason = input.reason ?? '';
      await store.updateRelease(app.id, r.version, { status, reason });
      await audit(ctx, origin(c), p.user.username, { app: app.id, action: `release.${status === 'rejected' ? 'reject' : 'cancel'}`, target: `release/${r.version}`, diff: { reason } });
      return { ...r, status, reason };
    });
    return c.json(releaseAnswer(answer));
  });

  api.post('/apps/:app/releases/:version/rollback', async (c) => {
    const { p, app } = await onApp(ctx, c, 'publisher');
    const input = await body(ctx, c, adminRequests().rollback);
    const target = await getRelease(c, app.id);
    if (target.liveAt === null) throw new HttpError(409, 'never_live', `release ${target.version} was never live; roll back to one that was`, { path: 'version' });
    if (target.version === app.live) throw new HttpError(409, 'already_live', `release ${target.version} is live`, { path: 'version' });
    const release: ReleaseRow = {
      ...target,
      version: await nextVersion(app.id),
      status: 'live',
      base: app.live,
      note: input.note ?? `rollback to ${target.version}`,
      createdBy: p.user.username,
      createdAt: ctx.now(),
      approvedBy: null,
      approvedAt: null,
      goLiveAt: null,
      rollbackOf: target.version,
      reason: null,
    };
    return c.json(releaseAnswer(await goLive(release, true, p.user.username, origin(c), 'release.rollback')), 201);
  });

  async function checkBase(r: ReleaseRow): Promise<void> {
    const live = (await store.app(r.app))!.live;
    if (r.base !== live) {
      throw new HttpError(409, 'stale_release', `release ${r.version} was made against release ${r.base ?? 'none'}, but ${live} is live now; reject it and publish the drafts again`, { path: 'version' });
    }
  }

  async function runDue(): Promise<number> {
    let handled = 0;
    for (const r of await store.releasesIn('scheduled')) {
      if (r.goLiveAt === null || r.goLiveAt > ctx.now()) continue;
      handled++;
      const live = (await store.app(r.app))!.live;
      if (r.base !== live) {
        await store.atomic(async () => {
          // claimed here: another instance's scheduler may have handled it meanwhile
          if ((await store.release(r.app, r.version))?.status !== 'scheduled') return;
          const reason = `release ${live} went live after this one was made against ${r.base ?? 'none'}`;
          await store.updateRelease(r.app, r.version, { status: 'cancelled', reason });
          await audit(ctx, SYSTEM, 'system', { app: r.app, action: 'release.cancel', target: `release/${r.version}`, diff: { reason } });
        });
        continue;
      }
      try {
        await goLive(r, false, 'system', SYSTEM, 'release.live');
      } catch (error) {
        // `not_pending`: another instance's scheduler made it live first (goLive claims it)
        if (!(error instanceof HttpError && error.code === 'not_pending')) ctx.log(`admin: scheduled release ${r.version} of ${r.app} failed: ${(error as Error).message}`);
      }
    }
    return handled;
  }

  /** Sleeps until the earliest scheduled release (at most MAX_SLEEP_MS), runs what is due, again. */
  function arm(): void {
    if (closed) return;
    store.releasesIn('scheduled').then(
      (scheduled) => {
        if (closed) return;
        clearTimeout(timer);
        const next = scheduled.reduce((m, r) => Math.min(m, r.goLiveAt ?? Infinity), Infinity);
        if (next === Infinity) return;
        timer = setTimeout(() => {
          runDue().then(arm, (error) => {
            ctx.log(`admin: scheduled releases: ${(error as Error).stack ?? error}`);
            arm();
          });
        }, Math.min(MAX_SLEEP_MS, Math.max(0, next - ctx.now())));
        timer.unref();
      },
      (error: Error) => {
        // the store did not answer: try again within the longest sleep
        ctx.log(`admin: reading scheduled releases failed: ${error.message}`);
        clearTimeout(timer);
        timer = setTimeout(arm, MAX_SLEEP_MS);
        timer.unref();
      },
    );
  }

  return {
    runDue: async () => {
      const n = await runDue();
      arm();
      return n;
    },
    async start() {
      await reconcile();
      arm();
    },
    rearm: arm,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
