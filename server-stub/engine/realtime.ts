/**
 * Real-time features: `engine.ingest` runs with the newly stored events of one batch, after their
 * commit, inside the engine thread's transaction that also moves its cursor (engine/service.ts). Profiles and item statistics are aggregated in memory over the
 * batch; each touched profile is written once, in the same transaction (a device's batch is one
 * user, so typically one upsert per batch); item statistics are checkpointed separately
 * (stats.ts), so the cost per event is a few map updates.
 *
 * Identity: events go to the userId when they carry one, else to the user their anonymousId was
 * identified as, else to the anonymousId. On identify the anonymous profile is merged into the
 * user's and removed.
 *
 * If anything throws, that transaction rolls back; the cached profiles the batch touched
 * are forgotten so the cache never runs ahead of the table.
 */
import type { SlotwiseEvent } from '../../sdk/contract';
import type { Indexes } from './indexes';
import { applyEvent, mergeProfiles, newProfile, type Profile } from './profile';
import type { ProfileStore } from './profiles';
import type { AppStats } from './stats';
import type { CatalogItem } from './types';

export type Ingest = (app: string, events: SlotwiseEvent[], receivedAt: number) => void;

export function itemOf(index: Indexes, e: SlotwiseEvent): CatalogItem | undefined {
  const id = e.itemId ?? e.properties.itemId;
  return typeof id === 'string' ? index.byId.get(id) : undefined;
}

export interface RealtimeOptions {
  /** the app's live catalog: events name items by id, and the statistics count them by its indices */
  index(app: string): Indexes;
  profiles: ProfileStore;
  /** the app's statistics over `index(app)` */
  stats(app: string): AppStats;
  /** every impression, once, with the profile key it went to (campaign caps, engine/caps.ts) */
  onImpression?(app: string, key: string, e: SlotwiseEvent, t: number): void;
  /** an anonymous profile merged into a user's (identify) */
  onMerge?(app: string, from: string, to: string): void;
}

export function createRealtime(o: RealtimeOptions): Ingest {
  const { profiles } = o;
  return (app, events, receivedAt) => {
    const index = o.index(app);
    const stats = o.stats(app);
    const touched = new Map<string, Profile>();
    const load = (key: string, t: number) => {
      let p = touched.get(key);
      if (!p) touched.set(key, (p = profiles.get(app, key) ?? newProfile(t)));
      return p;
    };
    try {
      for (const e of events) {
        // a device clock ahead of ours does not get to write the future
        const t = Math.min(e.ts, receivedAt);
        if (e.type === 'identify' && e.userId && e.userId !== e.anonymousId && profiles.alias(app, e.anonymousId) !== e.userId) {
          const anonymous = touched.get(e.anonymousId) ?? profiles.get(app, e.anonymousId);
          profiles.setAlias(app, e.anonymousId, e.userId);
          if (anonymous) {
            mergeProfiles(load(e.userId, t), anonymous);
            touched.delete(e.anonymousId);
            profiles.remove(app, e.anonymousId);
          }
          o.onMerge?.(app, e.anonymousId, e.userId);
        }
        const key = e.userId ?? profiles.alias(app, e.anonymousId) ?? e.anonymousId;
        if (e.type === 'impression') o.onImpression?.(app, key, e, t);
        const item = itemOf(index, e);
        const effect = applyEvent(load(key, t), e, item, t);
        if (!item) continue;
        if (effect.impression) stats.count(item.ix, 'imp', t);
        if (effect.engaged) stats.count(item.ix, effect.engaged === 'click' ? 'clk' : effect.engaged === 'conversion' ? 'conv' : 'view', t);
        for (const id of effect.coviewWith ?? []) {
          const other = index.byId.get(id);
          if (other) stats.coview(other.ix, item.ix);
        }
      }
      profiles.save(app, touched, receivedAt);
    } catch (error) {
      profiles.forget(app, [...touched.keys(), ...events.map((e) => e.anonymousId)]);
      throw error;
    }
  };
}
