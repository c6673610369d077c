/**
 * `npm run models -- <command>`: the model registry from the command line.
 *
 *   train --in FILE --target COL --positive VALUE [--spec spec.json] [--exclude a,b] [--creator NAME]
 *                           trains the additive scorer on a CSV and registers it (not live)
 *   spec --in FILE --target COL --positive VALUE [--exclude a,b]   prints an inferred spec to edit
 *   list                    every model, oldest first; * marks the live one of its target
 *   live ID [--by NAME]     makes ID the live model of its target
 *   rollback TARGET [--to ID] [--by NAME]   back to the model live before (or to ID)
 *   history [TARGET]        every live change
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { readCsvFile } from '../data';
import { train, type Fitted } from '../evaluate';
import { withReference } from '../reference';
import { createRegistry, fingerprint } from '../registry';
import { parseSpec } from '../spec';
import { inferSpec, loadTable } from '../table';

const USAGE = `Usage: npm run models -- <command> [options]

  train --in FILE --target COL --positive VALUE[,VALUE] [--spec spec.json] [--exclude a,b] [--creator NAME] [--temporal]
                          trains the additive scorer on a CSV (.gz too) and registers it (not live)
  spec --in FILE --target COL --positive VALUE [--exclude a,b] [--delimiter ';']
                          prints an inferred feature spec to edit and pass back with --spec
  list                    every model, oldest first; * marks the live one of its target
  live ID [--by NAME]     makes ID the live model of its target
  rollback TARGET [--to ID] [--by NAME]
                          makes live again the model live before the current one (or ID)
  history [TARGET]        every live change, oldest first
  --registry DIR          the registry (default .slotwise-data/models/registry)`;

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      in: { type: 'string' }, target: { type: 'string' }, positive: { type: 'string' }, spec: { type: 'string' }, exclude: { type: 'string' },
      delimiter: { type: 'string' }, creator: { type: 'string' }, by: { type: 'string' }, to: { type: 'string' }, registry: { type: 'string' },
      'allow-leak': { type: 'string' }, temporal: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) return console.log(USAGE), command ? 0 : 2;
  const registry = createRegistry({ dir: values.registry ?? '.slotwise-data/models/registry' });
  const who = values.by ?? values.creator ?? process.env.USER ?? 'unknown';
  switch (command) {
    case 'spec':
    case 'train': {
      if (!values.in) throw new Error('--in FILE is required');
      const { bytes, text } = readCsvFile(values.in);
      const spec = values.spec
        ? parseSpec(JSON.parse(readFileSync(values.spec, 'utf8')))
        : inferSpec({ text, target: values.target ?? '', positive: (values.positive ?? '').split(','), exclude: values.exclude?.split(','), delimiter: values.delimiter });
      if (command === 'spec') return console.log(JSON.stringify(spec, null, 2)), 0;
      const { table, bad } = loadTable({ spec, text, allowLeaks: values['allow-leak']?.split(',') });
      for (const b of bad.slice(0, 20)) console.error(`line ${b.line} skipped: ${b.message}`);
      const start = performance.now();
      const fitted = train('additive', table, { temporal: values.temporal ?? false }) as Extract<Fitted, { kind: 'additive' }>;
      const seconds = (performance.now() - start) / 1000;
      // the training rows' scores are the population "top N %" audiences are cut against (reference.ts)
      const entry = registry.register({ model: withReference(fitted.model, table), metrics: { trainSeconds: seconds, rows: table.n, chosen: fitted.chosen }, creator: who, fingerprint: fingerprint(bytes, table.n) });
      console.log(`registered ${entry.id}: ${table.n} rows (${bad.length} skipped), ${seconds.toFixed(1)} s, pairs: ${fitted.chosen.pairs.join(', ') || 'none'}`);
      return 0;
    }
    case 'list':
      for (const e of registry.list()) console.log(`${e.live ? '*' : ' '} ${e.id}  ${e.target}  ${e.createdAt}  by ${e.creator}  rows ${e.fingerprint.rows}  data ${e.fingerprint.sha256.slice(0, 12)}`);
      return 0;
    case 'live': {
      const c = registry.markLive(arg ?? '', who);
      console.log(`${c.id} is live for ${c.target}`);
      return 0;
    }
    case 'rollback': {
      const c = registry.rollback(arg ?? '', who, values.to);
      console.log(`rolled back: ${c.id} is live for ${c.target}`);
      return 0;
    }
    case 'history':
      for (const c of registry.history().filter((c) => !arg || c.target === arg)) console.log(`${c.at}  ${c.target}  ${c.action.padEnd(8)} ${c.id}  by ${c.by}`);
      return 0;
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (error) {
  console.error(`models: ${(error as Error).message}`);
  process.exit(1);
}
