/**
 * The engine on a thread of its own. The HTTP thread parses requests, authenticates, stores events
 * and writes answers; the engine thread (engine/worker.ts → engine/service.ts) parses and validates
 * decide requests, arbitrates and serialises the answers. On a two-core machine that halves the
 * work on the thread every request waits for, and a slow decision never delays an ingest ack.
 *
 * Messages to the engine are handled in the order they were posted: ingest hands a batch over
 * after its commit and before its answer, so any decide that starts after that answer sees it.
 *
 * If the engine thread dies (a bug), calls in flight fail (500), the death is logged and a new
 * thread starts; it catches up with the event log from its cursor, so no stored event is missed.
 * What is posted while it starts waits for it (a call sent to the dead thread would never be
 * answered); if it cannot start, calls fail from then on.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config, DecideRequest, RiskTolerance } from '../../sdk/contract';
import type { Release, RuleSet } from '../../sdk/contract-admin';
import type { PreviewAnswer } from './index';
import type { Answer, IngestMessage } from './service';
import type { CustomerView } from './customer-view';

export interface EngineThreadData {
  /** holds the engine's SQLite file (with the SQLite store, the store's file itself) */
  dataDir: string;
  /** where model files are; default `<dataDir>/models` */
  modelDir?: string;
  catalogFile?: string;
  catalogSize?: number;
  /** the apps' IANA time zone (campaign caps' days) */
  timeZone?: string;
  /** each app's live release (a restarted thread gets the ones activated since) */
  releases: { app: string; release: Release }[];
  now: number;
}

type Op = 'decide' | 'config' | 'image' | 'flush' | 'reloadModel' | 'diagnostics' | 'close' | 'activate' | 'preview';
export type ToEngine =
  | { t: 'ingest'; now: number; batch: IngestMessage }
  | {
      t: 'call';
      now: number;
      id: number;
      op: Op;
      app?: string;
      body?: string;
      itemId?: string;
      release?: Release;
      rules?: RuleSet;
      request?: DecideRequest;
      traits?: { riskTolerance?: RiskTolerance };
      view?: CustomerView;
    };
export type FromEngine =
  | { t: 'ready'; modelVersion: string; cursor: number }
  | { t: 'failed'; message: string }
  | { t: 'log'; message: string }
  | { t: 'reply'; id: number; ok: boolean; value?: unknown; error?: string };

export interface EngineHost {
  /** hands a newly stored batch to the engine (after its commit, before its answer) */
  ingest(batch: IngestMessage): void;
  /** the raw body of an authorised POST /v1/decide → the answer (200, or 400 for bad input) */
  decide(app: string, body: string, view?: CustomerView): Promise<Answer>;
  config(app: string): Promise<Config>;
  /**
   * Makes `release` the app's live rules on the engine thread; resolves to its config answer once
   * they are. Messages are handled in order, so every decide and config posted after this call
   * sees the new release, whether or not it has resolved yet. `config`, when the caller made it
   * already (engine/config.ts `releaseConfig`, as the engine makes it), answers GET /v1/config from
   * now on without a trip to the engine thread.
   */
  activate(app: string, release: Release, config?: Config): Promise<Config>;
  /** a decide under `rules` instead of the live ones, with no side effect (rules/preview.ts) */
  preview(app: string, rules: RuleSet, request: DecideRequest, traits?: { riskTolerance?: RiskTolerance }): Promise<PreviewAnswer>;
  image(itemId: string): Promise<string | undefined>;
  /** resolves when the decision log and statistics handed over so far are stored */
  flush(): Promise<void>;
  /** loads the newest model file (after `npm run train`); resolves to its version */
  reloadModel(): Promise<string>;
  /** the loaded model's version, as of the last start or reload */
  readonly modelVersion: string;
  /** the engine thread's stall, GC and sizes since the last call, with SLOTWISE_DIAGNOSTICS=1 (engine/diagnostics.ts) */
  diagnostics(): Promise<unknown>;
  /** stops the engine after it has stored everything it produced */
  close(): Promise<void>;
}

export interface EngineThreadOptions extends Omit<EngineThreadData, 'now' | 'releases'> {
  /** each app's live release at start */
  releases?: { app: string; release: Release }[];
  now: () => number;
  /** told the engine's cursor (log position of the last applied event) each time a thread is ready:
   * a follower of a shared log hands over from there (store/follow.ts) */
  onReady?: (cursor: number) => void;
  log: (message: string) => void;
  /** the built worker entry; default: engine-worker.js next to this module, else compiled from source */
  workerFile?: string;
}

/** Calls waiting for the engine past this many are refused (503) rather than queued without bound. */
export const MAX_IN_FLIGHT = 4096;

export class EngineBusyError extends Error {}

