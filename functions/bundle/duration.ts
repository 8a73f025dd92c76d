/**
 * Durations in a bundle (`persistedFor`, `repeat.every`): hours, minutes and seconds in that order, each
 * optional but at least one present (`90s`, `5m`, `1h30m`). No days or fractions: Events live an hour by default
 * (the API server's `--event-ttl`), so longer spans would never be reached.
 */
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds in `text`, or undefined when it is not a duration (the empty string is not one). */
export function parseDuration(text: string): number | undefined {
  const parts = DURATION.exec(text);
  if (!parts || text === '') return undefined;
  const [hours = 0, minutes = 0, seconds = 0] = parts.slice(1).map((part) => Number(part ?? 0));
  return ((hours * 60 + minutes) * 60 + seconds) * 1000;
}
