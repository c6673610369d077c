// The public API: re-exports only. Nothing internal leaks.
export { createClient } from './client';
export { SlotwiseError } from './errors';
export type { ErrorCode } from './errors';
export { safeUrl, safeImageUrl } from './safety';
export type {
  AutocaptureOptions,
  ClientEvents,
  ClientOptions,
  DeadLetter,
  DeadLetters,
  Decision,
  Middleware,
  Reminder,
  SlotItem,
  SlotState,
  SlotwiseClient,
  TagValue,
} from './types';
export type {
  Channel,
  ConsentState,
  Item,
  Properties,
  Reason,
  RiskLevel,
  RiskTolerance,
  SlotKind,
  SlotRequest,
  SlotwiseEvent,
} from './contract';
