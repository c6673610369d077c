// @vitest-environment node
// parseJsonBytes (server-stub/wire/json.ts) parses a large event batch in pieces; it must answer
// exactly what JSON.parse of the whole text answers — the same value (key order included), or the
// same refusal — for any bytes, and must actually take the pieces for an SDK-shaped batch.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { batchPieces, parseJson, parseJsonBytes } from '../../server-stub/wire/json';
import { HttpError } from '../../server-stub/wire/errors';
import { sdkEvent } from '../helpers/arbitraries';

/** the outcome as comparable text: the value's JSON, or the error's status and code */
const outcome = (f: () => unknown) => {
  try {
    return `ok ${JSON.stringify(f())}`;
  } catch (error) {
    return error instanceof HttpError ? `error ${error.status} ${error.code}` : `threw ${String(error)}`;
  }
};
const same = (bytes: Buffer) => expect(outcome(() => parseJsonBytes(bytes))).toBe(outcome(() => parseJson(bytes.toString('utf8'))));

/** text that makes cutting at `},{` tempting in the wrong places: inside strings, inside nested objects */
const tricky = fc.constantFrom('},{', '"},{"', '\\"},{\\"', '}]', '],"x":[', '{"a":[{"b":1},{"c":2}]}', 'é},{ü', '\u{1F600}', '\\u0000', ' ');

const batchText = (events: unknown[], sentAt = 1_700_000_000_000) => `{"sentAt":${sentAt},"events":[${events.map((e) => JSON.stringify(e)).join(',')}]}`;

describe('parseJsonBytes', () => {
  test('a 500-event batch as the SDK sends it: the same value as JSON.parse', () => {
    const events = Array.from({ length: 500 }, (_, i) => ({
      id: `0190a000-0000-7${String(i).padStart(3, '0')}-8000-000000000000`,
      type: 'page',
      name: 'page',
      ts: 1_700_000_000_000 + i,
      anonymousId: 'anon-1',
      sessionId: 's',
      properties: { path: '/home', note: i % 7 ? 'x' : '},{"tricky":"},{"}' },
      context: { channel: 'web', page: { url: 'https://bank.example/home', title: '首页 },{' } },
    }));
    const bytes = Buffer.from(batchText(events));
    expect(bytes.length).toBeGreaterThan(128 * 1024);
    expect(parseJsonBytes(bytes)).toStrictEqual(JSON.parse(bytes.toString('utf8')));
    // and it was parsed in pieces, not as one large string
    expect(batchPieces(bytes)).toStrictEqual(JSON.parse(bytes.toString('utf8')));
  });

  test('any batch of SDK events, with strings that look like cuts: the same as JSON.parse', () => {
    fc.assert(
      fc.property(fc.array(sdkEvent(false), { minLength: 1, maxLength: 30 }), fc.array(tricky, { maxLength: 8 }), (events, bits) => {
        // padding makes the body long enough to be cut; the tricky bits go where cuts would hurt
        const padded = events.map((e, i) => ({ ...e, properties: { ...e.properties, pad: 'p'.repeat(4000), t: bits[i % Math.max(1, bits.length)] ?? '' } }));
        same(Buffer.from(batchText(padded)));
      }),
      { numRuns: 30 },
    );
  }, 60_000);

  test('bodies that only look like a batch are answered as JSON.parse answers them', () => {
    const pad = 'p'.repeat(120_000);
    const cases = [
      `{"sentAt":1,"events":[{"a":"${pad}"}],"more":[{"b":1}]}`, // events closed early, another key after
      `{"sentAt":1,"events":[{"a":"${pad}"},{"b":1},]}`, // trailing comma
      `{"sentAt":1,"events":[{"a":"${pad}"} , {"b":1}]}`, // whitespace between events
      `{"sentAt":007,"events":[{"a":"${pad}"},{"b":1}]}`, // not a JSON number
      `{"sentAt":1,"events":[{"a":"${pad}},{"},{"b":1}]}`, // the only `},{` near the cut is inside a string
      `{"sentAt":1,"events":[{"a":{"x":[{"y":"${pad}"},{"z":1}]}},{"b":1}]}`, // the cut inside a nested array
      `{"sentAt":1,"events":[{"a":"${pad}"},{"b":"${pad}"},{"c":"unterminated}]}`,
      `{"sentAt":1,"events":[{"a":"${pad}"},{"b":1}]}\n`, // trailing newline: the plain path
      `{"sentAt":1e3,"events":[{"a":"${pad}"},{"b":1},{"c":"${pad}"}]}`,
    ];
    for (const text of cases) same(Buffer.from(text));
  });

  test('arbitrary bytes around a batch shape: the same outcome', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.integer({ min: 0, max: 200_000 }), (noise, at) => {
        const text = Buffer.from(batchText(Array.from({ length: 400 }, (_, i) => ({ i, s: 'x'.repeat(500) }))));
        const bytes = Buffer.concat([text.subarray(0, at % text.length), Buffer.from(noise), text.subarray(at % text.length)]);
        same(bytes);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
