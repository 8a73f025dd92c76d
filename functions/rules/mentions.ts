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
  if (from.users?.length) appendNew(into.users, from.users);
  if (from.mobiles?.length) appendNew(into.mobiles, from.mobiles);
  if (from.all) into.all = true;
}

/** Appends the ids of `add` that `list` lacks, in time linear in both: an annotation may hold 30,000 ids. */
function appendNew(list: string[], add: readonly string[]): void {
  const seen = new Set(list);
  for (const id of add) {
    if (seen.has(id)) continue;
    seen.add(id);
    list.push(id);
  }
}
