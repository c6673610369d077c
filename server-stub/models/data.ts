/** Reading a training file: plain or gzipped CSV, with the bytes kept for the registry's fingerprint. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export function readCsvFile(path: string): { bytes: Buffer; text: string } {
  const bytes = readFileSync(path);
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  return { bytes, text };
}

export const BANK_FILE = 'data/bank-marketing/bank-full.csv.gz';
