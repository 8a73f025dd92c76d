import type { NormalizedEvent } from '../../contracts/index.ts';
import { sanitize } from './escape.ts';

/**
 * The values a generic webhook's `body` template may use: the event's fields under our names and under
 * kube-eventer's Go-template names (`{{ .InvolvedObject.Name }}`), so an imported body keeps working, plus `title`
 * and `text`, the message rendered as plain text (for a digest or a `+N more` summary, the whole of it). A digest's
 * event fields are those of its first event; a summary has none.
 */
const EVENT_FIELDS = {
  type: (e: NormalizedEvent) => e.type,
  reason: (e: NormalizedEvent) => e.reason,
  message: (e: NormalizedEvent) => e.message,
  kind: (e: NormalizedEvent) => e.kind,
  namespace: (e: NormalizedEvent) => e.namespace,
  name: (e: NormalizedEvent) => e.name,
  fieldPath: (e: NormalizedEvent) => e.fieldPath,
  component: (e: NormalizedEvent) => e.component,
  host: (e: NormalizedEvent) => e.host,
  count: (e: NormalizedEvent) => String(e.count),
  firstSeen: (e: NormalizedEvent) => e.firstSeen ?? '',
  lastSeen: (e: NormalizedEvent) => e.lastSeen ?? '',
  cluster: (e: NormalizedEvent) => e.cluster,
  uid: (e: NormalizedEvent) => e.uid,
} as const satisfies Record<string, (event: NormalizedEvent) => string>;

const KUBE_EVENTER_NAMES: Readonly<Record<string, keyof typeof EVENT_FIELDS>> = {
  Type: 'type',
  Reason: 'reason',
  Message: 'message',
  'InvolvedObject.Kind': 'kind',
  'InvolvedObject.Namespace': 'namespace',
  'InvolvedObject.Name': 'name',
  'InvolvedObject.FieldPath': 'fieldPath',
  'Source.Component': 'component',
  'Source.Host': 'host',
  Count: 'count',
  FirstTimestamp: 'firstSeen',
  LastTimestamp: 'lastSeen',
  Namespace: 'namespace',
};

/** Every field name a webhook body template may use. */
export const WEBHOOK_FIELDS: readonly string[] = [
  'title',
  'text',
  ...Object.keys(EVENT_FIELDS),
  ...Object.keys(KUBE_EVENTER_NAMES),
];

/**
 * The template values for one message: `title`, `text`, and the event's fields when it is about one. Controls and
 * bidi overrides go (they could disguise text wherever it is shown); JSON encoding does the rest.
 */
export function webhookValues(
  title: string,
  text: string,
  event: NormalizedEvent | undefined,
): Record<string, string> {
  const values: Record<string, string> = { title, text };
  if (!event) return values;
  for (const [field, read] of Object.entries(EVENT_FIELDS)) values[field] = sanitize(read(event));
  for (const [alias, field] of Object.entries(KUBE_EVENTER_NAMES)) values[alias] = values[field]!;
  return values;
}
