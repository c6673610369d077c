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
  const nextVersion = (app: string) => Math.max(store.nextVersion(app), (ctx.publisher.latest?.(app) ?? 0) + 1);

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
    const { previous, dropped } = store.atomic(() => {
      const app = store.app(release.app)!;
      if (insert) store.insertRelease(live);
      else store.updateRelease(release.app, release.version, { status: 'live', liveAt: now, approvedBy: release.approvedBy, approvedAt: release.approvedAt });
      ctx.fault?.('publish:release-written');
      if (app.live !== null) store.updateRelease(release.app, app.live, { status: 'superseded' });
      store.updateApp(release.app, { live: release.version });
      const dropped = consumeDrafts(release.app, release.rules);
      const before = app.live === null ? emptyRuleSet() : store.release(release.app, app.live)!.rules;
      audit(ctx, from, actor, { app: release.app, action, target: `release/${release.version}`, diff: diffRules(before, release.rules) });
      ctx.fault?.('publish:before-commit');
      return { previous: app.live, dropped };
    });
    try {
      ctx.fault?.('publish:activate');
      await ctx.publisher.activate(release.app, { version: live.version, publishedAt: now, rules: live.rules });
    } catch (error) {
      store.atomic(() => {
        const reason = `the engine refused it: ${(error as Error).message}`;
        store.updateRelease(release.app, release.version, { status: 'failed', reason });
        if (previous !== null) store.updateRelease(release.app, previous, { status: 'live' });
        store.updateApp(release.app, { live: previous });
        for (const d of dropped) if (!store.draft(d.app, d.kind, d.id)) store.putDraft(d);
        audit(ctx, SYSTEM, 'system', { app: release.app, action: 'release.fail', target: `release/${release.version}`, diff: { reason, live: previous } });
      });
      // the live side may have stored the release before its engine refused it: put the previous back there too
      const back = previous === null ? undefined : store.release(release.app, previous);
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
  function consumeDrafts(app: string, rules: RuleSet): DraftRow[] {
    const dropped: DraftRow[] = [];
    for (const d of store.drafts(app)) {
      const rule = ((rules[d.kind] ?? []) as unknown as RuleEntity[]).find((r) => ruleId(d.kind, r) === d.id);
      const done = d.body === null ? rule === undefined : rule !== undefined && canonical(JSON.parse(d.body)) === canonical(rule);
      if (done) {
        store.deleteDraft(app, d.kind, d.id);
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
      const mine = store.app(app);
      if (mine && mine.live !== null && mine.live >= release.version) continue;
      store.atomic(() => {
        if (!store.app(app)) store.insertApp({ id: app, name: app, fourEyes: false, createdAt: ctx.now() });
        const current = store.app(app)!.live;
        if (current !== null) store.updateRelease(app, current, { status: 'superseded' });
        if (!store.release(app, release.version)) {
          store.insertRelease({
            app, version: release.version, status: 'live', base: current, rules: release.rules, note: 'made live outside the admin API (seed or rules registry)',
            createdBy: 'system', createdAt: release.publishedAt, approvedBy: null, approvedAt: null, goLiveAt: null, liveAt: release.publishedAt, rollbackOf: null, reason: null,
          });
        } else store.updateRelease(app, release.version, { status: 'live' });
        store.updateApp(app, { live: release.version });
        audit(ctx, SYSTEM, 'system', { app, action: 'release.import', target: `release/${release.version}` });
      });
    }
    for (const app of store.apps()) {
      const r = app.live === null ? undefined : store.release(app.id, app.live);
      if (!r || theirs.get(app.id)?.version === r.version) continue;
      try {
        await ctx.publisher.activate(app.id, { version: r.version, publishedAt: r.liveAt ?? r.createdAt, rules: r.rules });
      } catch (error) {
        ctx.log(`admin: release ${r.version} of ${app.id} is live in the admin store but the engine refused it: ${(error as Error).message}`);
      }
    }
  }

  const getRelease = (c: Context, app: string): ReleaseRow => {
    const v = Number(c.req.param('version'));
    const r = Number.isSafeInteger(v) && v > 0 ? store.release(app, v) : undefined;
    if (!r) throw new HttpError(404, 'not_found', `no release ${c.req.param('version')} of app ${app}`, { path: 'version' });
    return r;
  };

  const future = (goLiveAt: string | undefined): number | null => {
    if (goLiveAt === undefined) return null;
    const at = Date.parse(goLiveAt);
    return at > ctx.now() ? at : null;
  };

  api.get('/apps/:app/releases', (c) => {
    const { app } = onApp(ctx, c, 'viewer');
    const limit = intParam(c, 'limit', 50, 1, 500)!;
    const before = intParam(c, 'before', undefined, 1, Number.MAX_SAFE_INTEGER);
    const rows = store.releases(app.id, { before, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return c.json({ items: page.map((r) => releaseAnswer(r)), next: rows.length > limit ? page[page.length - 1]!.version : null });
  });

  api.get('/apps/:app/releases/:version', (c) => {
    const { app } = onApp(ctx, c, 'viewer');
    return c.json(releaseAnswer(getRelease(c, app.id), true));
  });

  api.get('/apps/:app/releases/:version/diff', (c) => {
    const { app } = onApp(ctx, c, 'viewer');
    const to = getRelease(c, app.id);
    const against = intParam(c, 'against', to.base ?? undefined, 1, Number.MAX_SAFE_INTEGER);
    const from = against === undefined ? undefined : store.release(app.id, against);
    if (against !== undefined && !from) throw new HttpError(404, 'not_found', `no release ${against} of app ${app.id}`, { path: 'against' });
    return c.json({ from: from?.version ?? null, to: to.version, items: diffRules(from?.rules ?? emptyRuleSet(), to.rules) });
  });

  api.post('/apps/:app/releases', async (c) => {
    const { p, app } = onApp(ctx, c, 'editor');
    if (!app.fourEyes) demand(p, 'publisher', app.id);
    const input = await body(ctx, c, adminRequests().publish);
    const from = origin(c);
    const goLiveAt = future(input.goLiveAt);
    const { release, pending } = store.atomic(() => {
      const live = liveRules(store, app.id);
      const rules = draftRules(store, app.id, live);
      if (diffRules(live, rules).length === 0) throw new HttpError(409, 'no_changes', 'there are no drafts to publish');
      const problem = ctx.checks.check(rules)[0];
      if (problem) throw new HttpError(400, problem.code, `the drafts do not make a valid rule set: ${problem.message}`, { path: problem.path });
      const status = app.fourEyes ? 'pending' : goLiveAt !== null ? 'scheduled' : 'live';
      const release: ReleaseRow = {
        app: app.id,
        version: nextVersion(app.id),
        status,
        base: store.app(app.id)!.live,
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
        store.insertRelease(release);
        const action = status === 'pending' ? 'release.submit' : 'release.schedule';
        audit(ctx, from, p.user.username, { app: app.id, action, target: `release/${release.version}`, diff: diffRules(live, rules) });
      }
      return { release, pending: status !== 'live' };
    });
    if (pending) {
      arm();
      return c.json(releaseAnswer(release), 201);
    }
    return c.json(releaseAnswer(await goLive(release, true, p.user.username, from, 'release.publish')), 201);
  });

  api.post('/apps/:app/releases/:version/approve', async (c) => {
    const { p, app } = onApp(ctx, c, 'publisher');
    const from = origin(c);
    const release = store.atomic(() => {
      const r = getRelease(c, app.id);
      if (r.status !== 'pending') throw new HttpError(409, 'not_pending', `release ${r.version} is ${r.status}, not pending`, { path: 'version' });
      if (r.createdBy === p.user.username) throw new HttpError(403, 'four_eyes', `release ${r.version} was submitted by you; another publisher must approve it`);
      checkBase(r);
      const approved = { ...r, approvedBy: p.user.username, approvedAt: ctx.now() };
      if (future(iso(r.goLiveAt)) !== null) {
        store.updateRelease(app.id, r.version, { status: 'scheduled', approvedBy: approved.approvedBy, approvedAt: approved.approvedAt });
        audit(ctx, from, p.user.username, { app: app.id, action: 'release.approve', target: `release/${r.version}`, diff: { scheduledFor: iso(r.goLiveAt) } });
        return { ...approved, status: 'scheduled' as const };
      }
      return approved;
    });
    if (release.status === 'scheduled') {
      arm();
      return c.json(releaseAnswer(release));
    }
    return c.json(releaseAnswer(await goLive(release, false, p.user.username, from, 'release.approve')));
  });

  api.post('/apps/:app/releases/:version/reject', async (c) => {
    const { p, app } = onApp(ctx, c, 'publisher');
    const input = await body(ctx, c, adminRequests().reject);
    const answer = store.atomic(() => {
      const r = getRelease(c, app.id);
      if (r.status !== 'pending' && r.status !== 'scheduled') throw new HttpError(409, 'not_pending', `release ${r.version} is ${r.status}; only pending or scheduled releases can be rejected`, { path: 'version' });
      const status = r.status === 'pending' ? ('rejected' as const) : ('cancelled' as const);
      const reason = input.reason ?? '';
      store.updateRelease(app.id, r.version, { status, reason });
      audit(ctx, origin(c), p.user.username, { app: app.id, action: `release.${status === 'rejected' ? 'reject' : 'cancel'}`, target: `release/${r.version}`, diff: { reason } });
      return { ...r, status, reason };
    });
    return c.json(releaseAnswer(answer));
  });

  api.post('/apps/:app/releases/:version/rollback', async (c) => {
    const { p, app } = onApp(ctx, c, 'publisher');
    const input = await body(ctx, c, adminRequests().rollback);
    const target = getRelease(c, app.id);
    if (target.liveAt === null) throw new HttpError(409, 'never_live', `release ${target.version} was never live; roll back to one that was`, { path: 'version' });
    if (target.version === app.live) throw new HttpError(409, 'already_live', `release ${target.version} is live`, { path: 'version' });
    const release: ReleaseRow = {
      ...target,
      version: nextVersion(app.id),
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

  function checkBase(r: ReleaseRow): void {
    const live = store.app(r.app)!.live;
    if (r.base !== live) {
      throw new HttpError(409, 'stale_release', `release ${r.version} was made against release ${r.base ?? 'none'}, but ${live} is live now; reject it and publish the drafts again`, { path: 'version' });
    }
  }

  async function runDue(): Promise<number> {
    let handled = 0;
    for (const r of store.releasesIn('scheduled')) {
      if (r.goLiveAt === null || r.goLiveAt > ctx.now()) continue;
      handled++;
      const live = store.app(r.app)!.live;
      if (r.base !== live) {
        store.atomic(() => {
          const reason = `release ${live} went live after this one was made against ${r.base ?? 'none'}`;
          store.updateRelease(r.app, r.version, { status: 'cancelled', reason });
          audit(ctx, SYSTEM, 'system', { app: r.app, action: 'release.cancel', target: `release/${r.version}`, diff: { reason } });
        });
        continue;
      }
      try {
        await goLive(r, false, 'system', SYSTEM, 'release.live');
      } catch (error) {
        ctx.log(`admin: scheduled release ${r.version} of ${r.app} failed: ${(error as Error).message}`);
      }
    }
    return handled;
  }

  /** Sleeps until the earliest scheduled release (at most MAX_SLEEP_MS), runs what is due, again. */
  function arm(): void {
    if (closed) return;
    clearTimeout(timer);
    const next = store.releasesIn('scheduled').reduce((m, r) => Math.min(m, r.goLiveAt ?? Infinity), Infinity);
    if (next === Infinity) return;
    timer = setTimeout(() => {
      runDue().then(arm, (error) => {
        ctx.log(`admin: scheduled releases: ${(error as Error).stack ?? error}`);
        arm();
      });
    }, Math.min(MAX_SLEEP_MS, Math.max(0, next - ctx.now())));
    timer.unref();
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
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
