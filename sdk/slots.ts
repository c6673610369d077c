/**
 * The slot half of the client: decisions and the slot store, attribution, real-time tags and
 * triggers, built on the `Core` capture provides. client.ts spreads it into the client.
 */
import { createAttribution } from './attribution';
import { createDecisions } from './decisions';
import { createRemoteConfig } from './remote-config';
import { fail } from './rules';
import { createSlotStore } from './slot-store';
import { createTags } from './tags';
import { createTriggers } from './triggers';
import type { Core, Slots } from './types';

export function createSlots(core: Core): Slots {
  const store = createSlotStore(core);
  const tags = createTags(core);
  const triggers = createTriggers(core);
  const decisions = createDecisions(core, store, tags.values);
  // the rules arrive checked (see remote-config.ts)
  const config = createRemoteConfig(core, (c) => {
    tags.setRules(c.tags);
    triggers.setRules(c.triggers);
    decisions.release(c.release);
  });

  return {
    ...decisions,
    ...createAttribution(core, store),
    subscribe: store.subscribe,
    getTags: tags.list,
    deleteTag: tags.remove,
    async reset(all = true) {
      // the last identity's items go now, not once the clearing below is done
      store.withdraw();
      // a store closed meanwhile (the page closed the client) is reported, never thrown at the host
      if (all) await Promise.all([tags.clear(), triggers.clear(), store.clear()]).catch(fail(core));
      decisions.redo();
    },
    setPersonalization(on) {
      // reminders from behaviour are personalisation too: none stays pending once it is off
      if (!on) void triggers.clear();
      decisions.redo();
    },
    close() {
      config.close();
      tags.close();
      triggers.close();
    },
  };
}
