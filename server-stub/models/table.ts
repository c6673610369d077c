/**
 * Feature tables: a CSV read through a spec into columns. Numeric columns hold the transformed
 * value (NaN = missing); categorical columns hold a level code (-1 = missing or a level the spec
 * does not know). Rows keep the file's order, which the temporal protocol relies on.
 *
 * Leaks are refused here, at the one door every table comes through: a spec that lists a column
 * both as a feature and under `mustNotUse` fails with the recorded reason, unless the caller names
 * that column in `allowLeaks` (for a deliberate demonstration of what the leak does).
 */
import { parse } from 'csv-parse/sync';
import { applyTransform, type ModelSpec } from './spec';

export interface Table {
  spec: ModelSpec;
  n: number;
  /** 1 = positive response */
  y: Uint8Array;
  /** per spec feature: Float64Array (numeric) or Int32Array (categorical codes) */
  cols: (Float64Array | Int32Array)[];
  /** per spec feature: its levels (categorical) or undefined (numeric) */
  levels: (string[] | undefined)[];
}

export class LeakError extends Error {
  constructor(readonly column: string, why: string) {
    super(`"${column}" must not be a model input: ${why}. (Pass allowLeaks: ["${column}"] only to demonstrate the leak.)`);
    this.name = 'LeakError';
  }
}

/** Throws a LeakError for the first feature on the spec's leak list that the caller did not allow. */
export function refuseLeaks(spec: ModelSpec, allowLeaks: readonly string[] = []): void {
  for (const f of spec.features) {
    const leak = spec.mustNotUse.find((m) => m.column === f.name);
    if (leak && !allowLeaks.includes(f.name)) throw new LeakError(f.name, leak.why);
  }
}

export interface BadRow {
  /** 1-based line in the file (the header is line 1) */
  line: number;
  message: string;
}

/**
 * Encodes one parsed row into preallocated columns. Built once per file from its header; the
 * levels are fixed (a trained model's, or learned in a first pass), so codes mean the same in
 * training and scoring.
 */
export interface RowEncoder {
  /** writes row `i`; returns an error message (the row is then unusable) or undefined */
  encode(cells: string[], i: number, cols: (Float64Array | Int32Array)[], y?: Uint8Array): string | undefined;
}

export function rowEncoder(spec: ModelSpec, header: string[], levels: (string[] | undefined)[], withTarget: boolean): RowEncoder {
  const at = (column: string) => {
    const k = header.indexOf(column);
    if (k < 0) throw new Error(`the file has no column "${column}" (it has: ${header.join(', ')})`);
    return k;
  };
  const index = spec.features.map((f) => at(f.name));
  const targetAt = withTarget ? at(spec.target.column) : -1;
  const missing = spec.features.map((f) => new Set(['', ...(f.missing ?? [])]));
  const codes = levels.map((ls) => (ls ? new Map(ls.map((l, c) => [l, c])) : undefined));
  const transforms = spec.features.map((f) => (f.type === 'numeric' ? f.transform : undefined));
  const positive = new Set(spec.target.positive);
  const width = header.length;
  return {
    encode(cells, i, cols, y) {
      if (cells.length !== width) return `expected ${width} cells, found ${cells.length}`;
      for (let j = 0; j < index.length; j++) {
        const text = cells[index[j]!]!.trim();
        const isMissing = missing[j]!.has(text);
        const codeMap = codes[j];
        if (codeMap) {
          (cols[j] as Int32Array)[i] = isMissing ? -1 : (codeMap.get(text) ?? -1);
        } else {
          if (isMissing) {
            (cols[j] as Float64Array)[i] = NaN;
            continue;
          }
          const x = Number(text);
          if (!Number.isFinite(x)) return `${spec.features[j]!.name}: "${text.slice(0, 40)}" is not a number`;
          (cols[j] as Float64Array)[i] = applyTransform(transforms[j], x);
        }
      }
      if (y) y[i] = positive.has(cells[targetAt]!.trim()) ? 1 : 0;
      return undefined;
    },
  };
}

export function allocColumns(spec: ModelSpec, n: number): (Float64Array | Int32Array)[] {
  return spec.features.map((f) => (f.type === 'numeric' ? new Float64Array(n) : new Int32Array(n)));
}

