/**
 * Builds one output of rollup.config.mjs in memory, exactly as `npm run build` does, and measures it:
 * the size tests' single way to get the shipped number (min+gzip, level 9) and where the bytes go.
 */
import { gzipSync } from 'node:zlib';
import { rollup, type OutputChunk, type OutputOptions, type RollupOptions } from 'rollup';

export interface BundleSize {
  code: string;
  gz: number;
  modules: OutputChunk['modules'];
  /**
   * one line per package or source file, biggest first: bytes as rendered into the bundle (before
   * minification) and that code gzipped alone (an upper bound of its share: alone it shares no
   * dictionary with the rest)
   */
  table: string;
}

/** `file` is the output path as rollup.config.mjs names it, e.g. 'dist/slotwise.min.js'. */
export async function bundleSize(file: string): Promise<BundleSize> {
  const configUrl = new URL('../../rollup.config.mjs', import.meta.url).href;
  const configs: RollupOptions[] = (await import(configUrl)).default;
  const config = configs.find((c) => (c.output as OutputOptions).file === file);
  if (!config) throw new Error(`rollup.config.mjs builds no ${file}`);
  const bundle = await rollup({ ...config, onwarn: () => {} });
  const { output } = await bundle.generate(config.output as OutputOptions);
  await bundle.close();
  const { code, modules } = output[0];
  const parts: Record<string, { bytes: number; code: string }> = {};
  for (const [id, m] of Object.entries(modules)) {
    const key = id.includes('node_modules/')
      ? id.split('node_modules/')[1]!.split('/').slice(0, 2).join('/')
      : id.replace(/^.*?\/(sdk|widgets)\//, '$1/');
    const part = (parts[key] ??= { bytes: 0, code: '' });
    part.bytes += m.renderedLength;
    part.code += m.code ?? '';
  }
  const table =
    '  rendered  gz alone  module\n' +
    Object.entries(parts)
      .filter(([, p]) => p.bytes > 0)
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .map(([k, p]) => `  ${String(p.bytes).padStart(8)}  ${String(gzipSync(p.code, { level: 9 }).length).padStart(8)}  ${k}`)
      .join('\n');
  return { code, gz: gzipSync(code, { level: 9 }).length, modules, table };
}

/** `name: 12345 bytes min, 6789 bytes min+gzip (6.6 KB of 14 KB)` */
export const sizeLine = (name: string, s: BundleSize, budget: number) =>
  `${name}: ${s.code.length} bytes min, ${s.gz} bytes min+gzip (${(s.gz / 1024).toFixed(1)} KB of ${budget / 1024} KB)`;
