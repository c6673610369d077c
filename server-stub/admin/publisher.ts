/**
 * The admin API's `Publisher` over the rules registry (rules/registry.ts) and the engine thread:
 * a release goes live through the registry (stored, swapped into the engine, streamed to devices);
 * a preview is the engine's decide under the draft rules, with no decision logged.
 */
import { firstProblem, requestSchemas } from '../../sdk/contract';
import type { EngineHost } from '../engine/thread';
import type { RulesRegistry } from '../rules/registry';
import { HttpError } from '../wire/errors';
import type { Publisher } from './context';

export function registryPublisher(rules: RulesRegistry, engine: Pick<EngineHost, 'preview'>): Publisher {
  return {
    activate: (app, release) => rules.activate(app, release),
    lives: () => rules.lives(),
    latest: (app) => rules.releases(app).reduce((max, r) => Math.max(max, r.version), 0),
    preview(app, ruleSet, sample) {
      // the sample is a decide request: a stored profile (userId / anonymousId), the page, tags, slots
      const parsed = requestSchemas().decideRequest.safeParse(sample);
      if (!parsed.success) {
        const problem = firstProblem(parsed.error);
        throw new HttpError(400, problem.code, problem.message, { path: problem.path });
      }
      return engine.preview(app, ruleSet, parsed.data);
    },
  };
}
