/**
 * The rules bundle (Contract 3): its schema, and the one place that loads and checks it. Loading validates the
 * schema and the meaning (references resolve, regexes compile, limits hold) and checks every template, so later
 * code trusts what it gets. The CLI, `npm start` and the packaging step all load through here; the Lambda
 * receives the bundle already validated at packaging time and only imports its types.
 */
export * from './schema.ts';
export * from './channel-schema.ts';
export * from './errors.ts';
export { jsonPath } from './json-path.ts';
export { bundleJsonSchema } from './json-schema.ts';
export { validateBundle } from './validate.ts';
export type { ValidationOptions } from './validate.ts';
export type { ValidationResult } from './validate.ts';
export { loadBundle, parseJson } from './load.ts';
export type { LoadedBundle } from './load.ts';
export { loadCheckedBundle } from './load-checked.ts';
export { BUILTIN_TEMPLATES, checkTemplate } from './template-check.ts';
export { parseDuration } from './duration.ts';
