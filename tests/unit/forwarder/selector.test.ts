import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventSelector } from '../../../forwarder/events/index.ts';
import type { WireObject } from '../../../forwarder/kube/index.ts';

const NOW = Date.parse('2026-11-27T10:00:00Z');
function event(
  uid: string,
  count: number,
  lastTimestamp: string,
  extra: Record<string, unknown> = {},
): WireObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { uid, name: uid, namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0' },
    type: 'Normal',
    count,
    lastTimestamp,
    ...extra,
  };
}
const selector = (options: Partial<ConstructorParameters<typeof EventSelector>[0]> = {}) =>
  new EventSelector({ types: [], namespaces: [], listCutoff: NOW - 5 * 60_000, ...options });

describe('EventSelector', () => {
  it('forwards listed events younger than the cutoff only, and later relists only what changed', () => {
    const s = selector();
    const first = s.fromList([
      event('old', 1, '2026-11-27T09:00:00Z'),
      event('new', 1, '2026-11-27T09:59:00Z'),
    ]);
    assert.deepEqual(
      first.map((d) => (d.forward ? d.watchType : d.reason)),
      ['too_old', 'ADDED'],
    );
    const relist = s.fromList([
      event('old', 2, '2026-11-27T10:01:00Z'),
      event('new', 1, '2026-11-27T09:59:00Z'),
      event('gap', 1, '2026-11-27T10:01:00Z'),
    ]);
    assert.deepEqual(
      relist.map((d) => (d.forward ? d.watchType : d.reason)),
      ['MODIFIED', 'unchanged', 'ADDED'],
    );
  });

  it('skips a MODIFIED that changed neither count nor last-seen time, and never forwards DELETED', () => {
    const s = selector();
    assert.equal(s.fromWatch('ADDED', event('a', 1, '2026-11-27T10:00:00Z')).forward, true);
    assert.deepEqual(s.fromWatch('MODIFIED', event('a', 1, '2026-11-27T10:00:00Z', { message: 'edited' })), {
      forward: false,
      reason: 'unchanged',
    });
    assert.equal(s.fromWatch('MODIFIED', event('a', 2, '2026-11-27T10:00:30Z')).forward, true);
    assert.deepEqual(s.fromWatch('DELETED', event('a', 2, '2026-11-27T10:00:30Z')), {
      forward: false,
      reason: 'deleted',
    });
  });

  it('forwards watched events regardless of age; the age filter applies to the initial list only', () => {
    assert.equal(selector().fromWatch('ADDED', event('ancient', 1, '2020-01-01T00:00:00Z')).forward, true);
  });

  it('applies the --types and --namespaces pre-filters, treating cluster-scoped objects as namespace ""', () => {
    const s = selector({ types: ['Warning'], namespaces: ['pay'] });
    assert.deepEqual(s.fromWatch('ADDED', event('n', 1, '2026-11-27T10:00:00Z')), {
      forward: false,
      reason: 'type',
    });
    const node = event('node', 1, '2026-11-27T10:00:00Z', {
      type: 'Warning',
      involvedObject: { kind: 'Node', name: 'n1' },
    });
    assert.deepEqual(s.fromWatch('ADDED', node), { forward: false, reason: 'namespace' });
  });

  it('does not repeat occurrences delivered before a restart when the relist returns them', () => {
    const s = selector({ delivered: [{ uid: 'a', count: 3, lastSeen: Date.parse('2026-11-27T10:00:00Z') }] });
    const decisions = s.fromList([
      event('a', 3, '2026-11-27T10:00:00Z'),
      event('a2', 1, '2026-11-27T10:00:00Z'),
    ]);
    assert.deepEqual(
      decisions.map((d) => d.forward),
      [false, true],
    );
  });

  it('reads count and last-seen time from events.k8s.io/v1 events too', () => {
    const s = selector();
    const v1 = (count: number, at: string): WireObject => ({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { uid: 'v1', name: 'v1', namespace: 'default' },
      regarding: { kind: 'Pod', namespace: 'default', name: 'x' },
      type: 'Warning',
      eventTime: '2026-11-27T09:59:00.000000Z',
      series: { count, lastObservedTime: at },
    });
    assert.equal(s.fromWatch('ADDED', v1(2, '2026-11-27T10:00:00.000000Z')).forward, true);
    assert.equal(s.fromWatch('MODIFIED', v1(2, '2026-11-27T10:00:00.000000Z')).forward, false);
    assert.equal(s.fromWatch('MODIFIED', v1(3, '2026-11-27T10:00:10.000000Z')).forward, true);
  });
});
