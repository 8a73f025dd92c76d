/** The rules engine: the compiled matcher, routes, repeat policies and silences that judge events. */
export { compilePattern, compilePatternList, PatternSyntaxError } from './pattern.ts';
export { compileMatcher } from './matcher.ts';
export { repeatAllows, repeatAllowsAny } from './repeat.ts';
export type { Occurrence } from './repeat.ts';
export { compileRules } from './engine.ts';
export type { Decision, Delivery, ResolvedMentions, RulesEngine, Suppression } from './engine.ts';
