/**
 * kube-eventer executes its body templates with a core/v1 `*v1.Event` as the data (`sinks/webhook/webhook.go`), so a
 * template may name any field of that Go struct, including the promoted fields of the embedded `TypeMeta` and
 * `ObjectMeta`. This table knows that struct, so each Go field path becomes an expression over our template data
 * (Contract 2), and a field Go would refuse (`can't evaluate field X`) is caught at import time.
 */

/** What a Go field path becomes in an Eta template. */
export interface ResolvedField {
  /** A JavaScript expression over the template data `it`. */
  expression: string;
  /** How Go printed it, when our value prints differently (a time, a map, a nil pointer). */
  difference?: string;
}

/** Why a field path cannot be resolved: Go itself failed on it, or it needs a construct we do not translate. */
export interface FieldError {
  error: string;
  /** True when kube-eventer's own rendering failed on every event for this reason. */
  failedInKubeEventer: boolean;
  /** The path names a struct (always true as a Go condition; `with` may step into it). */
  struct?: boolean;
}

type GoType = 'string' | 'int' | 'time' | 'map' | 'list' | { struct: string; pointer?: boolean };

interface StructField {
  json: string;
  type: GoType;
}

const OBJECT_META: Record<string, StructField> = {
  Name: { json: 'name', type: 'string' },
  GenerateName: { json: 'generateName', type: 'string' },
  Namespace: { json: 'namespace', type: 'string' },
  SelfLink: { json: 'selfLink', type: 'string' },
  UID: { json: 'uid', type: 'string' },
  ResourceVersion: { json: 'resourceVersion', type: 'string' },
  Generation: { json: 'generation', type: 'int' },
  CreationTimestamp: { json: 'creationTimestamp', type: 'time' },
  DeletionTimestamp: { json: 'deletionTimestamp', type: 'time' },
  DeletionGracePeriodSeconds: { json: 'deletionGracePeriodSeconds', type: 'int' },
  Labels: { json: 'labels', type: 'map' },
  Annotations: { json: 'annotations', type: 'map' },
  OwnerReferences: { json: 'ownerReferences', type: 'list' },
  Finalizers: { json: 'finalizers', type: 'list' },
  ManagedFields: { json: 'managedFields', type: 'list' },
};

const TYPE_META: Record<string, StructField> = {
  Kind: { json: 'kind', type: 'string' },
  APIVersion: { json: 'apiVersion', type: 'string' },
};

const STRUCTS: Record<string, Record<string, StructField>> = {
  Event: {
    ...TYPE_META,
    ...OBJECT_META,
    TypeMeta: { json: '', type: { struct: 'TypeMeta' } },
    ObjectMeta: { json: 'metadata', type: { struct: 'ObjectMeta' } },
    InvolvedObject: { json: 'involvedObject', type: { struct: 'ObjectReference' } },
    Reason: { json: 'reason', type: 'string' },
    Message: { json: 'message', type: 'string' },
    Source: { json: 'source', type: { struct: 'EventSource' } },
    FirstTimestamp: { json: 'firstTimestamp', type: 'time' },
    LastTimestamp: { json: 'lastTimestamp', type: 'time' },
    Count: { json: 'count', type: 'int' },
    Type: { json: 'type', type: 'string' },
    EventTime: { json: 'eventTime', type: 'time' },
    Series: { json: 'series', type: { struct: 'EventSeries', pointer: true } },
    Action: { json: 'action', type: 'string' },
    Related: { json: 'related', type: { struct: 'ObjectReference', pointer: true } },
    // The Go field is ReportingController; its JSON name is reportingComponent.
    ReportingController: { json: 'reportingComponent', type: 'string' },
    ReportingInstance: { json: 'reportingInstance', type: 'string' },
  },
  TypeMeta: TYPE_META,
  ObjectMeta: OBJECT_META,
  ObjectReference: {
    Kind: { json: 'kind', type: 'string' },
    Namespace: { json: 'namespace', type: 'string' },
    Name: { json: 'name', type: 'string' },
    UID: { json: 'uid', type: 'string' },
    APIVersion: { json: 'apiVersion', type: 'string' },
    ResourceVersion: { json: 'resourceVersion', type: 'string' },
    FieldPath: { json: 'fieldPath', type: 'string' },
  },
  EventSource: {
    Component: { json: 'component', type: 'string' },
    Host: { json: 'host', type: 'string' },
  },
  EventSeries: {
    Count: { json: 'count', type: 'int' },
    LastObservedTime: { json: 'lastObservedTime', type: 'time' },
  },
};

const GO_TIME =
  'Go printed times as `2006-01-02 15:04:05 -0700 MST` in kube-eventer’s time zone (0001-01-01 00:00:00 +0000 UTC when unset); kube-wecom prints `2006-01-02 15:04:05` in the bundle’s timezone (- when unset)';

const TYPE_META_EMPTY =
  'kube-eventer’s Kubernetes client left the Event’s TypeMeta empty, so Go printed nothing here; kube-wecom prints the value the API server sent';

