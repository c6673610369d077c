import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../sdk/client';
import type { SlotwiseClient } from '../../sdk/types';
import { fakeBackend, freshIDB } from '../helpers/capture';

let sw: SlotwiseClient;
let backend: ReturnType<typeof fakeBackend>;
const setup = () => {
  backend = fakeBackend();
  sw = createClient({ appKey: 'demo', endpoint: 'http://api.test', autocapture: false, indexedDB: freshIDB(), fetch: backend.fetch });
  return sw;
};
const sent = () => backend.requests.flatMap((r) => r.body.events);
afterEach(() => sw.close());

describe('middleware', () => {
  it('enriches in place, rewrites by returning a new event, and runs in order', async () => {
    setup();
    const order: string[] = [];
    sw.use((e) => {
      order.push('first');
      e.properties.plan = 'gold';
    });
    sw.use((e) => {
      order.push('second');
      return { ...e, name: e.name.toUpperCase(), properties: { ...e.properties, seen: e.properties.plan } };
    });
    const listened: string[] = [];
    sw.on('event', (e) => listened.push(e.name));
    sw.track('apply', { step: 1 });
    await sw.flush();
    expect(order).toEqual(['first', 'second']);
    expect(sent()[0]).toMatchObject({ name: 'APPLY', properties: { step: 1, plan: 'gold', seen: 'gold' } });
    // listeners see the event after middleware
    expect(listened).toEqual(['APPLY']);
  });

  it('drops an event when a middleware returns null: not queued, not sent, not listened to', async () => {
    setup();
    sw.use((e) => (e.name == 'secret' ? null : e));
    const listened: string[] = [];
    sw.on('event', (e) => listened.push(e.name));
    // track() only captures: the id it returns is that of an event the middleware drops later
    const secret = sw.track('secret');
    sw.track('public');
    await sw.flush();
    expect(sent().map((e) => e.name)).toEqual(['public']);
    expect(sent().map((e) => e.id)).not.toContain(secret);
    expect(listened).toEqual(['public']);
  });

  it('a throwing middleware is reported and the event passes on as it was before it', async () => {
    setup();
    const errors: { code: string; message: string }[] = [];
    sw.on('error', (e) => errors.push(e));
    sw.use((e) => {
      e.properties.half = 'written';
      throw new Error('boom');
    });
    sw.use((e) => {
      e.properties.after = true;
    });
    const id = sw.track('apply', { step: 1 });
    await sw.flush();
    expect(sent()).toHaveLength(1);
    expect(sent()[0]).toMatchObject({ id, properties: { step: 1, after: true } });
    expect(sent()[0]!.properties.half).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'middleware_failed' });
    expect(errors[0]!.message).toMatch(/apply.*boom/);
  });

  it('a middleware returning something that is not an event is reported and ignored', async () => {
    setup();
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    sw.use(() => 42 as never);
    sw.track('apply');
    await sw.flush();
    expect(sent().map((e) => e.name)).toEqual(['apply']);
    expect(errors).toEqual(['middleware_failed']);
  });

  it('use() returns a remover; an event gets the middleware registered when it was tracked', async () => {
    setup();
    const off = sw.use((e) => {
      e.properties.tagged = true;
    });
    sw.track('a');
    off();
    sw.track('b');
    await sw.flush();
    expect(sent().map((e) => e.properties.tagged ?? false)).toEqual([true, false]);
  });
});
