/**
 * The admin API's `Publisher` over the rules registry and the engine thread (server-stub/rules/):
 * a release goes live through the registry (stored, swapped into the engine, streamed to devices);
 * a preview decides a sample customer's page under the draft rules with no side effect; a dry run
 * plays a typed event sequence through the draft's triggers. Bodies are checked here, at the boundary.
 */
import { adminRequests } from '../../sdk/contract-admin';
import { firstProblem } from '../../sdk/contract';
import type { EngineHost } from '../engine/thread';
import { dryRun, preview, type RulesRegistry } from '../rules/index';
import { HttpError } from '../wire/errors';
import type { Publisher } from './context';

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Parameters<typeof firstProblem>[0] } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problem = firstProblem(r.error);
  throw new HttpError(400, problem.code, problem.message, { path: problem.path });
}

export function registryPublisher(rules: RulesRegistry, engine: Pick<EngineHost, 'preview'>): Publisher {
  return {
    activate: (app, release) => rules.activate(app, release),
    lives: () => rules.lives(),
    latest: async (app) => (await rules.releases(app)).reduce((max, r) => Math.max(max, r.version), 0),
    preview: (app, ruleSet, sample) => preview(engine, app, ruleSet, parse(adminRequests().previewSample, sample)),
    dryRunTriggers: (_app, ruleSet, body) => dryRun(ruleSet, parse(adminRequests().dryRun, body).events),
  };
}
