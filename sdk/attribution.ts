/**
 * Attribution: what the user did with an item, recorded as an event that carries the decision,
 * slot, item and position that showed it, so the backend can learn which decision worked.
 */
import type { EventType } from './contract';
import { SlotwiseError } from './errors';
import type { SlotStore } from './slot-store';
import type { Core, SlotItem, Slots } from './types';
import { createViewability } from './viewability';

export type Attribution = Pick<Slots, 'impression' | 'click' | 'conversion' | 'dismiss' | 'notInterested' | 'observeImpression'>;

export function createAttribution(core: Core, store: SlotStore): Attribution {
  const watch = createViewability();

  const record = (type: EventType, item: SlotItem, slotId?: string, properties?: Record<string, unknown>) => {
    if (typeof item?.id != 'string') {
      core.report(new SlotwiseError('invalid_argument', `${type}: an item with an id is needed`));
      return;
    }
    const { decisionId, id: itemId, position } = item;
    return core.record(type, type, properties, { decisionId, slotId: slotId ?? item.slotId, itemId, position });
  };
  // the item leaves its slot now and the cache for good, before the event is even sent
  const hide = (type: 'dismiss' | 'not_interested') => (item: SlotItem, slotId?: string) => {
    if (typeof item?.id == 'string') store.drop(item.id);
    return record(type, item, slotId);
  };

  return {
    impression: (item, slotId) => record('impression', item, slotId),
    click: (item, slotId) => record('click', item, slotId),
    conversion: (item, value, slotId) => record('conversion', item, slotId, typeof value == 'number' ? { value } : {}),
    dismiss: hide('dismiss'),
    notInterested: hide('not_interested'),
    observeImpression: (element, item: SlotItem, slotId) =>
      watch(element, `${item?.decisionId}\u0001${item?.id}`, () => record('impression', item, slotId)),
  };
}
