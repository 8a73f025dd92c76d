import { z } from 'zod';

/**
 * The field names the schema allows in the object at `path` (e.g. `['routes', 0, 'match']` gives the matcher's
 * fields), so an unknown field can be answered with the one that was meant. zod's unknown-key issue names the
 * path but not the allowed keys, so the schema is walked along the path; a union contributes every branch that
 * the path fits (`exclude` is a matcher or a list of matchers).
 */
export function knownFieldsAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): Set<string> {
  const fields = new Set<string>();
  const visit = (node: z.ZodType, rest: ReadonlyArray<PropertyKey>): void => {
    if (node instanceof z.ZodOptional || node instanceof z.ZodDefault || node instanceof z.ZodNullable) {
      visit(node.unwrap() as z.ZodType, rest);
    } else if (node instanceof z.ZodUnion) {
      for (const option of node.options) visit(option as z.ZodType, rest);
    } else if (node instanceof z.ZodObject) {
      const shape = node.shape as Record<string, z.ZodType>;
      if (rest.length === 0) for (const key of Object.keys(shape)) fields.add(key);
      else if (typeof rest[0] === 'string' && Object.hasOwn(shape, rest[0]))
        visit(shape[rest[0]]!, rest.slice(1));
    } else if (node instanceof z.ZodArray) {
      if (typeof rest[0] === 'number') visit(node.element as z.ZodType, rest.slice(1));
    } else if (node instanceof z.ZodRecord) {
      if (rest.length > 0) visit(node.valueType as z.ZodType, rest.slice(1));
    }
  };
  visit(schema, path);
  return fields;
}
