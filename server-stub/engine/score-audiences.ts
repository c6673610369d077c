/**
 * Score audiences at decide time: which of the active campaigns aimed at "score ≥ t" or "top p % by
 * model M" a user is in, scored by the live response model of each target in the model registry
 * (`<modelDir>/registry`, what `npm run models -- live` writes), and the model's reasons for them.
 *
 * - A user's profile for a model is their traits (`identify` properties, kept in the engine profile)
 *   by feature name: trait `age` feeds feature `age`, and so on. A feature without a trait is
 *   missing and contributes 0; a user without traits scores the model's base rate.
 * - "Top p %" is cut against the model's reference population saved with it (models/reference.ts):
 *   a fixed score per model, so no decide ever scans other users.
 * - A model marked live (or rolled back) is used by the next decide without a restart: every
 *   decide that has a score-audience campaign to check `stat`s the live history, whose file is
 *   replaced (new inode) on every change, and reloads only when it changed. Scorers are cached per
 *   model id, so rolling back to a model used before costs no new compile.
 * - A target with no live model, or a model file that does not load, matches no one (logged once
 *   per model id): a score audience fails closed, never open.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Reason } from '../../sdk/contract';
import { audienceCutoff, createProfileScorer, type Profile as Traits, type ProfileScorer, type ScoreAudience } from '../models/realtime';
import { createRegistry, type Entry } from '../models/registry';
import type { Locale } from './i18n';

/**
 * Reasons from a response model that an item placed by its campaign carries, at most: two, so the
 * widgets' "why this?" (the three largest contributions; the campaign's own reason counts 0) shows
 * the campaign and its model's two strongest reasons.
 */
export const MODEL_REASONS = 2;

interface Live {
  entry: Entry;
  score: ProfileScorer;
  /** cut by audience object: the same campaign asks again every decide */
  cuts: WeakMap<ScoreAudience, number>;
}

export interface AudienceHit {
  score: number;
  reasons: Reason[];
}

export interface ScoreAudiences {
  /**
   * Whether a user with `traits` is in `audience`, with the model's reasons in `locale`; undefined
   * when not (or when the target has no usable live model). `check` of one decide shares one look
   * at the registry: call `refresh()` once first.
   */
  check(audience: ScoreAudience, traits: Traits | undefined, locale: Locale): AudienceHit | undefined;
  /** looks at the live history once (cheap when unchanged: one `stat`) */
  refresh(): void;
  /** the targets with a model in the registry (validation: an audience naming another is an error) */
  targets(): Set<string>;
  /** the score a user must reach to be in `audience` under its target's live model (customer-view.ts compares offline scores with it) */
  cutoff(audience: ScoreAudience): number | undefined;
  /** the live model id of a target, after the last refresh */
  liveId(target: string): string | undefined;
  /** reads the registry and compiles the live models of `targets` now (at start), not in a first decide */
  warm(targets: Iterable<string>): void;
}

/**
 * @example
 * const audiences = createScoreAudiences({ dir: join(modelDir, 'registry'), log });
 * audiences.refresh();
 * audiences.check({ model: 'subscribed', topPercent: 20 }, { age: 61, poutcome: 'success' }, 'en');
 */
