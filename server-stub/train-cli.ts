/**
 * `npm run train -- --data DIR`: fits the additive model on the decisions, impressions and clicks
 * logged in `<DIR>/slotwise.db` and writes `<DIR>/models/model-<version>.json`. The server loads
 * the newest model when it starts. Prints the held-out AUC next to the popularity baseline's.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDb } from './store/db';
import { saveModel } from './engine/model';
import { migrateEngine } from './engine/schema';
import { trainModel } from './engine/train';

const USAGE = `Usage: npm run train -- [options]

  --data DIR        data directory of the server (default .slotwise-data/)
  --app APP         train on one app's logs only (default: all apps)
  --epochs N        passes over the data (default 25)
  --max-rows N      newest logged items to read at most (default 500000)
  --seed N          initialisation and shuffling seed (default 1)
  --dry-run         train and report, write no model file
  --help            this text`;

function int(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${flag} wants a whole number ≥ 1, got "${text}"`);
  return Number(text);
}

function main(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        data: { type: 'string' },
        app: { type: 'string' },
        epochs: { type: 'string' },
        'max-rows': { type: 'string' },
        seed: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`train: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = resolve(values.data ?? '.slotwise-data');
  const db = openDb(dataDir);
  try {
    migrateEngine(db);
    const started = Date.now();
    const result = trainModel({
      db,
      app: values.app,
      epochs: int('--epochs', values.epochs, 25),
      maxRows: int('--max-rows', values['max-rows'], 500_000),
      seed: int('--seed', values.seed, 1),
    });
    const { metrics } = result;
    console.log(`trained on ${metrics.rows - metrics.heldOut} examples, held out ${metrics.heldOut} (${metrics.positives} clicks in all) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`held-out AUC: model ${metrics.auc.toFixed(4)}, popularity baseline ${metrics.baselineAuc.toFixed(4)}`);
    console.log('mean |contribution| per feature on the held-out part:');
    for (const { feature, meanAbs } of result.importance) console.log(`  ${feature.padEnd(18)} ${meanAbs.toFixed(4)}`);
    if (values['dry-run']) return 0;
    const path = saveModel(join(dataDir, 'models'), result.file);
    console.log(`wrote ${path}; restart the server to load it`);
    return 0;
  } catch (error) {
    console.error(`train: ${(error as Error).message}`);
    return 1;
  } finally {
    db.close();
  }
}

process.exitCode = main(process.argv.slice(2));
