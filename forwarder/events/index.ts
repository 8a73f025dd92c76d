/** Which Events are forwarded, and with which watch type. */
export { EventSelector } from './selector.ts';
export type { Decision, Occurrence, SelectorOptions, SkipReason } from './selector.ts';
