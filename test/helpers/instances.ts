/**
 * Test helper: server-stub instances as real processes (server-stub/main.ts bundled with esbuild,
 * its engine worker beside it), so "killed" is a kill (SIGKILL), not a graceful close. For the
 * tests of many instances on one PostgreSQL.
 *
 * @example
 * const bundle = await bundleServer();
 * const a = await startInstance({ bundle: bundle.main, dataDir: join(work, 'a'), args: ['--store', url] });
 * await stopInstance(a, 'SIGKILL');
 * bundle.remove();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Instance {
  url: string;
  port: number;
  child: ChildProcess;
  /** everything it wrote to stdout and stderr */
  output: string[];
}

/** Bundles main.ts and the engine worker under node_modules/.cache (so external packages resolve). */
export async function bundleServer(): Promise<{ main: string; remove(): void }> {
  const out = join(root, 'node_modules', '.cache', 'slotwise', `instances-${process.pid}-${Date.now() % 1e6}`);
  mkdirSync(out, { recursive: true });
  const { build } = await import('esbuild');
  await build({
    entryPoints: { main: join(root, 'server-stub', 'main.ts'), 'engine-worker': join(root, 'server-stub', 'engine', 'worker.ts') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: out,
    outExtension: { '.js': '.mjs' },
    define: { __SDK_VERSION__: JSON.stringify('0.0.0-test') },
    logLevel: 'error',
  });
  return { main: join(out, 'main.mjs'), remove: () => rmSync(out, { recursive: true, force: true }) };
}

/** Starts `node <bundle> --port <port> --data <dataDir> …args` and resolves once it listens. */
export function startInstance(o: { bundle: string; dataDir: string; port?: number; args?: string[]; children?: Set<ChildProcess> }): Promise<Instance> {
  const child = spawn(process.execPath, [o.bundle, '--port', String(o.port ?? 0), '--data', o.dataDir, ...(o.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  o.children?.add(child);
  child.once('exit', () => o.children?.delete(child));
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${o.dataDir} did not start: ${output.join('')}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      output.push(d.toString());
      const m = /listening on (http:\/\/\S+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, port: Number(new URL(m[1]!).port), child, output });
      }
    });
    child.once('exit', (code) => reject(new Error(`${o.dataDir} exited (${code}): ${output.join('')}`)));
  });
}

/** Sends `signal` and resolves once the process exited. */
export const stopInstance = (i: Instance, signal: NodeJS.Signals) =>
  new Promise<void>((resolve) => {
    if (i.child.exitCode !== null || i.child.signalCode !== null) return resolve();
    i.child.once('exit', () => resolve());
    i.child.kill(signal);
  });
