/**
 * Scoring with a trained additive model: one row (real time) or a whole CSV (batch, streaming).
 * A row's reasons are its three largest positive contributions, in plain words ("poutcome is
 * success", "age is 61"): what raises this row's score against a typical row.
 */
import { compile, scoreRow, sigmoid, termNames, type AdditiveModel, type Compiled } from './additive';
import { records } from './csv-lines';
import { termLabel, type Locale } from './labels';
import { rowEncoder, allocColumns } from './table';

export interface Reason {
  feature: string;
  label: string;
  contribution: number;
}

const TOP = 3;
/** contributions below this are noise, not reasons */
const MIN = 0.01;

export interface Scorer {
  compiled: Compiled;
  /**
   * scores per-feature values (numeric: transformed, NaN missing; categorical: level code, −1 missing);
   * `raw` are the cells as written (shown in reasons), `locale` words the reasons for a customer (labels.ts)
   */
  score(values: ArrayLike<number>, raw?: readonly string[], locale?: Locale): { score: number; reasons: Reason[] };
}

/**
 * @example
 * const scorer = createScorer(model);
 * scorer.score(values, rawCells).reasons[0]?.label; // "poutcome is success"
 */
export function createScorer(model: AdditiveModel): Scorer {
  const compiled = compile(model);
  const names = termNames(model);
  const out = new Float64Array(model.terms.length);
  return {
    compiled,
    score(values, raw, locale) {
      const logit = scoreRow(compiled, values, out);
      // the TOP largest positive contributions, by insertion into a short list
      const order: number[] = [];
      for (let j = 0; j < out.length; j++) {
        const c = out[j]!;
        if (c < MIN) continue;
        let at = order.length;
        while (at > 0 && out[order[at - 1]!]! < c) at--;
        if (at >= TOP) continue;
        order.splice(at, 0, j);
        if (order.length > TOP) order.pop();
      }
      const cell = (f: number) => {
        if (raw) return raw[f]!;
        const v = values[f]!;
        const levels = model.levels[f];
        return String(levels ? levels[v] : v);
      };
      const reasons = order.map((j) => ({ feature: names[j]!, label: termLabel(model, j, cell, locale), contribution: Math.round(out[j]! * 1000) / 1000 }));
      return { score: sigmoid(logit), reasons };
    },
  };
}

export interface BatchOptions {
  model: AdditiveModel;
  input: AsyncIterable<Buffer | string>;
  /** receives output text in chunks; return a promise to apply back-pressure */
  write: (text: string) => void | Promise<void>;
  /** a row that cannot be scored: it is skipped */
  onBad?: (line: number, message: string) => void;
  /** bytes of input consumed so far, after each chunk */
  onProgress?: (bytes: number, rows: number) => void;
}

const quote = (s: string, d: string) => (s.includes(d) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * Reads a CSV with a header, writes it back with `score,reason_1,reason_2,reason_3` appended to
 * every good row (same delimiter). Rows that cannot be read (wrong cell count, a non-number where a
 * number belongs, an unclosed quote) go to `onBad` with their line and are left out.
 */
export async function scoreCsv(o: BatchOptions): Promise<{ rows: number; bad: number }> {
  const spec = o.model.spec;
  const d = spec.delimiter ?? ',';
  const scorer = createScorer(o.model);
  const nf = spec.features.length;
  const cols = allocColumns(spec, 1);
  const values = new Float64Array(nf);
  const raw: string[] = new Array(nf).fill('');
  let enc: ReturnType<typeof rowEncoder> | undefined;
  let index: number[] = [];
  let rows = 0;
  let bad = 0;
  let bytes = 0;
  let buffer = '';
  for await (const r of records(o.input, d)) {
    if (r.bytes) {
      bytes += r.bytes;
      o.onProgress?.(bytes, rows);
    }
    if (r.line < 0) continue;
    if ('error' in r) {
      bad++;
      o.onBad?.(r.line, r.error);
      continue;
    }
    if (!enc) {
      const header = r.cells.map((c) => c.trim());
      enc = rowEncoder(spec, header, o.model.levels.map((l) => l ?? undefined), false);
      index = spec.features.map((f) => header.indexOf(f.name));
      buffer += [...r.cells.map((c) => quote(c, d)), 'score', 'reason_1', 'reason_2', 'reason_3'].join(d) + '\n';
      continue;
    }
    const error = enc.encode(r.cells, 0, cols);
    if (error) {
      bad++;
      o.onBad?.(r.line, error);
      continue;
    }
    for (let j = 0; j < nf; j++) {
      values[j] = cols[j]![0]!;
      raw[j] = r.cells[index[j]!]!.trim();
    }
    const s = scorer.score(values, raw);
    // the record as it was written, so nothing in it is re-quoted or changed
    let line = r.text + d + s.score.toFixed(6);
    for (let k = 0; k < TOP; k++) line += d + quote(s.reasons[k]?.label ?? '', d);
    buffer += line + '\n';
    rows++;
    if (buffer.length > 1 << 16) {
      await o.write(buffer);
      buffer = '';
    }
  }
  if (!enc) throw new Error('the file is empty (no header)');
  if (buffer) await o.write(buffer);
  o.onProgress?.(bytes, rows);
  return { rows, bad };
}
