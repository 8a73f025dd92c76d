import type { ResolvedMentions } from './engine.ts';

/** Mentions to add: any of a bundle's `mentions`, a delivery's resolved list, or a template's own lists. */
export interface MentionSource {
  users?: readonly string[];
  mobiles?: readonly string[];
  all?: boolean;
}

/**
 * Adds the users and mobiles of `from` that `into` does not list yet, in order, and `@all` if `from` has it:
 * WeCom would @ a person twice if a name repeated, whichever route, receiver or digest event it came from.
 */
export function mergeMentions(into: ResolvedMentions, from: MentionSource): void {
  if (from.users) for (const user of from.users) if (!into.users.includes(user)) into.users.push(user);
  if (from.mobiles)
    for (const mobile of from.mobiles) if (!into.mobiles.includes(mobile)) into.mobiles.push(mobile);
  if (from.all) into.all = true;
}
