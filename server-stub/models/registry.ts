/**
 * The model registry: every trained response model is stored with its target, feature spec,
 * training-data fingerprint, metrics and creator, under an id that never changes. One model per
 * target is live — the one the app's decisions use; marking another live, or rolling back to the
 * one live before, appends to a history that is never rewritten, so any earlier model can be made
 * live again. Files: `<dir>/<id>.json` per model, `<dir>/live.json` the history; both written
 * atomically (temp file, then rename).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdditiveModel } from './additive';
import { checkModel } from './check';
import type { Metrics } from './metrics';

export interface Entry {
  id: string;
  target: string;
  kind: 'additive';
  createdAt: string;
  creator: string;
  /** sha256 of the training file's bytes, and its rows: the same data gives the same fingerprint */
  fingerprint: { sha256: string; rows: number };
  metrics: Record<string, unknown>;
  model: AdditiveModel;
}

export interface LiveChange {
  target: string;
  id: string;
  at: string;
  by: string;
  action: 'live' | 'rollback';
}

/** sha256 of the training data's bytes (the file as read, compressed or not). */
export function fingerprint(bytes: Uint8Array | string, rows: number): Entry['fingerprint'] {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), rows };
}

function writeAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

const ID = /^[a-z0-9_.-]{1,120}$/i;

/**
 * @example
 * const registry = createRegistry({ dir: '.slotwise-data/models/registry' });
 * const entry = registry.register({ model, metrics, creator: 'ana', fingerprint: fingerprint(bytes, table.n) });
 * registry.markLive(entry.id, 'ana');
 * registry.live('subscribed'); // → entry
 */
export function createRegistry(o: { dir: string; now?: () => Date }) {
  const now = o.now ?? (() => new Date());
  const historyPath = join(o.dir, 'live.json');
  const history = (): LiveChange[] => (existsSync(historyPath) ? (JSON.parse(readFileSync(historyPath, 'utf8')) as { history: LiveChange[] }).history : []);
  const get = (id: string): Entry => {
    if (!ID.test(id)) throw new Error(`"${id}" is not a model id`);
    const path = join(o.dir, `${id}.json`);
    if (!existsSync(path)) throw new Error(`no model "${id}" in ${o.dir}`);
    const entry = JSON.parse(readFileSync(path, 'utf8')) as Entry;
    checkModel(entry.model);
    return entry;
  };
  const append = (change: LiveChange) => {
    mkdirSync(o.dir, { recursive: true });
    writeAtomic(historyPath, { history: [...history(), change] });
    return change;
  };
  const liveId = (target: string): string | undefined => history().filter((c) => c.target === target).at(-1)?.id;
  return {
    register(r: { model: AdditiveModel; metrics: Record<string, unknown>; creator: string; fingerprint: Entry['fingerprint'] }): Entry {
      mkdirSync(o.dir, { recursive: true });
      const at = now();
      const target = r.model.spec.target.name;
      const id = `${target}-${at.toISOString().replace(/[-:.]/g, '').toLowerCase()}-${r.fingerprint.sha256.slice(0, 6)}`;
      const entry: Entry = { id, target, kind: 'additive', createdAt: at.toISOString(), creator: r.creator, fingerprint: r.fingerprint, metrics: r.metrics, model: r.model };
      writeAtomic(join(o.dir, `${id}.json`), entry);
      return entry;
    },
    get,
    /**
     * Stores an entry exported from another registry (or shipped as seed data) under its own id;
     * an id already stored is left as it is. Not live until marked so.
     */
    add(entry: Entry): Entry {
      if (!ID.test(entry.id)) throw new Error(`"${entry.id}" is not a model id`);
      checkModel(entry.model);
      if (entry.target !== entry.model.spec.target.name) throw new Error(`model "${entry.id}": target "${entry.target}" is not its spec's "${entry.model.spec.target.name}"`);
      const path = join(o.dir, `${entry.id}.json`);
      if (existsSync(path)) return get(entry.id);
      mkdirSync(o.dir, { recursive: true });
      writeAtomic(path, entry);
      return entry;
    },
    /** where the live history is kept: a new file (inode) each change, so a reader can tell by `stat` */
    historyPath,
    /** every stored model, oldest first, without its parameters */
    list(): (Omit<Entry, 'model'> & { live: boolean })[] {
      if (!existsSync(o.dir)) return [];
      return readdirSync(o.dir)
        .filter((f) => f.endsWith('.json') && f !== 'live.json')
        .map((f) => JSON.parse(readFileSync(join(o.dir, f), 'utf8')) as Entry)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
        .map(({ model: _model, ...rest }) => ({ ...rest, live: liveId(rest.target) === rest.id }));
    },
    /** makes `id` the live model of its target */
    markLive(id: string, by: string): LiveChange {
      const e = get(id);
      return append({ target: e.target, id, at: now().toISOString(), by, action: 'live' });
    },
    /** the live model of `target`, if any */
    live(target: string): Entry | undefined {
      const id = liveId(target);
      return id ? get(id) : undefined;
    },
    /** makes live again the model that was live before the current one (or `to`, any earlier model) */
    rollback(target: string, by: string, to?: string): LiveChange {
      const changes = history().filter((c) => c.target === target);
      const current = changes.at(-1)?.id;
      if (!current) throw new Error(`no live model for "${target}" to roll back`);
      let id = to;
      if (id === undefined) {
        // the live model before the current one: walk back past every entry naming the current id
        id = [...changes].reverse().find((c) => c.id !== current)?.id;
        if (!id) throw new Error(`"${current}" is the only model ever live for "${target}"`);
      }
      const e = get(id);
      if (e.target !== target) throw new Error(`model "${id}" is for "${e.target}", not "${target}"`);
      return append({ target, id, at: now().toISOString(), by, action: 'rollback' });
    },
    history,
  };
}

export type Registry = ReturnType<typeof createRegistry>;
