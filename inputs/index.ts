/**
 * Reads the event files users have at hand (JSON lines, kubectl lists, watch events, envelopes) into envelopes,
 * for `preview`, `send-test` and `npm start --events`. It reads user files, so it is not a contract.
 */
export * from './event-input.ts';
export * from './queue-body.ts';
