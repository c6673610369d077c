/**
 * `npm run score -- --model ID --in customers.csv --out scored.csv`: scores every row of a CSV
 * with a registered model (by id, or `live:<target>` for the live one, or a model JSON file),
 * adding the score and the top three plain-language reasons. Streams (a file of any size), shows
 * a progress bar on stderr, reports bad rows by line and skips them.
 */
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { SingleBar, Presets } from 'cli-progress';
import type { AdditiveModel } from '../additive';
import { checkModel } from '../check';
import { createRegistry } from '../registry';
import { scoreCsv } from '../score';

const USAGE = `Usage: npm run score -- --model ID --in FILE.csv[.gz] --out FILE.csv [--registry DIR] [--quiet]

  --model ID     a registry id, live:<target> for the live model of a target, or a model .json file
  --in FILE      the rows to score (a header row; the model's feature columns; .gz is read as gzip)
  --out FILE     the scored copy: every good row + score, reason_1, reason_2, reason_3
  --registry DIR (default .slotwise-data/models/registry)`;

function loadModel(id: string, dir: string): AdditiveModel {
  if (id.endsWith('.json') && existsSync(id)) {
    const v = JSON.parse(readFileSync(id, 'utf8')) as { model?: unknown };
    return checkModel(v.model ?? v);
  }
  const registry = createRegistry({ dir });
  if (id.startsWith('live:')) {
    const e = registry.live(id.slice(5));
    if (!e) throw new Error(`no live model for target "${id.slice(5)}"`);
    return e.model;
  }
  return registry.get(id).model;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { model: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' }, registry: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`score: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) return console.log(USAGE), 0;
  if (!values.model || !values.in || !values.out) {
    console.error(`score: --model, --in and --out are required\n\n${USAGE}`);
    return 2;
  }
  const model = loadModel(values.model, values.registry ?? '.slotwise-data/models/registry');
  const size = statSync(values.in).size;
  const raw = createReadStream(values.in, { highWaterMark: 1 << 20 });
  const input = values.in.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const output = createWriteStream(values.out);
  const bar = values.quiet || !process.stderr.isTTY ? undefined : new SingleBar({ format: 'score [{bar}] {percentage}% | {rows} rows | {eta}s left', hideCursor: true, stream: process.stderr }, Presets.shades_classic);
  let compressedSeen = 0;
  raw.on('data', (c) => (compressedSeen += c.length));
  bar?.start(size, 0, { rows: 0 });
  let badShown = 0;
  const started = Date.now();
  const result = await scoreCsv({
    model,
    input,
    write: async (text) => {
      if (!output.write(text)) await once(output, 'drain');
    },
    onBad: (line, message) => {
      if (badShown++ < 20) (bar ? bar.stop() : undefined, console.error(`score: line ${line} skipped: ${message}`));
      if (bar && badShown <= 20) bar.start(size, compressedSeen, { rows: 0 });
    },
    onProgress: (_bytes, rows) => bar?.update(compressedSeen, { rows }),
  });
  output.end();
  await once(output, 'finish');
  bar?.stop();
  const seconds = (Date.now() - started) / 1000;
  console.error(`score: ${result.rows} rows scored${result.bad ? `, ${result.bad} bad rows skipped${result.bad > 20 ? ' (first 20 shown)' : ''}` : ''} in ${seconds.toFixed(1)} s → ${values.out}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`score: ${(error as Error).message}`);
    process.exit(1);
  },
);
