/** The rules engine: the bundle format, its validation, and the compiled matcher that judges events. */
export * from './schema.ts';
export * from './errors.ts';
export { jsonPath } from './json-path.ts';
export { compilePattern, compilePatternList } from './pattern.ts';
export { compileMatcher } from './matcher.ts';
export { repeatAllows, repeatAllowsAny } from './repeat.ts';
export type { Occurrence } from './repeat.ts';
export { compileRules } from './engine.ts';
export type { Decision, Delivery, ResolvedMentions, RulesEngine, Suppression } from './engine.ts';
export { validateBundle } from './validate.ts';
export type { ValidationResult } from './validate.ts';
export { loadBundle, parseJson } from './load.ts';
export type { LoadedBundle } from './load.ts';
export { BUILTIN_TEMPLATES, checkTemplate } from './template-check.ts';
