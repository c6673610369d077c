/**
 * Passwords and secrets: scrypt hashes with a per-user salt, compared in constant time; random
 * session ids, CSRF tokens and access tokens, kept only as SHA-256 (a leaked table opens nothing).
 *
 * Stored format: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, so the cost can rise later and old
 * hashes still verify.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** N = 2^15, r = 8: 32 MiB and tens of ms per hash — slow for a guesser, fine for a log-in. */
const COST = { N: 1 << 15, r: 8, p: 1 };
const KEY_BYTES = 32;

const derive = (password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const options: ScryptOptions = { ...cost, maxmem: 128 * cost.N * cost.r * 2 };
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** A hash of a password nobody knows: verified against when the user does not exist, so an
 * unknown username costs the same time as a wrong password. Made once, lazily. */
let decoy: Promise<string> | undefined;

/** Does `password` match `stored`? `stored` undefined (no such user) takes as long and says no. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const hash = stored ?? (await (decoy ??= hashPassword(randomBytes(16).toString('hex'))));
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected) && stored !== undefined;
}

/** Minimum strength; the reason a person can act on, or undefined when the password will do. */
export function weakPassword(password: string, username: string): string | undefined {
  if ([...password].length < 12) return 'must be at least 12 characters';
  if (new Set(password).size < 5) return 'must use at least 5 different characters';
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) return 'must not contain the username';
  if (/^(?:password|123456|qwerty|admin)/i.test(password) && new Set(password.toLowerCase()).size < 8) return 'is too easy to guess';
  return undefined;
}

/** `bytes` of randomness, base64url: session ids, CSRF tokens, token secrets, generated passwords. */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** How a secret that arrives with every request is stored and looked up. */
export const sha256 = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Equal strings, in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a), 'hex');
  const y = Buffer.from(sha256(b), 'hex');
  return timingSafeEqual(x, y);
}
