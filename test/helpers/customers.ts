/**
 * Test helper for customer data (issue 20): files as bytes (CSV, JSON lines, GB18030), the import
 * route over real HTTP with an operator's session, and HS256 identity tokens signed the way a
 * bank's backend would (hono/jwt, the app's secret as the key).
 *
 * @example
 * const r = await upload(s.url, op, 'profiles', csv([['userId', 'riskTolerance'], ['u1', 'C3']]));
 * expect(r.body.import.status).toBe('live');
 */
import { sign } from 'hono/jwt';
import type { Operator } from './admin';

/** RFC 4180 text of `rows` (fields quoted when they need it), LF or CRLF. */
export function csv(rows: (string | number)[][], eol = '\n'): string {
  const field = (v: string | number) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(field).join(',')).join(eol) + eol;
}

let gbMap: Map<string, number[]> | undefined;
/** `text` in GB18030 (its two-byte part, which holds every common Chinese character; ASCII as is). */
export function gb18030(text: string): Uint8Array {
  if (!gbMap) {
    gbMap = new Map();
    const d = new TextDecoder('gb18030');
    for (let a = 0x81; a <= 0xfe; a++)
      for (let b = 0x40; b <= 0xfe; b++) {
        if (b === 0x7f) continue;
        const ch = d.decode(new Uint8Array([a, b]));
        if (ch.length === 1 && ch !== '\ufffd' && !gbMap.has(ch)) gbMap.set(ch, [a, b]);
      }
  }
  const out: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else {
      const bytes = gbMap.get(ch);
      if (!bytes) throw new Error(`no two-byte GB18030 code for ${ch}`);
      out.push(...bytes);
    }
  }
  return new Uint8Array(out);
}

export interface UploadAnswer {
  status: number;
  body: any;
}

/** POST …/imports of `file` as `operator`. */
export async function upload(
  base: string,
  operator: Operator,
  kind: string,
  file: string | Uint8Array,
  o: { app?: string; type?: string; query?: Record<string, string> } = {},
): Promise<UploadAnswer> {
  const q = new URLSearchParams({ kind, ...o.query });
  const res = await fetch(`${base}/admin/v1/apps/${o.app ?? 'demo'}/imports?${q}`, {
    method: 'POST',
    headers: { 'content-type': o.type ?? 'text/csv', cookie: operator.cookie, 'x-csrf-token': operator.csrf },
    body: file as BodyInit,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}

/** An identity token as the bank's backend signs it: HS256, `sub`, `exp` (seconds from now). */
export const identityToken = (secret: string, sub: string, expiresInS = 300, extra: Record<string, unknown> = {}) =>
  sign({ sub, exp: Math.floor(Date.now() / 1000) + expiresInS, iat: Math.floor(Date.now() / 1000) - 1, ...extra }, secret, 'HS256');
