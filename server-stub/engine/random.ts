/**
 * Small deterministic randomness: the catalog, exploration and training are reproducible from a
 * seed. The generator and the normal sample are the models' (one implementation, models/random.ts).
 */
export { gaussian, prng } from '../models/random';

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}
