// What a bank's security review greps the script-tag bundles for: nothing but public code may ship
// in dist/slotwise*.min.js — no key-looking material, no server or build-machine paths, no
// `process.env`, no source maps carrying the sources. App keys are public identifiers passed in by
// the page (data-app-key), never built in.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'dist');
const REQUIRED = ['slotwise.min.js', 'slotwise-widgets.min.js'];

/** Each finding names the rule and the text that tripped it. */
const RULES: [string, RegExp][] = [
  ['process.env', /process\.env/],
  ['source map reference', /sourceMappingURL/],
  ['absolute path', /(?:\/(?:work|home|root|Users|tmp|var|etc|opt)\/[\w.-]+)|[A-Z]:\\\\[\w.-]+|file:\/\//],
  ['build or server internals', /node_modules|server-stub|\.slotwise-data|keys\.json|slotwise\.db|better-sqlite3/],
  ['payment/API key prefix', /\b(?:pk|sk|rk)_(?:live|test)_[A-Za-z0-9]{6,}/],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['cloud access key', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bAIza[0-9A-Za-z_-]{35}\b/],
  ['token', /\b(?:ghp|gho|github_pat|xox[abprs])_?[A-Za-z0-9_-]{20,}|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./],
  ['long hex secret', /\b[0-9a-fA-F]{32,}\b/],
  ['long base64 blob', /[A-Za-z0-9+/]{48,}={0,2}/],
];

function scan(text: string): string[] {
  const found: string[] = [];
  for (const [name, rule] of RULES) {
    const m = rule.exec(text);
    if (m) found.push(`${name}: …${text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30)}…`);
  }
  return found;
}

function bundles(): string[] {
  if (!REQUIRED.every((f) => existsSync(join(dist, f)))) {
    const build = spawnSync('npx', ['rollup', '-c', '--silent'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the build failed');
  }
  return readdirSync(dist).filter((f) => /^slotwise.*\.min\.js$/.test(f));
}

describe('no secret in the client bundles', () => {
  test('the scanner finds each kind of secret it looks for (so a clean scan means something)', () => {
    const planted = [
      'var k=process.env.SECRET;',
      '//# sourceMappingURL=slotwise.min.js.map',
      'fetch("/work/main/.slotwise-data/keys.json")',
      'import("../server-stub/db")',
      'key:"pk_live_3f9c8a7b6d5e"',
      '-----BEGIN RSA PRIVATE KEY-----',
      'AKIAIOSFODNN7EXAMPLE',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig',
      'k="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
      'b="QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w"',
    ];
    for (const p of planted) expect(scan(`!function(){${p}}();`), p).not.toEqual([]);
  });

  test('dist/slotwise*.min.js: nothing key-looking, no paths, no process.env, no source maps', { timeout: 300_000 }, () => {
    const files = bundles();
    for (const f of REQUIRED) expect(files).toContain(f);
    for (const f of files) {
      const text = readFileSync(join(dist, f), 'utf8');
      expect(text.length, f).toBeGreaterThan(1000);
      expect(scan(text), f).toEqual([]);
      // a map next to the bundle would hand out the sources even without the comment
      const map = join(dist, `${f}.map`);
      if (existsSync(map)) expect(JSON.parse(readFileSync(map, 'utf8')).sourcesContent ?? [], `${f}.map`).toEqual([]);
    }
  });
});
