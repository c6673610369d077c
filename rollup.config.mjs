// One rollup config for every output of DESIGN.md "Build outputs".
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import resolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';
import pkg from './package.json' with { type: 'json' };

const ts = (target = 'es2020') =>
  esbuild({ target, jsx: 'automatic', jsxImportSource: 'preact', tsconfig: 'tsconfig.json' });
const version = replace({ preventAssignment: true, values: { __SDK_VERSION__: JSON.stringify(pkg.version) } });
const min = terser({ ecma: 2020, module: false, compress: { passes: 3, pure_getters: true }, mangle: { properties: false } });
const deps = [...Object.keys(pkg.dependencies), 'zod/mini'];
const isDep = (id) => deps.some((d) => id === d || id.startsWith(d + '/'));
// the widgets' ESM build imports the core as the package itself, so an app holds one client
const sdkIndex = /[\\/]sdk[\\/]index(\.ts)?$/;
// the widgets chunk drives the page's client (window.slotwise): of the SDK it takes only the URL guards
const safetyOnly = {
  name: 'sdk-safety-only',
  resolveId: (id, from) => (from && sdkIndex.test(id) ? new URL('sdk/safety.ts', import.meta.url).pathname : null),
};

// the script-tag core takes the network module (fetch, the lean answer checks, the options check) lazily: its
// `./net` is sdk/net-lazy.ts, which loads dist/slotwise-net.min.js (sdk/net-entry.ts) at start
const lazyNet = {
  name: 'sdk-lazy-net',
  resolveId: (id, from) =>
    from && /[\\/]sdk[\\/]/.test(from) && /^\.\/net(\.ts)?$/.test(id) ? new URL('sdk/net-lazy.ts', import.meta.url).pathname : null,
};

const builds = [];
const when = (file, config) => existsSync(file) && builds.push(config);

when('sdk/index.ts', {
  input: 'sdk/index.ts',
  external: isDep,
  // the client checks answers with the lean schemas: contract.ts's zod part is for the server, and
  // its import must not stay behind as a bare `import 'zod/mini'` (zod has no side effects)
  treeshake: { moduleSideEffects: (id, external) => !(external && /^zod(\/|$)/.test(id)) },
  plugins: [version, ts()],
  output: { file: 'dist/index.js', format: 'es', sourcemap: true },
});
when('sdk/index.ts', {
  input: 'sdk/index.ts',
  external: isDep,
  plugins: [dts({ tsconfig: 'tsconfig.json' })],
  output: { file: 'dist/index.d.ts', format: 'es' },
});
when('widgets/index.ts', {
  input: 'widgets/index.ts',
  external: (id) => isDep(id) || sdkIndex.test(id),
  // keep `slotwise` a package import (rollup would otherwise write the relative external as './slotwise')
  makeAbsoluteExternalsRelative: false,
  plugins: [version, ts()],
  output: { file: 'dist/widgets.js', format: 'es', sourcemap: true, paths: (id) => (sdkIndex.test(id) ? 'slotwise' : id) },
});
when('widgets/index.ts', {
  input: 'widgets/index.ts',
  external: (id) => isDep(id) || sdkIndex.test(id),
  makeAbsoluteExternalsRelative: false,
  plugins: [dts({ tsconfig: 'tsconfig.json' })],
  output: { file: 'dist/widgets.d.ts', format: 'es', paths: (id) => (sdkIndex.test(id) ? 'slotwise' : id) },
});
when('sdk/script-tag.ts', {
  input: 'sdk/script-tag.ts',
  plugins: [lazyNet, version, resolve({ browser: true }), ts(), min],
  output: { file: 'dist/slotwise.min.js', format: 'iife', name: 'slotwiseBundle' },
});
when('sdk/net-entry.ts', {
  input: 'sdk/net-entry.ts',
  plugins: [version, resolve({ browser: true }), ts(), min],
  output: { file: 'dist/slotwise-net.min.js', format: 'iife' },
});
when('widgets/script-tag.ts', {
  input: 'widgets/script-tag.ts',
  plugins: [safetyOnly, version, resolve({ browser: true }), ts(), min],
  output: { file: 'dist/slotwise-widgets.min.js', format: 'iife' },
});
when('demo/preact-app.tsx', {
  input: 'demo/preact-app.tsx',
  plugins: [version, resolve({ browser: true }), ts(), min],
  output: { file: 'dist/demo/preact-app.js', format: 'es' },
});
// the operator console: its own bundle, never part of the SDK's budgets; its page and stylesheet
// are copied beside it, and the server serves the folder at /console/
const consoleAssets = {
  name: 'console-assets',
  buildStart() {
    for (const f of ['console/index.html', 'console/styles.css']) this.addWatchFile(f);
  },
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'index.html', source: readFileSync('console/index.html', 'utf8') });
    this.emitFile({ type: 'asset', fileName: 'console.css', source: readFileSync('console/styles.css', 'utf8') });
  },
};
// echarts declares no sideEffects: its barrels (echarts/charts, /components, /renderers) would keep
// every chart; they only re-export, so they are side-effect free and the unused parts drop out
const echartsBarrel = /[\\/]echarts[\\/](lib[\\/]export[\\/])?(charts|components|renderers|features)\.js$/;
when('console/entry.ts', {
  input: 'console/entry.ts',
  treeshake: { moduleSideEffects: (id) => !echartsBarrel.test(id) },
  // echarts reads process.env.NODE_ENV for its development warnings: a browser has no `process`
  plugins: [
    consoleAssets,
    replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
    resolve({ browser: true }),
    ts(),
    terser({ ecma: 2020, module: true, compress: { passes: 2 } }),
  ],
  output: { dir: 'dist/console', entryFileNames: 'console.js', format: 'es' },
});
when('server-stub/main.ts', {
  // engine-worker.js must sit beside the server: engine/thread.ts starts it from there
  input: { main: 'server-stub/main.ts', 'engine-worker': 'server-stub/engine/worker.ts', ...(existsSync('server-stub/train-cli.ts') ? { train: 'server-stub/train-cli.ts' } : {}) },
  external: (id) => isDep(id) || id.startsWith('node:') || builtinModules.includes(id),
  plugins: [version, ts('node20')],
  output: { dir: 'dist/server', format: 'es', sourcemap: true },
});

export default builds;
