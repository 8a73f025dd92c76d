import { mergeTallies } from '../render/index.ts';
import { mergeMentions } from '../rules/index.ts';
import type { ParkedEvents } from './types.ts';

/** Two piles of one receiver as one, as old as the older and as failed as the more failed (neither is changed). */
export function mergePiles(a: ParkedEvents, b: ParkedEvents): ParkedEvents {
  const mentions = { users: [...a.mentions.users], mobiles: [...a.mentions.mobiles], all: a.mentions.all };
  mergeMentions(mentions, b.mentions);
  return {
    tally: mergeTallies(a.tally, b.tally),
    mentions,
    parkings: [...a.parkings, ...b.parkings],
    since: Math.min(a.since, b.since),
    failures: Math.max(a.failures ?? 0, b.failures ?? 0),
  };
}
