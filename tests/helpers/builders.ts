import type { CollapsedEvent } from '../../functions/pipeline/index.ts';
import { normalizeEvent } from '../../contracts/index.ts';
import type { CoreV1Event, EnvelopeV1, NormalizedEvent } from '../../contracts/index.ts';
import { compileRules } from '../../functions/rules/index.ts';
import { validateBundle } from '../../functions/bundle/index.ts';
import type { RulesEngine } from '../../functions/rules/index.ts';
import type { BundleInput } from '../../functions/bundle/index.ts';

/** The fields tests usually vary, with realistic defaults (a Warning BackOff of a Pod in `payments`). */
export interface EventSpec {
  type?: string;
  reason?: string;
  message?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  count?: number;
  uid?: string;
  component?: string;
  host?: string;
  cluster?: string;
  watchType?: 'ADDED' | 'MODIFIED';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  lastSeen?: string;
}

/** Builds a core/v1 Event as the API server returns it. */
export function aCoreEvent(spec: EventSpec = {}): CoreV1Event {
  const namespace = spec.namespace ?? 'payments';
  const name = spec.name ?? 'web-7d9f8-x2k4p';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${name}.17f3a`,
      namespace: namespace || 'default',
      uid: spec.uid ?? `uid-${name}-${spec.reason ?? 'BackOff'}`,
    },
    involvedObject: { kind: spec.kind ?? 'Pod', name, ...(namespace ? { namespace } : {}) },
    reason: spec.reason ?? 'BackOff',
    message: spec.message ?? 'Back-off restarting failed container web',
    type: spec.type ?? 'Warning',
    count: spec.count ?? 1,
    firstTimestamp: '2026-11-27T10:00:00Z',
    lastTimestamp: spec.lastSeen ?? '2026-11-27T10:00:00Z',
    source: { component: spec.component ?? 'kubelet', host: spec.host ?? 'node-sh-3' },
  };
}

/** Wraps an event as the forwarder would put it on the queue. */
export function anEnvelope(spec: EventSpec = {}): EnvelopeV1 {
  const envelope: EnvelopeV1 = {
    v: 1,
    cluster: spec.cluster ?? 'prod-sh',
    watchType: spec.watchType ?? 'ADDED',
    observedAt: '2026-11-27T10:00:01.000Z',
    event: aCoreEvent(spec),
  };
  if (spec.labels || spec.annotations)
    envelope.namespace = { labels: spec.labels ?? {}, annotations: spec.annotations ?? {} };
  return envelope;
}

/** A normalized event, built through the real normalizer. */
export function anEvent(spec: EventSpec = {}): NormalizedEvent {
  return normalizeEvent(anEnvelope(spec));
}

/** One event of a batch after the collapse stage: a fresh event (owed to every receiver) behind `messageIds`. */
export function aCollapsedEvent(
  spec: EventSpec = {},
  messageIds: string[] = [spec.uid ?? 'm'],
): CollapsedEvent {
  const envelope = anEnvelope(spec);
  return {
    event: normalizeEvent(envelope),
    occurrences: [{ watchType: envelope.watchType, count: normalizeEvent(envelope).count }],
    messageIds,
    positions: messageIds.map((_, i) => i),
    envelope,
    owed: undefined,
    failures: 0,
  };
}

/** A minimal valid bundle around the given routes, with one markdown receiver per name they use. */
export function aBundle(overrides: Partial<BundleInput> = {}): BundleInput {
  const routes = overrides.routes ?? [{ name: 'all', receivers: ['team'] }];
  const receivers: BundleInput['receivers'] = {};
  for (const route of routes)
    for (const name of route.receivers)
      receivers[name] = { webhook: `env:WECOM_${name.toUpperCase().replace(/-/g, '_')}` };
  return { version: 1, ...overrides, receivers: { ...receivers, ...overrides.receivers }, routes };
}

/** Validates and compiles a bundle, failing loudly if the test's own bundle is invalid. */
export function anEngine(overrides: Partial<BundleInput> = {}): RulesEngine {
  const result = validateBundle(aBundle(overrides));
  if (!result.bundle) throw new Error(`test bundle is invalid: ${JSON.stringify(result.problems)}`);
  return compileRules(result.bundle);
}

/** 2026-11-27T10:00:00Z, the tests' fixed "now". */
export const NOW = Date.parse('2026-11-27T10:00:00Z');
