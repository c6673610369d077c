// `slotwise/widgets`: the Preact components, the custom elements and their helpers.
export { TodayPicks } from './TodayPicks';
export { YouMayLike, type YouMayLikeProps } from './YouMayLike';
export { SmartAd } from './SmartAd';
export { Reminders, type RemindersProps } from './Reminders';
export { Interests } from './Interests';
export { ItemCard, type ItemCardProps } from './ItemCard';
export { SlotwiseProvider, type SlotProps, type Theme, type WidgetOptions } from './context';
export { useSlot, useImpression } from './hooks';
export { defineElements, type ElementsOptions } from './elements';
export { setStrings, stringsFor, type Locale, type Strings } from './i18n';
export { styles, adoptStyles } from './styles';
