/**
 * An import file as records, streamed: bytes → text (UTF-8, or GB18030/GBK when told, through the
 * platform's `TextDecoder`) → CSV records (csv-parse, RFC 4180: quoted fields with commas and
 * newlines, CRLF or LF, a UTF-8 BOM) or JSON lines. The file is never held whole: records come out
 * in batches as the bytes go in, and reading waits while a batch is stored.
 *
 * Line numbers are the file's: for CSV the header is line 1, and a record spanning several lines
 * (a quoted newline) is numbered by its first line. A line the parser cannot read comes out as a
 * reject, never silently dropped.
 */
import { parse } from 'csv-parse';
import type { Cell } from './rows';

export type Format = 'csv' | 'ndjson';
export const ENCODINGS = ['utf-8', 'gb18030', 'gbk'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export type Item =
  | { line: number; get: (column: string) => Cell; /** JSON lines: the object's own names */ keys?: string[] }
  | { line: number; error: { code: string; message: string } };

export interface Records {
  /** the CSV header's names (undefined for JSON lines: every object names its own) */
  header: string[] | undefined;
  /** data records in file order, in batches */
  batches: AsyncIterable<Item[]>;
}

const BATCH = 2000;
/** records parsed ahead of the reader at most (then the writer waits) */
const QUEUED = 8192;

/** The text of `source`'s bytes in `encoding`, chunk by chunk (a character split across chunks is kept whole). */
async function* decode(source: AsyncIterable<Uint8Array>, encoding: Encoding): AsyncGenerator<string> {
  // fatal: a byte sequence that is not the encoding's is an error, not a U+FFFD in a customer's name
  const decoder = new TextDecoder(encoding, { fatal: true });
  for await (const chunk of source) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * Opens `source` as records; resolves once the header is read (CSV). A file without a header, or
 * not in the encoding, rejects with an `Error` whose `code` says which.
 */
export async function readRecords(source: AsyncIterable<Uint8Array>, o: { format: Format; encoding: Encoding }): Promise<Records> {
  const text = decode(source, o.encoding);
  return o.format === 'csv' ? readCsv(text) : { header: undefined, batches: readJsonLines(text) };
}

const fail = (code: string, message: string) => Object.assign(new Error(message), { code });

async function readCsv(text: AsyncGenerator<string>): Promise<Records> {
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    record_delimiter: ['\r\n', '\n'],
  });
  type Parsed = { record: string[]; info: { lines: number; empty_lines: number } };
  // records parsed and not yet taken, in file order (skips among them); `head` is the next one.
  // The writer waits while more than QUEUED wait here, so the file is never parsed ahead whole.
  let queue: (Parsed | { skipped: { code: string; message: string; lines: number } })[] = [];
  let head = 0;
  let ended = false;
  let drained: (() => void) | undefined;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  parser.on('readable', () => {
    let r: Parsed | null;
    while ((r = parser.read() as Parsed | null) !== null) queue.push(r);
    notify();
  });
  parser.on('skip', (e: Error & { code?: string; lines?: number }) => {
    queue.push({ skipped: { code: e.code ?? 'csv_malformed', message: e.message, lines: e.lines ?? 0 } });
    notify();
  });
  parser.on('error', (e: Error) => {
    failure = e;
    notify();
  });
  parser.on('end', () => {
    ended = true;
    notify();
  });

  // the writer: text into the parser, waiting while the reader below is behind
  const pump = (async () => {
    try {
      for await (const chunk of text) {
        parser.write(chunk);
        while (queue.length - head > QUEUED && !failure) await new Promise<void>((resolve) => (drained = resolve));
      }
      parser.end();
    } catch (error) {
      failure = error as Error;
      parser.destroy();
      notify();
    }
  })();

  const next = async (): Promise<(typeof queue)[number] | undefined> => {
    for (;;) {
      if (head < queue.length) {
        const r = queue[head++];
        if (head === queue.length) {
          queue = [];
          head = 0;
          drained?.();
          drained = undefined;
        }
        return r;
      }
      if (failure) throw failure;
      if (ended) return undefined;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };

  let lastLine = 0;
  let empties = 0;
  const first = await next();
  if (!first || 'skipped' in first) {
    void pump;
    throw fail('no_header', first ? `the header line cannot be read: ${first.skipped.message}` : 'the file is empty: a CSV file starts with a header line');
  }
  const header = first.record.map((h) => h.trim());
  lastLine = first.info.lines;
  empties = first.info.empty_lines;
  const index = new Map(header.map((h, i) => [h, i]));
  const width = header.length;

  async function* batches(): AsyncGenerator<Item[]> {
    let batch: Item[] = [];
    for (;;) {
      const r = await next();
      if (!r) break;
      if ('skipped' in r) {
        const line = Math.max(lastLine + 1, r.skipped.lines);
        batch.push({ line, error: { code: 'csv_malformed', message: r.skipped.message.slice(0, 200) } });
        lastLine = Math.max(lastLine, r.skipped.lines);
      } else {
        const line = lastLine + 1 + (r.info.empty_lines - empties);
        lastLine = r.info.lines;
        empties = r.info.empty_lines;
        const cells = r.record;
        if (cells.length !== width) {
          batch.push({ line, error: { code: 'column_count', message: `expected ${width} fields as in the header, got ${cells.length}` } });
        } else {
          batch.push({ line, get: (column) => { const i = index.get(column); return i === undefined ? undefined : cells[i]; } });
        }
      }
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
    await pump;
  }
  return { header, batches: batches() };
}

async function* readJsonLines(text: AsyncGenerator<string>): AsyncGenerator<Item[]> {
  let rest = '';
  let line = 0;
  let batch: Item[] = [];
  const take = (raw: string) => {
    line++;
    const s = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!s.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line === 1 && s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);
    } catch {
      batch.push({ line, error: { code: 'invalid_json', message: 'the line is not valid JSON' } });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      batch.push({ line, error: { code: 'invalid_json', message: 'each line must be a JSON object' } });
      return;
    }
    const o = value as Record<string, unknown>;
    batch.push({
      line,
      keys: Object.keys(o),
      get: (column) => {
        const v = Object.hasOwn(o, column) ? o[column] : undefined;
        return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v === undefined ? undefined : JSON.stringify(v);
      },
    });
  };
  for await (const chunk of text) {
    rest += chunk;
    let start = 0;
    let at: number;
    while ((at = rest.indexOf('\n', start)) >= 0) {
      take(rest.slice(start, at));
      start = at + 1;
    }
    rest = rest.slice(start);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (rest) take(rest);
  if (batch.length) yield batch;
}

export { fail as readFailure };
