/** The rules engine: the compiled matcher, routes, repeat policies and silences that judge events. */
export { compilePattern, compilePatternList, PatternSyntaxError } from './pattern.ts';
export { compileMatcher } from './matcher.ts';
export { repeatAllows, repeatAllowsAny, repeatClaim } from './repeat.ts';
export type { Occurrence, RepeatClaim } from './repeat.ts';
export { compileRules, describeSuppression } from './engine.ts';
export { mergeMentions } from './mentions.ts';
export type { MentionSource } from './mentions.ts';
export type {
  Decision,
  Delivery,
  ResolvedMentions,
  RulesEngine,
  Suppression,
  SuppressionReason,
} from './engine.ts';
