/** A body template is refused at load: not JSON, a placeholder outside a string or in a key, an unknown field. */
export class WebhookTemplateError extends Error {
  override name = 'WebhookTemplateError';
}

/** A compiled full-body template. */
export interface WebhookBodyTemplate {
  /** The field names the template uses, in order of first use. */
  readonly fields: readonly string[];
  /** The JSON body with every placeholder replaced by its value (missing values render as ''). */
  render(values: Readonly<Record<string, string>>): string;
}

// `{{ name }}`, and kube-eventer's Go-template spelling `{{ .InvolvedObject.Name }}`.
const PLACEHOLDER = /\{\{\s*\.?([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

/**
 * Compiles a full-body template: JSON text whose string values may hold `{{ field }}` placeholders. It is parsed
 * once, here, and values are substituted into the parsed strings, then the whole is serialized by
 * `JSON.stringify`: a quote, backslash or newline in event text is escaped by code and can never break the JSON
 * (kube-eventer pasted values into the text and sent invalid JSON for them).
 */
export function compileWebhookBody(template: string, knownFields: readonly string[]): WebhookBodyTemplate {
  let tree: unknown;
  try {
    tree = JSON.parse(template);
  } catch (err) {
    throw new WebhookTemplateError(
      `the body template is not JSON (placeholders may stand only inside JSON strings): ${(err as Error).message}`,
    );
  }
  const fields = new Set<string>();
  collect(tree, fields);
  const known = new Set(knownFields);
  const unknown = [...fields].filter((f) => !known.has(f));
  if (unknown.length > 0) {
    throw new WebhookTemplateError(
      `the body template uses unknown fields ${unknown.join(', ')}; known: ${knownFields.join(', ')}`,
    );
  }
  return {
    fields: [...fields],
    render: (values) => JSON.stringify(substitute(tree, values)),
  };
}

function collect(node: unknown, fields: Set<string>): void {
  if (typeof node === 'string') {
    for (const match of node.matchAll(PLACEHOLDER)) fields.add(match[1]!);
  } else if (Array.isArray(node)) {
    for (const item of node) collect(item, fields);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (new RegExp(PLACEHOLDER.source).test(key)) {
        throw new WebhookTemplateError(
          `the body template has a placeholder in the key ${JSON.stringify(key)}`,
        );
      }
      collect(value, fields);
    }
  }
}

function substitute(node: unknown, values: Readonly<Record<string, string>>): unknown {
  if (typeof node === 'string') return node.replace(PLACEHOLDER, (_, field: string) => values[field] ?? '');
  if (Array.isArray(node)) return node.map((item) => substitute(item, values));
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, substitute(value, values)]));
  }
  return node;
}
