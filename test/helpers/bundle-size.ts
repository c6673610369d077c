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
  /** one line per package or source file, biggest first (sizes before minification) */
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
  const parts: Record<string, number> = {};
  for (const [id, m] of Object.entries(modules)) {
    const key = id.includes('node_modules/')
      ? id.split('node_modules/')[1]!.split('/').slice(0, 2).join('/')
      : id.replace(/^.*?\/(sdk|widgets)\//, '$1/');
    parts[key] = (parts[key] ?? 0) + m.renderedLength;
  }
  const table = Object.entries(parts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `  ${String(v).padStart(7)}  ${k}`)
    .join('\n');
  return { code, gz: gzipSync(code, { level: 9 }).length, modules, table };
}

/** `name: 12345 bytes min, 6789 bytes min+gzip (6.6 KB of 14 KB)` */
export const sizeLine = (name: string, s: BundleSize, budget: number) =>
  `${name}: ${s.code.length} bytes min, ${s.gz} bytes min+gzip (${(s.gz / 1024).toFixed(1)} KB of ${budget / 1024} KB)`;