export function createScoreAudiences(o: { dir: string; log: (message: string) => void }): ScoreAudiences {
  const registry = createRegistry({ dir: o.dir });
  const historyPath = join(o.dir, 'live.json');
  const byId = new Map<string, Live | null>();
  let liveIds = new Map<string, string>();
  let stamp = '';
  // scores of this decide by target, so two campaigns on one model score the user once
  const memo = new Map<string, { traits: Traits | undefined; locale: Locale; result: ReturnType<ProfileScorer> }>();

  const load = (id: string): Live | null => {
    let live = byId.get(id);
    if (live !== undefined) return live;
    try {
      const entry = registry.get(id);
      live = { entry, score: createProfileScorer(entry.model), cuts: new WeakMap() };
    } catch (error) {
      o.log(`score audiences: live model "${id}" does not load; its audiences match no one: ${(error as Error).message}`);
      live = null;
    }
    byId.set(id, live);
    return live;
  };

  const refresh = () => {
    memo.clear();
    const st = statSync(historyPath, { throwIfNoEntry: false });
    const now = st ? `${st.ino}:${st.mtimeMs}:${st.size}` : '';
    if (now === stamp) return;
    stamp = now;
    const next = new Map<string, string>();
    try {
      for (const c of registry.history()) next.set(c.target, c.id);
    } catch (error) {
      o.log(`score audiences: the live history does not read; keeping the models live before: ${(error as Error).message}`);
      return;
    }
    liveIds = next;
  };

  return {
    refresh,
    check(audience, traits, locale) {
      const id = liveIds.get(audience.model);
      const live = id === undefined ? null : load(id);
      if (!live) return undefined;
      let cut = live.cuts.get(audience);
      if (cut === undefined) {
        try {
          cut = audienceCutoff(audience, live.entry.model);
        } catch (error) {
          o.log(`score audiences: ${(error as Error).message}`);
          cut = Infinity;
        }
        live.cuts.set(audience, cut);
      }
      let m = memo.get(audience.model);
      if (!m || m.traits !== traits || m.locale !== locale) memo.set(audience.model, (m = { traits, locale, result: live.score(traits ?? {}, locale) }));
      if (!(m.result.score >= cut)) return undefined;
      return {
        score: m.result.score,
        reasons: m.result.reasons.slice(0, MODEL_REASONS).map((r) => ({ feature: `${audience.model}.${r.feature}`.slice(0, 128), label: r.label, contribution: r.contribution })),
      };
    },
    cutoff(audience) {
      const id = liveIds.get(audience.model);
      const live = id === undefined ? null : load(id);
      if (!live) return undefined;
      let cut = live.cuts.get(audience);
      if (cut === undefined) {
        try {
          cut = audienceCutoff(audience, live.entry.model);
        } catch {
          cut = Infinity;
        }
        live.cuts.set(audience, cut);
      }
      return cut;
    },
    targets: () => new Set(registry.list().map((e) => e.target)),
    warm(targets) {
      refresh();
      for (const t of targets) {
        const id = liveIds.get(t);
        if (id !== undefined) load(id);
      }
    },
    liveId: (target) => liveIds.get(target),
  };
}

/**
 * The campaigns of this decide whose score audience the user is in (campaigns without one pass),
 * and the model's reasons for each that has one.
 */
export function inAudiences<C extends { audience?: ScoreAudience }>(
  audiences: ScoreAudiences | undefined,
  campaigns: C[],
  traits: Traits | undefined,
  locale: Locale,
): { campaigns: C[]; reasons?: Map<C, Reason[]> } {
  if (!campaigns.some((c) => c.audience)) return { campaigns };
  audiences?.refresh();
  const reasons = new Map<C, Reason[]>();
  const kept = campaigns.filter((c) => {
    if (!c.audience) return true;
    const hit = audiences?.check(c.audience, traits, locale);
    if (hit) reasons.set(c, hit.reasons);
    return hit !== undefined;
  });
  return { campaigns: kept, reasons };
}

/**
 * Registers seed models (the demo's) and marks each live, for a target whose registry has never had
 * a live model: a fresh data directory works out of the box, and an operator's own choice — even a
 * rollback — is never overridden. Silent (a server's log stays for what needs attention); returns
 * the ids it made live, and `npm run models -- history` shows them, marked live by "slotwise seed".
 */
export function seedModels(dir: string, entries: () => Entry[]): string[] {
  const registry = createRegistry({ dir });
  const seen = new Set(registry.history().map((c) => c.target));
  const seeded: string[] = [];
  for (const entry of entries()) {
    if (seen.has(entry.target)) continue;
    registry.add(entry);
    registry.markLive(entry.id, 'slotwise seed');
    seeded.push(entry.id);
  }
  return seeded;
}
