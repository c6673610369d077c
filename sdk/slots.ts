// PLACEHOLDER until the slots work (issue 4) lands: the shape client.ts wires in.
import type { Core, Slots } from './types';

export function createSlots(_core: Core): Slots {
  const none = () => undefined;
  return {
    decide: async () => ({ decisionId: '', slots: {} }),
    prefetch: async () => {},
    subscribe: () => () => {},
    impression: none,
    click: none,
    conversion: none,
    dismiss: none,
    notInterested: none,
    observeImpression: () => () => {},
    getTags: () => [],
    deleteTag: () => {},
    reset: async () => {},
    setPersonalization: () => {},
    close: () => {},
  };
}