/**
 * Go field paths that have a normalized counterpart in our template data. The rest are read from `it.raw`, the
 * Event as the API server sent it.
 */
const NORMALIZED: Record<string, ResolvedField> = {
  Type: { expression: 'it.type' },
  Reason: { expression: 'it.reason' },
  Message: {
    expression: 'it.message',
    difference:
      'kube-eventer deleted every double quote from the message (to keep its JSON valid); kube-wecom keeps them, escaped',
  },
  Count: {
    expression: 'it.count',
    difference: 'kube-eventer printed 0 when the Event had no count; kube-wecom prints at least 1',
  },
  'InvolvedObject.Kind': { expression: 'it.kind' },
  'InvolvedObject.Namespace': { expression: 'it.namespace' },
  'InvolvedObject.Name': { expression: 'it.name' },
  'InvolvedObject.FieldPath': { expression: 'it.fieldPath' },
  'Source.Component': { expression: 'it.component' },
  'Source.Host': { expression: 'it.host' },
  FirstTimestamp: { expression: 'it.fmt.time(it.firstSeen)', difference: GO_TIME },
  LastTimestamp: {
    expression: 'it.fmt.time(it.lastSeen)',
    difference: `${GO_TIME}; like kube-eventer it falls back to the event time when lastTimestamp is empty`,
  },
  Name: { expression: 'it.eventName' },
  'ObjectMeta.Name': { expression: 'it.eventName' },
  Namespace: { expression: 'it.eventNamespace' },
  'ObjectMeta.Namespace': { expression: 'it.eventNamespace' },
};

/**
 * Resolves a Go field path (`['InvolvedObject', 'Name']`, relative to the Event) to an Eta expression, or explains
 * why it cannot be.
 */
export function resolveField(path: readonly string[]): ResolvedField | FieldError {
  if (path.length === 0) {
    return { error: 'prints the whole Event as a Go struct', failedInKubeEventer: false };
  }
  const normalized = NORMALIZED[path.join('.')];
  if (normalized) return normalized;

  let struct = 'Event';
  const access: string[] = [];
  let difference: string | undefined;
  for (let i = 0; i < path.length; i++) {
    const name = path[i]!;
    const field = STRUCTS[struct]?.[name];
    if (!field) {
      return { error: `the Go type ${goTypeName(struct)} has no field ${name}`, failedInKubeEventer: true };
    }
    if (field.json !== '') access.push(field.json);
    const type = field.type;
    const rest = path.length - i - 1;
    if (typeof type === 'object') {
      if (type.pointer && rest > 0) {
        difference = `Go failed with "nil pointer evaluating" whenever the Event had no ${field.json}; kube-wecom prints an empty value`;
      }
      struct = type.struct;
      if (rest === 0) {
        return {
          error: `prints the ${goTypeName(struct)} struct ${name} as Go does`,
          failedInKubeEventer: false,
          struct: true,
        };
      }
      continue;
    }
    if (type === 'map') {
      if (rest > 1)
        return { error: `${path.slice(i + 1).join('.')} is not a single map key`, failedInKubeEventer: true };
      if (rest === 1)
        return { expression: rawAccess([...access, path[i + 1]!]), ...(difference ? { difference } : {}) };
      return {
        expression: `JSON.stringify(${rawAccess(access, '{}')})`,
        difference: 'Go printed maps as map[key:value]; kube-wecom prints JSON',
      };
    }
    if (rest > 0) {
      if (type === 'time')
        return { error: `${name}.${path[i + 1]} calls a method of a Go time`, failedInKubeEventer: false };
      return { error: `${name} is a ${type}, it has no field ${path[i + 1]}`, failedInKubeEventer: true };
    }
    if (type === 'list') {
      return {
        expression: `JSON.stringify(${rawAccess(access, '[]')})`,
        difference: 'Go printed lists as [a b]; kube-wecom prints JSON',
      };
    }
    if (type === 'time')
      return { expression: `it.fmt.time(${rawAccess(access, 'null')})`, difference: difference ?? GO_TIME };
    if (struct === 'Event' && (name === 'Kind' || name === 'APIVersion')) difference = TYPE_META_EMPTY;
    if (struct === 'TypeMeta') difference = TYPE_META_EMPTY;
  }
  return { expression: rawAccess(access), ...(difference ? { difference } : {}) };
}

/** `(it.raw?.a?.b ?? '')`: absent optional fields print as empty, as Go printed their zero value. */
function rawAccess(keys: readonly string[], fallback = "''"): string {
  const chain = keys
    .map((key) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `?.${key}` : `?.[${JSON.stringify(key)}]`))
    .join('');
  return `(it.raw${chain} ?? ${fallback})`;
}

function goTypeName(struct: string): string {
  return struct === 'Event'
    ? 'v1.Event'
    : struct === 'ObjectMeta' || struct === 'TypeMeta'
      ? `metav1.${struct}`
      : `v1.${struct}`;
}
