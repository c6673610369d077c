import { SlotwiseError } from './errors';

/**
 * A tiny typed emitter. Invariant: `emit` never throws. A listener that throws is reported as
 * `listener_failed` to the `error` listeners; an `error` listener that throws is only logged,
 * so a broken error handler cannot start a loop.
 */
export interface Emitter<E> {
  on<K extends keyof E>(event: K, fn: (payload: E[K]) => void): () => void;
  emit<K extends keyof E>(event: K, payload: E[K]): void;
  clear(): void;
}

export function createEmitter<E extends { error: SlotwiseError }>(): Emitter<E> {
  let map: { [K in keyof E]?: ((payload: E[K]) => void)[] } = {};
  const emitter: Emitter<E> = {
    on(event, fn) {
      // a copy per change keeps `emit` safe when a listener unsubscribes while being called
      map[event] = [...(map[event] ?? []), fn];
      return () => {
        map[event] = map[event]?.filter((f) => f !== fn);
      };
    },
    emit(event, payload) {
      for (const fn of map[event] ?? []) {
        try {
          fn(payload);
        } catch (cause) {
          if (event === 'error') console.error('slotwise: an error listener threw', cause);
          else emitter.emit('error', new SlotwiseError('listener_failed', `a "${String(event)}" listener threw: ${msg(cause)}`, { cause }) as E['error']);
        }
      }
    },
    clear() {
      map = {};
    },
  };
  return emitter;
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));
