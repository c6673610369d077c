/**
 * Scoring with a trained additive model: one row (real time) or a whole CSV (batch, streaming).
 * A row's reasons are its three largest positive contributions, in plain words ("poutcome is
 * success", "age is 61"): what raises this row's score against a typical row.
 */
import { compile, scoreRow, sigmoid, termNames, type AdditiveModel, type Compiled } from './additive';
import { createRecordReader } from './csv-lines';
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
  const order = new Int32Array(TOP);
  return {
    compiled,
    score(values, raw, locale) {
      const logit = scoreRow(compiled, values, out);
      const n = topTerms(out, order);
      const cell = (f: number) => {
        if (raw) return raw[f]!;
        const v = values[f]!;
        const levels = model.levels[f];
        return String(levels ? levels[v] : v);
      };
      const reasons: Reason[] = [];
      for (let k = 0; k < n; k++) {
        const j = order[k]!;
        reasons.push({ feature: names[j]!, label: termLabel(model, j, cell, locale), contribution: Math.round(out[j]! * 1000) / 1000 });
      }
      return { score: sigmoid(logit), reasons };
    },
  };
}

/** The (at most TOP) terms with the largest contributions ≥ MIN, largest first, into `order`; returns how many. */
function topTerms(out: Float64Array, order: Int32Array): number {
  let n = 0;
  for (let j = 0; j < out.length; j++) {
    const c = out[j]!;
    if (c < MIN) continue;
    let at = n;
    while (at > 0 && out[order[at - 1]!]! < c) at--;
    if (at >= TOP) continue;
    for (let i = Math.min(n, TOP - 1); i > at; i--) order[i] = order[i - 1]!;
    order[at] = j;
    if (n < TOP) n++;
  }
  return n;
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

/** output is handed to `write` in pieces of about this many characters */
const OUT_CHUNK = 1 << 20;

/**
 * Reads a CSV with a header, writes it back with `score,reason_1,reason_2,reason_3` appended to
 * every good row (same delimiter). Rows that cannot be read (wrong cell count, a non-number where a
 * number belongs, an unclosed quote) go to `onBad` with their line and are left out.
 *
 * The hot path per row allocates only its cells and its output line: records arrive by callback
 * (csv-lines.ts), values and contributions live in buffers made once, and a reason's cell is read
 * and worded only for the three terms that make the reasons.
 */
export async function scoreCsv(o: BatchOptions): Promise<{ rows: number; bad: number }> {
  const model = o.model;
  const spec = model.spec;
  const d = spec.delimiter ?? ',';
  const compiled = compile(model);
  const nf = spec.features.length;
  const cols = allocColumns(spec, 1);
  const values = new Float64Array(nf);
  const out = new Float64Array(model.terms.length);
  const order = new Int32Array(TOP);
  let enc: ReturnType<typeof rowEncoder> | undefined;
  let index: number[] = [];
  let rows = 0;
  let bad = 0;
  let bytes = 0;
  let buffer = '';
  let cells: string[] = [];
  const cell = (j: number) => cells[index[j]!]!.trim();
  const reader = createRecordReader(d, {
    record(row, text, line) {
      if (!enc) {
        const header = row.map((c) => c.trim());
        enc = rowEncoder(spec, header, model.levels.map((l) => l ?? undefined), false);
        index = spec.features.map((f) => header.indexOf(f.name));
        buffer += [...row.map((c) => quote(c, d)), 'score', 'reason_1', 'reason_2', 'reason_3'].join(d) + '\n';
        return;
      }
      const error = enc.encode(row, 0, cols);
      if (error) {
        bad++;
        o.onBad?.(line, error);
        return;
      }
      for (let j = 0; j < nf; j++) values[j] = cols[j]![0]!;
      const logit = scoreRow(compiled, values, out);
      const n = topTerms(out, order);
      cells = row;
      // the record as it was written, so nothing in it is re-quoted or changed
      let s = text + d + sigmoid(logit).toFixed(6);
      for (let k = 0; k < TOP; k++) s += k < n ? d + quote(termLabel(model, order[k]!, cell), d) : d;
      buffer += s + '\n';
      rows++;
    },
    error(line, message) {
      bad++;
      o.onBad?.(line, message);
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of o.input) {
    reader.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    o.onProgress?.(bytes, rows);
    if (buffer.length > OUT_CHUNK) {
      await o.write(buffer);
      buffer = '';
    }
  }
  reader.feed(decoder.decode());
  reader.end();
  if (!enc) throw new Error('the file is empty (no header)');
  if (buffer) await o.write(buffer);
  o.onProgress?.(bytes, rows);
  return { rows, bad };
}
