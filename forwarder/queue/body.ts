/** A surrogate pair: one code point beyond U+FFFF, such as an emoji. */
const PAIR = /[\ud800-\udbff][\udc00-\udfff]/;
const PAIRS = new RegExp(PAIR.source, 'g');

/**
 * Makes a JSON text safe as an SQS message body. SQS documents characters beyond U+FFFF as valid, but not every
 * implementation agrees (fauxqs, used by `npm start` and the tests, refuses them and the event would be dropped),
 * so they travel as `\uXXXX` escape pairs: the same JSON value, in characters every SQS accepts.
 * `JSON.stringify` already escapes lone surrogates and control characters.
 */
export function sqsSafeJson(json: string): string {
  return PAIR.test(json) ? json.replace(PAIRS, escapePair) : json;
}

function escapePair(pair: string): string {
  return `\\u${pair.charCodeAt(0).toString(16)}\\u${pair.charCodeAt(1).toString(16)}`;
}

/** The parts of an envelope v1 whose JSON text is already at hand. */
export interface EnvelopeText {
  /** `sqsSafeJson(JSON.stringify(clusterName))`, computed once. */
  clusterJson: string;
  watchType: 'ADDED' | 'MODIFIED';
  /** An ISO 8601 timestamp (no characters that need escaping). */
  observedAt: string;
  /** The event's JSON text: the API server's own bytes from the watch line, or a serialised list item. */
  eventJson: string;
  /** Already passed through {@link sqsSafeJson} (it is serialised once per namespace, not per event). */
  namespaceJson?: string;
}

/**
 * The queue message body: envelope v1 (`makeEnvelope`'s fields, in its order) written around texts that were
 * serialised once, so a watch event is parsed once and never serialised again.
 */
export function envelopeBody(e: EnvelopeText): string {
  const namespace = e.namespaceJson === undefined ? '' : `,"namespace":${e.namespaceJson}`;
  // Only the event text is scanned: it is a flat slice of the watch line, where the joined body is not yet flat.
  return `{"v":1,"cluster":${e.clusterJson},"watchType":"${e.watchType}","observedAt":"${e.observedAt}","event":${sqsSafeJson(e.eventJson)}${namespace}}`;
}
