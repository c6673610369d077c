/**
 * The engine thread's entry (built to dist/server/engine-worker.js, started by engine/thread.ts).
 * It opens its own SQLite connection, builds the engine and catches up with the event log before
 * it says `ready`; then it answers the HTTP thread's messages in the order they were posted, so a
 * decide posted after an ingest sees that ingest's events.
 *
 * Its clock is the HTTP thread's: every message carries `now`, and the engine reads the latest.
 */
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '../store/db';
import { createEngine } from './index';
import { createEngineService, type EngineService } from './service';
import { createThreadProbe, diagnosticsEnabled, type ThreadProbe } from './diagnostics';
import type { EngineThreadData, ToEngine, FromEngine } from './thread';

function start(port: NonNullable<typeof parentPort>, data: EngineThreadData): void {
  const post = (m: FromEngine) => port.postMessage(m);
  const log = (message: string) => post({ t: 'log', message });
  let clock = data.now;
  let service: EngineService;
  let db: ReturnType<typeof openDb> | undefined;
  const probe: ThreadProbe | undefined = diagnosticsEnabled() ? createThreadProbe() : undefined;
  try {
    db = openDb(data.dataDir);
    // the cursor makes fsync unnecessary here: a lost commit is applied again at the next start
    db.pragma('synchronous = NORMAL');
    const engine = createEngine({
      db,
      catalogFile: data.catalogFile,
      catalogSize: data.catalogSize,
      timeZone: data.timeZone,
      releases: data.releases,
      seedModels: true,
      modelDir: data.modelDir ?? join(data.dataDir, 'models'),
      now: () => clock,
      log,
    });
    service = createEngineService({ db, engine, log });
    const behind = service.catchUp();
    if (behind) log(`engine: caught up with ${behind} stored events`);
  } catch (error) {
    db?.close();
    post({ t: 'failed', message: (error as Error).message });
    return;
  }
  post({ t: 'ready', modelVersion: service.modelVersion, cursor: service.cursor });

  port.on('message', (m: ToEngine) => {
    clock = m.now;
    if (m.t === 'ingest') return service.ingest(m.batch);
    let value: unknown;
    try {
      switch (m.op) {
        case 'decide':
          // as text: measured cheaper per message than encoding to bytes and transferring them
          value = service.decide(m.app!, m.body!, m.view);
          break;
        case 'config':
          value = service.config(m.app!);
          break;
        case 'image':
          value = service.image(m.itemId!);
          break;
        case 'activate':
          value = service.activate(m.app!, m.release!);
          break;
        case 'preview':
          value = service.preview(m.app!, m.rules!, m.request!, m.traits);
          break;
        case 'flush':
          service.flush();
          break;
        case 'reloadModel':
          value = service.reloadModel();
          break;
        case 'diagnostics':
          value = { thread: probe?.take(), ...service.diagnostics() };
          break;
        case 'close':
          service.close();
          probe?.stop();
          db?.close();
          post({ t: 'reply', id: m.id, ok: true });
          port.close();
          return;
      }
    } catch (error) {
      return post({ t: 'reply', id: m.id, ok: false, error: (error as Error).stack ?? String(error) });
    }
    post({ t: 'reply', id: m.id, ok: true, value });
  });
}

if (parentPort) start(parentPort, workerData as EngineThreadData);
