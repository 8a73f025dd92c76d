import bundle from 'kube-wecom-bundle';
import { buildHandler } from './lambda/index.ts';
import type { Bundle } from './bundle/index.ts';

/**
 * The Lambda entry point (`functions/handler.handler`). The stage's bundle was validated when the artifact was
 * packaged, and compiled into it as `kube-wecom-bundle` with the schema's defaults already applied
 * (`kube-wecom validate --normalized-out`), so no schema library is loaded at cold start.
 */
export const handler = buildHandler({ bundle: bundle as Bundle, env: process.env });
