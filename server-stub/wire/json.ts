/**
 * wire/: the contract's rules as the server applies them, shared by the HTTP thread and the engine
 * thread: the one error shape (errors.ts), JSON parsing (json.ts), the zod fast path (fast-schema.ts).
 */
import { HttpError } from './errors';

/** JSON text → value, or the 400 `invalid_json` naming what is wrong. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `the request body is not JSON: ${(error as Error).message}`);
  }
}
