/**
 * Valid wire events and batches for server tests (shape per sdk/contract.ts), deterministic by
 * index so two calls with the same arguments build the same batch.
 */
import type { EventBatch, SlotwiseEvent } from '../../sdk/contract';

export function makeEvent(i: number, overrides: Partial<SlotwiseEvent> = {}): SlotwiseEvent {
  return {
    id: `evt-${i.toString(36).padStart(8, '0')}`,
    type: 'track',
    name: 'fund_view',
    ts: 1_700_000_000_000 + i,
    anonymousId: `anon-${i % 50}`,
    sessionId: `sess-${i % 20}`,
    properties: { fundId: `f${i % 30}`, amount: i % 1000 },
    context: {
      channel: 'web',
      page: { url: 'http://localhost/home', path: '/home', title: 'Home' },
      locale: 'zh-CN',
      sdk: { name: 'slotwise', version: '0.0.0-test' },
    },
    ...overrides,
  };
}

/** Events `from` … `from + n - 1` in one batch. */
export function makeBatch(n: number, from = 0, sentAt = 1_700_000_100_000): EventBatch {
  return { sentAt, events: Array.from({ length: n }, (_, k) => makeEvent(from + k)) };
}
