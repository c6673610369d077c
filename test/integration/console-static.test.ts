// The console's files at /console/: served from their own folder under a strict CSP that allows no
// inline script, no other origin and no framing; nothing outside the folder is reachable.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../server-stub/http/static';
import { startServer, type TestServer } from '../helpers/server';

describe('GET /console/', () => {
  let s: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-console-'));
  beforeAll(async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'console.js'), 'export {};');
    s = await startServer({ staticDirs: { console: dir } });
  });
  afterAll(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page and its script under the console policy', async () => {
    for (const path of ['/console/', '/console', '/console/index.html']) {
      const r = await fetch(s.url + path);
      expect(r.status, path).toBe(200);
      expect(await r.text()).toContain('<title>console</title>');
      expect(r.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(r.headers.get('x-frame-options')).toBe('DENY');
    }
    const js = await fetch(`${s.url}/console/console.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
  });

  it('reaches nothing outside its folder, and the demo keeps its own headers', async () => {
    for (const path of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/.hidden', '/console/nope.js']) {
      expect((await fetch(s.url + path)).status, path).toBe(404);
    }
    expect((await fetch(`${s.url}/`)).headers.get('x-frame-options')).toBeNull();
  });
});
