import { z } from 'zod';
import { bundleSchema } from './schema.ts';

/** The editor-facing JSON Schema of the bundle (`config/schema.json`), generated from the validating schema. */
export function bundleJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(bundleSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://github.com/kube-wecom/kube-wecom/config/schema.json',
    title: 'kube-wecom rules bundle (format version 1)',
  };
}
