/**
 * The tag and trigger dry-run box's types and its input parsing. The dry run itself is the
 * server's (`POST …/triggers/dry-run`, server-stub/rules/preview.ts `dryRun`), which runs the
 * device's own matcher (sdk/contract-rules.ts): the console never computes a second opinion.
 */

/** An event as the dry run types it (the server's `SampleEvent`): `ts` in ms, any origin. */
export interface DryEvent {
  type?: string;
  name: string;
  ts: number;
  properties?: Record<string, unknown>;
}

export interface TriggerFire {
  triggerId: string;
  /** ms the reminder would show, on the events' clock */
  at: number;
  /** the index of the `when` event that started it */
  event: number;
}

export interface DryRunAnswer {
  /** the tags that hold after the last event, name → value */
  tags: Record<string, string | number | boolean>;
  triggers: { fired: TriggerFire[]; cancelled: (TriggerFire & { why: 'unless' | 'restarted' | 'cap' })[] };
}

export function parseEvents(json: unknown): DryEvent[] {
  if (!Array.isArray(json)) throw new Error('expected a JSON array of events');
  return json.map((e, i) => {
    const ok = e && typeof e === 'object' && typeof (e as DryEvent).name === 'string' && typeof (e as DryEvent).ts === 'number';
    if (!ok) throw new Error(`${i}: expected { "type"?, "name", "ts", "properties"? }`);
    return e as DryEvent;
  });
}