export interface LoadOptions {
  spec: ModelSpec;
  /** CSV text with a header row */
  text: string;
  /** columns on the spec's leak list that may be inputs anyway; for demonstrations only */
  allowLeaks?: string[];
  /** levels to use (a trained model's); default: the spec's declared levels, else those in the data, sorted */
  levels?: (string[] | undefined)[];
}

/**
 * Reads a whole CSV into a Table. Rows that cannot be read are skipped and returned by line.
 *
 * @example
 * const { table, bad } = loadTable({ spec: bankSpec(), text: gunzipSync(readFileSync(file)).toString() });
 */
export function loadTable(o: LoadOptions): { table: Table; bad: BadRow[] } {
  refuseLeaks(o.spec, o.allowLeaks);
  const rows = parse(o.text, { delimiter: o.spec.delimiter ?? ',', relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  if (!rows.length) throw new Error('the file is empty');
  const header = rows[0]!.record.map((h) => h.trim());
  const levels = o.levels ?? learnLevels(o.spec, header, rows.slice(1).map((r) => r.record));
  const enc = rowEncoder(o.spec, header, levels, true);
  const n = rows.length - 1;
  const cols = allocColumns(o.spec, n);
  const y = new Uint8Array(n);
  const bad: BadRow[] = [];
  const keep: number[] = [];
  for (let r = 1; r < rows.length; r++) {
    const i = keep.length;
    const error = enc.encode(rows[r]!.record, i, cols, y);
    if (error) bad.push({ line: rows[r]!.info.lines, message: error });
    else keep.push(r);
  }
  const m = keep.length;
  return {
    table: { spec: o.spec, n: m, y: y.slice(0, m), cols: cols.map((c) => c.slice(0, m)), levels },
    bad,
  };
}

/** The spec's declared levels, or every level seen in the data (not a missing value), sorted. */
export function learnLevels(spec: ModelSpec, header: string[], records: string[][]): (string[] | undefined)[] {
  return spec.features.map((f) => {
    if (f.type !== 'categorical') return undefined;
    if (f.levels) return f.levels;
    const k = header.indexOf(f.name);
    if (k < 0) throw new Error(`the file has no column "${f.name}" (it has: ${header.join(', ')})`);
    const missing = new Set(['', ...(f.missing ?? [])]);
    const seen = new Set<string>();
    for (const r of records) {
      const t = r[k]?.trim();
      if (t !== undefined && !missing.has(t)) seen.add(t);
    }
    if (seen.size > 1000) throw new Error(`${f.name}: ${seen.size} levels; a categorical feature takes at most 1000 (is it an identifier?)`);
    return [...seen].sort();
  });
}

/** Rows `idx` of a table, as a new table (for folds and splits). */
export function subset(t: Table, idx: ArrayLike<number>): Table {
  const n = idx.length;
  const y = new Uint8Array(n);
  const cols = t.cols.map((c) => (c instanceof Float64Array ? new Float64Array(n) : new Int32Array(n)));
  for (let r = 0; r < n; r++) {
    const i = idx[r]!;
    y[r] = t.y[i]!;
    for (let j = 0; j < cols.length; j++) cols[j]![r] = t.cols[j]![i]!;
  }
  return { spec: t.spec, n, y, cols, levels: t.levels };
}

/**
 * A spec for any CSV: every column but the target and the `exclude` list, numeric when every
 * non-empty cell of a sample is a number, categorical otherwise. A starting point to edit and save.
 */
export function inferSpec(o: { text: string; target: string; positive: string[]; exclude?: string[]; delimiter?: string }): ModelSpec {
  const delimiter = o.delimiter ?? ',';
  const rows = parse(o.text, { delimiter, relax_column_count: true, skip_empty_lines: true, to_line: 2001 }) as string[][];
  const header = rows[0]!.map((h) => h.trim());
  if (!header.includes(o.target)) throw new Error(`the file has no column "${o.target}"`);
  const exclude = new Set([o.target, ...(o.exclude ?? [])]);
  return {
    target: { name: o.target, column: o.target, positive: o.positive },
    delimiter,
    features: header
      .filter((h) => !exclude.has(h))
      .map((h) => {
        const k = header.indexOf(h);
        const numeric = rows.slice(1).every((r) => r[k] === undefined || r[k]!.trim() === '' || Number.isFinite(Number(r[k])));
        return numeric ? { name: h, type: 'numeric' as const } : { name: h, type: 'categorical' as const };
      }),
    mustNotUse: [],
  };
}
