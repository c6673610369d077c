import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../server-stub/store/db';
import { createDecisionLog, rowsOf, type Batch } from '../../server-stub/engine/decision-log';
import { CATEGORICAL, deserialize, NUMERIC } from '../../server-stub/engine/features';
import { ENGINE_STEPS } from '../../server-stub/engine/schema';

/** One decision through the log as the engine hands it over, and the batch the writer gets. */
function batchOf(num: number[]): Batch {
  let batch: Batch | undefined;
  const log = createDecisionLog({ write: (m) => (batch = m.decisions) });
  const cat = ['fund', 'R2', 'home:fund', 'picks:fund', ''];
  log.add({
    decisionId: 'd1', app: 'demo', userKey: null, personalized: false, model: 'default', ts: 1234,
    items: [
      { slot: 'home.today', item: 'fund-1', position: 0, strategy: 'trending', score: 0.1234, explored: 0, num, cat },
      { slot: 'home.today', item: 'fund-"2"', position: 1, strategy: 'explore', score: 0.5, explored: 1, num, cat },
    ],
  });
  log.flush();
  return batch!;
}

describe('decision log storage', () => {
  it('reads old-format rows (step 2) and compact rows (step 3) as the same view rows', () => {
    const db = new Database(':memory:');
    migrate(db, 'engine', ENGINE_STEPS.slice(0, 2));
    const num = [1.23456, 0.5, 2, NaN, 0, 0, 0, -0.00004, 3, 0.10005, 1, NaN];
    const features = { popularity: 1.2346, ctr: 0.5, freshness: 2, category_affinity: 0, kind_affinity: 0, tag_affinity: 0, item_interest: 0, fatigue: 3, co_viewed: 0.1001, device_tags: 1, kind: 'fund', risk: 'R2', page_kind: 'home:fund', slot_kind: 'picks:fund' };
    const old = [
      { slot: 'home.today', item: 'fund-1', position: 0, strategy: 'trending', score: 0.1234, explored: 0, features },
      { slot: 'home.today', item: 'fund-"2"', position: 1, strategy: 'explore', score: 0.5, explored: 1, features },
    ];
    db.prepare('INSERT INTO engine_decisions (decision_id, app_key, user_key, personalized, model, ts, items) VALUES (?, ?, ?, ?, ?, ?, ?)').run('d1', 'demo', null, 0, 'default', 1234, JSON.stringify(old));
    const view = () => db.prepare('SELECT * FROM engine_decision_items ORDER BY decision_row, position').all() as Record<string, unknown>[];
    const before = view();
    migrate(db, 'engine', ENGINE_STEPS);
    expect(view()).toEqual(before);

    db.prepare('DELETE FROM engine_decisions').run();
    const insert = db.prepare('INSERT INTO engine_decisions (decision_id, app_key, user_key, personalized, model, ts, items, format) VALUES (?, ?, ?, ?, ?, ?, ?, 2)');
    for (const row of rowsOf(batchOf(num), NUMERIC, CATEGORICAL)) insert.run(row);
    const after = view();
    expect(after.map(({ decision_row: _, ...rest }) => rest)).toEqual(before.map(({ decision_row: _, ...rest }) => rest));
    expect(after[0]!.features).toBe(JSON.stringify(features));
    expect(Array.from(deserialize(after[0]!.features as string).num, (x) => (Number.isNaN(x) ? null : x))).toEqual(
      NUMERIC.map((name) => (features as Record<string, unknown>)[name] ?? null),
    );
  });

  it('prints every feature as String(Math.round(x * 1e4) / 1e4) would, and non-finite ones as null', () => {
    const values = [0, -0, 1, -1, 0.00005, -0.00005, 0.1, 0.12, 0.0102, 12.3456789, -12.34565, 99999.99995, 1e9 + 0.5, 3e15, 1e300, Infinity, -Infinity];
    for (let i = 0; i < 2000; i++) values.push((Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 8 - 2));
    for (let at = 0; at < values.length; at += NUMERIC.length) {
      const num = Array.from({ length: NUMERIC.length }, (_, j) => values[(at + j) % values.length]!);
      const items = JSON.parse(rowsOf(batchOf(num), NUMERIC, CATEGORICAL)[0]![6] as string).i as unknown[][];
      const text = (rowsOf(batchOf(num), NUMERIC, CATEGORICAL)[0]![6] as string).match(/\[\d+,\d+,0,\d+,[^\]]*\]/)![0];
      const printed = text.slice(1, -1).split(',').slice(6, 6 + NUMERIC.length);
      expect(printed).toEqual(num.map((x) => (Number.isFinite(Math.round(x * 1e4) / 1e4) ? String(Math.round(x * 1e4) / 1e4) : 'null')));
      expect(items).toHaveLength(2);
    }
  });
});
