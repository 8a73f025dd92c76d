import type { ResolvedMentions } from './engine.ts';

/** Adds `from`'s mentions to `into`, each once. */
export function mergeMentions(into: ResolvedMentions, from: ResolvedMentions): void {
  for (const user of from.users) if (!into.users.includes(user)) into.users.push(user);
  for (const mobile of from.mobiles) if (!into.mobiles.includes(mobile)) into.mobiles.push(mobile);
  into.all ||= from.all;
}
