import bundleInput from 'kube-wecom-bundle';
import { buildHandler } from './lambda/index.ts';
import { bundleSchema } from './rules/schema.ts';

/**
 * The Lambda entry point (`functions/handler.handler`). The stage's bundle was validated when the artifact was
 * packaged and is compiled into it as `kube-wecom-bundle`; parsing here only applies the schema's defaults.
 */
export const handler = buildHandler({ bundle: bundleSchema.parse(bundleInput), env: process.env });