export async function startEngineThread(o: EngineThreadOptions): Promise<EngineHost> {
  const file = o.workerFile ?? (await workerFile());
  const releases = new Map((o.releases ?? []).map((r) => [r.app, r.release]));
  const data = (): EngineThreadData => ({
    dataDir: o.dataDir,
    modelDir: o.modelDir,
    catalogFile: o.catalogFile,
    catalogSize: o.catalogSize,
    timeZone: o.timeZone,
    releases: [...releases].map(([app, release]) => ({ app, release })),
    now: o.now(),
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let closing = false;
  let modelVersion = '';
  const configs = new Map<string, Promise<Config>>();
  let restarting: Promise<unknown> | undefined;

  const spawn = () =>
    new Promise<Worker>((resolve, reject) => {
      // a young generation larger than a worker's default: fewer scavenges of the per-request garbage
      // (measured: ~12 % less CPU per decide)
      const worker = new Worker(file, { workerData: data(), resourceLimits: { maxYoungGenerationSizeMb: 64 } });
      let ready = false;
      worker.on('message', (m: FromEngine) => {
        if (m.t === 'log') return o.log(m.message);
        if (m.t === 'ready') {
          ready = true;
          modelVersion = m.modelVersion;
          resolve(worker);
          return o.onReady?.(m.cursor);
        }
        if (m.t === 'failed') return reject(new Error(m.message));
        const call = pending.get(m.id);
        if (!call) return;
        pending.delete(m.id);
        if (m.ok) call.resolve(m.value);
        else call.reject(new Error(m.error));
      });
      worker.on('error', (error) => o.log(`engine thread: ${error.stack ?? error.message}`));
      worker.on('exit', (code) => {
        if (!ready) return reject(new Error(`the engine thread exited (${code}) before it was ready`));
        if (worker !== current) return;
        for (const call of pending.values()) call.reject(new Error(`the engine thread exited (${code})`));
        pending.clear();
        if (closing) return;
        o.log(`engine thread exited (${code}); starting a new one`);
        // messages posted meanwhile wait for it (send); stored events it missed, it catches up
        restarting = spawn().then(
          (w) => {
            current = w;
            restarting = undefined;
          },
          (error: Error) => {
            down = error;
            o.log(`engine thread could not restart: ${error.message}`);
          },
        );
      });
    });

  let current = await spawn();
  /** why there is no engine thread any more: a restart failed */
  let down: Error | undefined;

  /** posts to the live thread; during a restart, in order, to the new one once it is ready */
  const send = (m: ToEngine) => {
    const deliver = () => {
      if (!down) return current.postMessage(m);
      if (m.t !== 'call') return;
      pending.get(m.id)?.reject(down);
      pending.delete(m.id);
    };
    if (restarting) void restarting.then(deliver);
    else deliver();
  };

  const call = <T>(op: Op, fields: Partial<Extract<ToEngine, { t: 'call' }>> = {}): Promise<T> => {
    if (pending.size >= MAX_IN_FLIGHT) return Promise.reject(new EngineBusyError('the engine is overloaded'));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      send({ t: 'call', now: o.now(), id, op, ...fields });
    });
  };

  return {
    ingest(batch) {
      send({ t: 'ingest', now: batch.receivedAt, batch });
    },
    decide: (app, body, view) => call<Answer>('decide', view ? { app, body, view } : { app, body }),
    config(app) {
      let config = configs.get(app);
      if (!config) {
        const asked = (config = call<Config>('config', { app }));
        configs.set(app, asked);
        // a failed call is asked again next time
        asked.catch(() => configs.get(app) === asked && configs.delete(app));
      }
      return config;
    },
    activate(app, release, config) {
      releases.set(app, release);
      // a config asked before this call may still answer the old release; it is no longer cached
      if (config) configs.set(app, Promise.resolve(config));
      else configs.delete(app);
      return call<Config>('activate', { app, release });
    },
    preview: (app, rules, request, traits) => call<PreviewAnswer>('preview', { app, rules, request, traits }),
    image: (itemId) => call<string | undefined>('image', { itemId }),
    flush: () => call<void>('flush'),
    async reloadModel() {
      modelVersion = await call<string>('reloadModel');
      return modelVersion;
    },
    get modelVersion() {
      return modelVersion;
    },
    diagnostics: () => call<unknown>('diagnostics'),
    async close() {
      closing = true;
      await restarting;
      if (down) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      await call('close').catch((error: Error) => o.log(`engine thread: ${error.message}`));
      await exited;
    },
  };
}

/**
 * The worker entry: dist/server/engine-worker.js beside the built server (.mjs where no package.json
 * says "module", as in a benchmark's bundle); when the server runs
 * from its TypeScript source (tests), engine/worker.ts compiled once per process with esbuild (a
 * dev dependency, never needed by the build).
 */
let compiled: Promise<string> | undefined;
function workerFile(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = ['engine-worker.js', 'engine-worker.mjs'].map((name) => join(here, name)).find((file) => existsSync(file));
  if (built) return Promise.resolve(built);
  const source = join(here, 'worker.ts');
  if (!existsSync(source)) return Promise.reject(new Error(`no engine worker next to ${here}`));
  return (compiled ??= (async () => {
    const { build } = await import('esbuild');
    // under the project's node_modules, so the bundle's external packages resolve from it
    const dir = join(here, '..', '..', 'node_modules', '.cache', 'slotwise');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `engine-worker-${process.pid}.mjs`);
    await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'error' });
    process.once('exit', () => rmSync(outfile, { force: true }));
    return outfile;
  })());
}
