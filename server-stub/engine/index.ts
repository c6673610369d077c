// PLACEHOLDER until the arbitration engine (issue 3) lands: the interface server-stub routes call.
import type Database from 'better-sqlite3';
import type { Config, DecideRequest, DecideResponse, SlotwiseEvent } from '../../sdk/contract';

export interface EngineOptions {
  db: Database.Database;
  /** operator catalog file (JSON array of items); default: the generated catalog */
  catalogFile?: string;
  /** size of the generated catalog, default 300 */
  catalogSize?: number;
  /** where model files live; the newest is loaded */
  modelDir: string;
  now?: () => number;
  log?: (message: string) => void;
}

export interface Engine {
  /** newly stored events (never duplicates), inside the ingest transaction */
  ingest(appKey: string, events: SlotwiseEvent[], receivedAt: number): void;
  decide(appKey: string, request: DecideRequest): DecideResponse;
  config(appKey: string): Config;
  /** an item's SVG image, served by the server itself */
  image(itemId: string): string | undefined;
  close(): void;
}

export function createEngine(_options: EngineOptions): Engine {
  return {
    ingest() {},
    decide(_appKey, request) {
      return { decisionId: 'placeholder', ttlMs: 0, slots: Object.fromEntries(request.slots.map((s) => [s.id, { items: [] }])) };
    },
    config: () => ({ version: '0', ttlMs: 60_000, slots: [], tags: [], triggers: [] }),
    image: () => undefined,
    close() {},
  };
}
