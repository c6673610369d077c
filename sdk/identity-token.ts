/**
 * The identity token (issue 20) on its way out, in the network module: attached to every decide
 * and events batch as `identityToken` (in the body: a beacon at unload cannot set headers), and
 * renewed through the host's `refreshIdentityToken` before it expires. The core keeps only the
 * token itself (`Core.token`, memory only) and the one-line field for its pagehide beacons.
 *
 * Invariants: a refresh answers for the user it was asked for (a token arriving after an identify
 * of someone else, or a reset, is dropped); a failing callback is reported and the send goes on.
 */
import { toSlotwiseError } from './errors';
import type { Core } from './types';

/** `,"identityToken":"…"` to close a request body with, or '' without a token */
export const tokenField = (token?: string) => (token ? `,"identityToken":${JSON.stringify(token)}` : '');

/** Renew this long before `exp`: a token must still be valid when the request arrives. */
const MARGIN_MS = 30_000;

/** `exp` of a JWT, in ms; 0 when it cannot be read (then it is treated as expiring). */
function expiry(token: string): number {
  try {
    const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    return (JSON.parse(atob(part)) as { exp?: unknown }).exp as number * 1000 || 0;
  } catch {
    return 0;
  }
}

/**
 * The token to send now: the core's, renewed first when it expires within the margin; none while
 * nobody is identified (after `reset()` the last user's token stays on the core until the next
 * identify replaces it, and must not go out with an anonymous visitor's requests).
 */
export async function freshToken(core: Core): Promise<string | undefined> {
  const ask = core.options.refreshIdentityToken;
  const user = core.identity().userId;
  const had = core.token;
  if (!user) return undefined;
  if (!ask || (had && expiry(had) - core.now() > MARGIN_MS)) return had;
  try {
    const next = await ask(user);
    if (typeof next == 'string' && next && core.identity().userId === user) core.token = next;
  } catch (e) {
    core.report(toSlotwiseError('identity_token', e));
  }
  return core.token;
}
