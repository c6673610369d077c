/**
 * `npm run eval:bank`: the honest evaluation on Bank Marketing. Prints a table and writes
 * `eval/bank.json` ({ temporal: { additive, logistic, trees, prior }, fold5: { … with folds } }),
 * `eval/bank-details.json` (hyper-parameters chosen, full-data training time) and the pictures in
 * `eval/bank/` (shapes, importance, pairs, calibration). Then trains the additive scorer on all
 * rows, timed, and with `--register` stores it in the registry.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { BANK_FILE, readCsvFile } from '../data';
import { evaluate, KINDS, train, type Evaluation, type Fitted } from '../evaluate';
import { reliability } from '../metrics';
import { writePictures } from '../pictures';
import { createRegistry, fingerprint } from '../registry';
import { bankSpec } from '../spec';
import { calibrationSvg } from '../svg';
import { loadTable } from '../table';

const USAGE = `Usage: npm run eval:bank -- [--data FILE] [--out DIR] [--register] [--registry DIR] [--creator NAME]`;

function table(e: Evaluation): string {
  const rows = ['protocol  model     AUC     logLoss  Brier   lift@10%  train s'];
  for (const protocol of ['temporal', 'fold5'] as const) {
    for (const kind of KINDS) {
      const m = e[protocol][kind];
      rows.push(`${protocol.padEnd(9)} ${kind.padEnd(9)} ${m.auc.toFixed(4)}  ${m.logLoss.toFixed(4)}   ${m.brier.toFixed(4)}  ${m.liftTop10.toFixed(2).padStart(6)}    ${m.trainSeconds.toFixed(1).padStart(5)}`);
    }
  }
  return rows.join('\n');
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' }, register: { type: 'boolean' }, registry: { type: 'string' }, creator: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`eval:bank: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) return console.log(USAGE);
  const out = values.out ?? 'eval';
  const { bytes, text } = readCsvFile(values.data ?? BANK_FILE);
  const spec = bankSpec();
  const { table: t, bad } = loadTable({ spec, text });
  if (bad.length) console.error(`eval:bank: ${bad.length} unreadable rows skipped (first: line ${bad[0]!.line}: ${bad[0]!.message})`);
  let positives = 0;
  for (let i = 0; i < t.n; i++) positives += t.y[i]!;
  console.log(`Bank Marketing: ${t.n} rows, ${positives} positive; ${spec.features.length} features (never: ${spec.mustNotUse.map((m) => m.column).join(', ')})`);
  const detail = evaluate(t, { onRun: (p, k, m) => console.error(`  ${p.padEnd(8)} ${k.padEnd(9)} AUC ${m.auc.toFixed(4)}  (${m.trainSeconds.toFixed(1)} s)`) });
  console.log(`\n${table(detail.evaluation)}\n`);
  mkdirSync(join(out, 'bank'), { recursive: true });
  writeFileSync(join(out, 'bank.json'), JSON.stringify(detail.evaluation, null, 1) + '\n');

  // pictures: each model as fitted on the temporal training part, drawn over those rows
  const trainPart = loadTable({ spec, text }).table;
  const cut = Math.floor(trainPart.n * 0.8);
  const trainRows: typeof trainPart = { ...trainPart, n: cut, y: trainPart.y.subarray(0, cut), cols: trainPart.cols.map((c) => c.subarray(0, cut)) };
  const files: string[] = [];
  for (const kind of KINDS) {
    const f = detail.temporalFitted[kind];
    if (f && kind !== 'prior') files.push(...writePictures(join(out, 'bank'), kind, f, trainRows));
  }
  const curves = (p: Record<string, Float64Array>, y: ArrayLike<number>) => KINDS.map((k) => ({ name: k, points: reliability(p[k]!, y) }));
  writeFileSync(join(out, 'bank', 'calibration-temporal.svg'), calibrationSvg(curves(detail.temporalTest.p, detail.temporalTest.y), 'Calibration, temporal test (last 20 %)'));
  writeFileSync(join(out, 'bank', 'calibration-fold5.svg'), calibrationSvg(curves(detail.outOfFold, t.y), 'Calibration, 5-fold out-of-fold'));
  files.push('calibration-temporal.svg', 'calibration-fold5.svg');

  // the additive scorer on all rows, the model one would register: its epochs and pairs chosen on a
  // stratified inner 20 % (the temporal tail is too shifted to pick a deployable model on)
  const start = performance.now();
  const full = train('additive', t, { temporal: false }) as Extract<Fitted, { kind: 'additive' }>;
  const fullSeconds = Math.round((performance.now() - start) / 10) / 100;
  files.push(...writePictures(join(out, 'bank'), 'additive-all-rows', full, t));
  const chosen = Object.fromEntries(KINDS.map((k) => [k, detail.temporalFitted[k]?.chosen]));
  writeFileSync(
    join(out, 'bank-details.json'),
    JSON.stringify({ rows: t.n, positives, temporalChosen: chosen, fullData: { trainSeconds: fullSeconds, chosen: full.chosen }, pictures: files.sort() }, null, 1) + '\n',
  );
  console.log(`additive scorer on all ${t.n} rows: trained in ${fullSeconds} s (epochs ${full.chosen.epochs}, pairs: ${full.chosen.pairs.join(', ') || 'none'})`);
  console.log(`wrote ${join(out, 'bank.json')}, ${join(out, 'bank-details.json')} and ${files.length} pictures in ${join(out, 'bank')}/`);
  if (values.register) {
    const registry = createRegistry({ dir: values.registry ?? '.slotwise-data/models/registry' });
    const entry = registry.register({ model: full.model, metrics: { temporal: detail.evaluation.temporal.additive, fold5: detail.evaluation.fold5.additive }, creator: values.creator ?? process.env.USER ?? 'unknown', fingerprint: fingerprint(bytes, t.n) });
    console.log(`registered ${entry.id} (not live: npm run models -- live ${entry.id})`);
  }
}

main();
