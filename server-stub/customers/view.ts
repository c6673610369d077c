/**
 * The public API's side of customer data, on the HTTP thread: who a decide or an events batch is
 * (identity.ts), and, for a decide, the customer's live batch facts (one statement, store.ts) as
 * the merged view the engine applies (engine/customer-view.ts).
 */
import type { CustomerView, BatchFacts } from '../engine/customer-view';
import type { RiskTolerance } from '../../sdk/contract';
import type { IdentityCheck } from './identity';
import type { CustomerStore, Fact } from './store';

const DAY = 86_400_000;
const dateMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
/** reserved columns that are not traits (riskTolerance and its date, holdings have their own place) */
const NOT_TRAITS = new Set(['riskTolerance', 'riskAssessedAt', 'holdings', 'segment']);

/** A customer's facts as the engine takes them; the assessment only while within `validityDays`. */
export function factsOf(facts: Fact[], o: { now: number; validityDays: number }): BatchFacts | undefined {
  if (!facts.length) return undefined;
  const today = new Date(o.now).toISOString().slice(0, 10);
  const b: BatchFacts = {};
  for (const f of facts) {
    if (f.kind === 'profiles') {
      const data = JSON.parse(f.v) as Record<string, unknown>;
      b.asOf = f.asOf;
      // an assessment without its date is as old as the snapshot that carries it
      const assessed = typeof data.riskAssessedAt === 'string' ? data.riskAssessedAt : f.asOf;
      if (typeof data.riskTolerance === 'string' && o.now - dateMs(assessed) <= o.validityDays * DAY) b.risk = data.riskTolerance as RiskTolerance;
      if (typeof data.segment === 'string') b.segment = data.segment;
      if (Array.isArray(data.holdings)) b.holdings = data.holdings as string[];
      const traits: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(data)) if (!NOT_TRAITS.has(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) traits[k] = v;
      if (Object.keys(traits).length) b.traits = traits;
    } else if (f.kind === 'tags') {
      if (f.v && f.v < today) continue;
      (b.tags ??= {})[f.k] = f.asOf;
    } else {
      const [score, asOf] = JSON.parse(f.v) as [number, string];
      (b.scores ??= {})[f.k] = { score, asOf };
    }
  }
  return b;
}

export interface PublicSide {
  /** the view a decide is made under; undefined when the body is not JSON (the engine answers the 400) */
  decideView(app: string, body: string): Promise<CustomerView | undefined>;
  /**
   * An events batch in `signed` mode, before it is stored: events not carried by a valid token for
   * their user lose the user id, and identify events their traits (an unverified page can neither
   * attach events to a customer nor claim a tolerance for anyone).
   */
  events(app: string, body: unknown): Promise<void>;
}

type Loose = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function createPublicSide(o: { store: CustomerStore; identity: IdentityCheck; now: () => number; log?: (message: string) => void }): PublicSide {
  let told = 0;
  const view = async (app: string, text: string): Promise<CustomerView | undefined> => {
    let body: Loose;
    try {
      body = JSON.parse(text) as Loose;
    } catch {
      return undefined;
    }
    if (!body || typeof body !== 'object') return undefined;
    const who = await o.identity.check(app, str(body.identityToken), str(body.userId));
    const settings = await o.identity.settings(app);
    const out: CustomerView = { identity: who.identity, riskPolicy: settings.riskPolicy };
    if (who.identity === 'unverified' || !who.userId || who.userId.length > 128) return out;
    // personalisation off: the bank's tolerance still holds (suitability), its other facts do not
    const batch = factsOf(await o.store.facts(app, who.userId), { now: o.now(), validityDays: settings.validityDays });
    if (batch) out.batch = body.personalized === false ? (batch.risk ? { risk: batch.risk } : undefined) : batch;
    return out;
  };
  return {
    // the customer store not answering (PostgreSQL down) must not take decisions down with it, nor
    // let the page's word stand in for the bank's: the request is served as an anonymous visitor's
    decideView: (app, text) =>
      view(app, text).catch((error: Error) => {
        if (o.now() - told > 10_000) o.log?.(`customers: the merged view could not be read; serving as anonymous: ${error.message}`);
        told = o.now();
        return { identity: 'unverified' };
      }),
    async events(app, body) {
      const settings = await o.identity.settings(app);
      if (settings.mode === 'open' || !body || typeof body !== 'object') return;
      const b = body as Loose;
      if (!Array.isArray(b.events)) return;
      const token = str(b.identityToken);
      const who = token ? await o.identity.check(app, token, undefined) : undefined;
      const sub = who?.identity === 'verified' ? who.userId : undefined;
      for (const e of b.events as Loose[]) {
        if (!e || typeof e !== 'object') continue;
        if (e.userId !== undefined && e.userId !== sub) delete e.userId;
        if (e.type === 'identify' && (sub === undefined || e.userId !== sub)) e.properties = {};
      }
    },
  };
}
