// The engine thread dying (a bug): the calls in flight fail with the reason, the host logs it and
// starts a new thread, and what is posted meanwhile waits for that thread instead of going to the
// dead one's port (where it was never answered). Catching up with stored events after a restart is
// test/integration/ingest.test.ts's part. The death is a fault injected here: the real worker, behind a
// listener that exits the thread on one marked call.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../server-stub/store/db';
import { startEngineThread, type EngineHost } from '../../server-stub/engine/thread';

const root = join(import.meta.dirname, '..', '..');
const CRASH = '__crash__';

/** the real worker entry behind a crash switch: a call for image '__crash__' ends the thread (code 7) */
async function crashableWorker(): Promise<string[]> {
  const dir = join(root, 'node_modules', '.cache', 'slotwise');
  mkdirSync(dir, { recursive: true });
  const real = join(dir, `real-worker-${process.pid}.mjs`);
  await build({ entryPoints: [join(root, 'server-stub', 'engine', 'worker.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: real, logLevel: 'error' });
  // the switch listens first, so the marked call is never answered: it is in flight when the thread dies
  const wrapper = join(dir, `crashable-worker-${process.pid}.mjs`);
  writeFileSync(
    wrapper,
    `import { parentPort } from 'node:worker_threads';
     parentPort.on('message', (m) => { if (m.t === 'call' && m.itemId === ${JSON.stringify(CRASH)}) process.exit(7); });
     await import(${JSON.stringify(pathToFileURL(real).href)});`,
  );
  return [wrapper, real];
}

const body = (user: string) =>
  JSON.stringify({
    anonymousId: user,
    sessionId: 's1',
    context: { page: '/index.html', channel: 'web', locale: 'en' },
    slots: [{ id: 'home.today', kind: 'picks', count: 3 }],
  });

describe('engine thread restart', () => {
  let dataDir: string;
  let files: string[];
  let engine: EngineHost | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'slotwise-engine-restart-'));
    openDb(dataDir).close();
    files = await crashableWorker();
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(dataDir, { recursive: true, force: true });
    for (const file of files) rmSync(file, { force: true });
  });

  it('calls in flight when it dies fail; calls made while it restarts are answered by the new thread', async () => {
    engine = await startEngineThread({ dataDir, catalogSize: 300, now: Date.now, log: (m) => logs.push(m), workerFile: files[0] });
    expect((await engine.decide('demo', body('a1'))).status).toBe(200);

    // calls in flight when the thread dies fail with the reason (the server answers them 500)
    const crash = engine.image(CRASH);
    const inFlight = engine.decide('demo', body('a2'));
    await expect(crash).rejects.toThrow('the engine thread exited (7)');
    await expect(inFlight).rejects.toThrow('the engine thread exited (7)');
    // the host has seen the exit and is starting a new thread: what is posted now waits for it
    expect(logs).toContain('engine thread exited (7); starting a new one');
    const after = [engine.decide('demo', body('a3')), engine.config('demo')] as const;
    const { status, body: text } = await after[0];
    expect(status).toBe(200);
    expect(JSON.parse(text).slots['home.today'].items).toHaveLength(3);
    expect(await after[1]).toMatchObject({ tags: expect.any(Array), triggers: expect.any(Array) });
    // and the thread is healthy from then on
    expect((await engine.decide('demo', body('a4'))).status).toBe(200);
  });

  it('a restarted thread runs the release activated last, not the one it started with', async () => {
    const { seedRuleSet } = await import('../../server-stub/rules/seed');
    const rules = seedRuleSet({ now: Date.now(), catalogSize: 300 });
    const release = (version: number, extra: typeof rules.triggers) => ({ version, publishedAt: Date.now(), rules: { ...rules, triggers: [...rules.triggers, ...extra] } });
    const trigger = { ...rules.triggers[0]!, id: 'after_restart' };
    const host = await startEngineThread({ dataDir, catalogSize: 300, releases: [{ app: 'demo', release: release(1, []) }], now: Date.now, log: () => {}, workerFile: files[0] });
    try {
      await host.activate('demo', release(2, [trigger]));
      expect(JSON.parse((await host.decide('demo', body('r1'))).body).release).toBe(2);
      await expect(host.image(CRASH)).rejects.toThrow('the engine thread exited (7)');
      expect(JSON.parse((await host.decide('demo', body('r2'))).body).release).toBe(2);
      const config = await host.config('demo');
      expect(config.release).toBe(2);
      expect(config.triggers.map((t) => (t as { id: string }).id)).toContain('after_restart');
    } finally {
      await host.close();
    }
  });
});
