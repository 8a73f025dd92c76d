import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeEnvelope, eventFacts, normalizeEvent, PoisonMessageError } from '../../../contracts/index.ts';
import type { EnvelopeV1 } from '../../../contracts/index.ts';
import { aCoreEvent, anEnvelope } from '../../helpers/builders.ts';

const eventsV1: EnvelopeV1['event'] = {
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'node-1.190c1', namespace: 'default', uid: 'u-1' },
  eventTime: '2026-11-27T09:59:30.000000Z',
  reportingController: 'kubelet',
  reportingInstance: 'node-1',
  reason: 'Rebooted',
  regarding: { kind: 'Node', name: 'node-1' },
  note: 'Node node-1 has been rebooted',
  type: 'Warning',
  series: { count: 16, lastObservedTime: '2026-11-27T10:05:00.000000Z' },
};

describe('normalized event', () => {
  it('maps a core/v1 Event', () => {
    const event = normalizeEvent(anEnvelope({ labels: { team: 'pay' }, annotations: { owners: 'a' } }));
    assert.equal(event.api, 'v1');
    assert.equal(event.type, 'Warning');
    assert.equal(event.kind, 'Pod');
    assert.equal(event.namespace, 'payments');
    assert.equal(event.component, 'kubelet');
    assert.equal(event.host, 'node-sh-3');
    assert.equal(event.count, 1);
    assert.equal(event.firstSeen, '2026-11-27T10:00:00Z');
    assert.equal(event.cluster, 'prod-sh');
    assert.deepEqual(event.namespaceLabels, { team: 'pay' });
    assert.deepEqual(event.namespaceAnnotations, { owners: 'a' });
  });

  it('maps an events.k8s.io/v1 Event: note, regarding, series, reporting fields', () => {
    const event = normalizeEvent({ ...anEnvelope(), event: eventsV1 });
    assert.equal(event.api, 'events.k8s.io/v1');
    assert.equal(event.message, 'Node node-1 has been rebooted');
    assert.equal(event.kind, 'Node');
    assert.equal(event.namespace, '', 'cluster-scoped objects have namespace ""');
    assert.equal(event.count, 16);
    assert.equal(event.firstSeen, '2026-11-27T09:59:30.000000Z');
    assert.equal(event.lastSeen, '2026-11-27T10:05:00.000000Z');
    assert.equal(event.component, 'kubelet');
    assert.equal(event.host, 'node-1');
    assert.equal(event.uid, 'u-1');
  });

  it('prefers the series count over a stale count on core/v1', () => {
    const raw = { ...aCoreEvent(), count: undefined, series: { count: 7 } };
    assert.equal(normalizeEvent({ ...anEnvelope(), event: raw }).count, 7);
  });

  it('falls back to eventTime and creationTimestamp when timestamps are missing', () => {
    const raw = {
      ...aCoreEvent(),
      firstTimestamp: null,
      lastTimestamp: null,
      eventTime: '2026-11-27T08:00:00.000000Z',
    };
    const event = normalizeEvent({ ...anEnvelope(), event: raw });
    assert.equal(event.firstSeen, '2026-11-27T08:00:00.000000Z');
    assert.equal(event.lastSeen, '2026-11-27T08:00:00.000000Z');
  });

  it('uses reportingComponent and reportingInstance when source is empty', () => {
    const raw = {
      ...aCoreEvent(),
      source: {},
      reportingComponent: 'cert-manager',
      reportingInstance: 'cm-0',
    };
    const event = normalizeEvent({ ...anEnvelope(), event: raw });
    assert.equal(event.component, 'cert-manager');
    assert.equal(event.host, 'cm-0');
  });

  it('rejects a field of the wrong type with its JSON path', () => {
    const raw = { ...aCoreEvent(), reason: 42 } as unknown as EnvelopeV1['event'];
    assert.throws(
      () => normalizeEvent({ ...anEnvelope(), event: raw }),
      (err: unknown) => err instanceof PoisonMessageError && err.path === '$.event.reason',
    );
    const badTime = { ...aCoreEvent(), lastTimestamp: 'yesterday' };
    assert.throws(
      () => normalizeEvent({ ...anEnvelope(), event: badTime }),
      /\$\.event\.lastTimestamp: expected an RFC 3339 timestamp/,
    );
    const badLabels = { ...anEnvelope(), namespace: { labels: { team: 5 } } } as unknown as EnvelopeV1;
    assert.throws(() => normalizeEvent(badLabels), /\$\.namespace\.labels\.team/);
  });

  it('accepts a timestamp exactly when Date.parse reads it (property)', () => {
    const digits = (n: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
    const timeLike = fc
      .tuple(
        digits(4),
        digits(2),
        digits(2),
        fc.constantFrom('T', 't', ' '),
        digits(2),
        digits(2),
        digits(2),
        fc.constantFrom('', '.', '.1', '.123456', '.1234567890'),
        fc.constantFrom('Z', 'z', '', '+08:00'),
      )
      .map(
        ([y, mo, d, t, h, mi, s, fraction, zone]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${fraction}${zone}`,
      );
    fc.assert(
      fc.property(fc.oneof(timeLike, fc.string({ maxLength: 30 })), (lastTimestamp) => {
        const event = { ...aCoreEvent(), lastTimestamp };
        const read = () => normalizeEvent({ ...anEnvelope(), event }).lastSeen;
        if (lastTimestamp === '' || Number.isNaN(Date.parse(lastTimestamp))) {
          if (lastTimestamp !== '')
            assert.throws(read, /\$\.event\.lastTimestamp: expected an RFC 3339 timestamp/);
        } else {
          assert.equal(read(), lastTimestamp);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects an unsupported apiVersion', () => {
    const raw = { ...aCoreEvent(), apiVersion: 'v2' } as unknown as EnvelopeV1['event'];
    assert.throws(() => normalizeEvent({ ...anEnvelope(), event: raw }), /apiVersion/);
  });
});

describe('event facts', () => {
  it('reads uid, count, last seen, type and namespace as the normalizer does, for both Event APIs', () => {
    for (const event of [aCoreEvent({ count: 7, lastSeen: '2026-11-27T10:03:00Z' }), eventsV1]) {
      const n = normalizeEvent({ v: 1, cluster: 'c', watchType: 'ADDED', observedAt: '', event });
      assert.deepEqual(eventFacts(event), {
        uid: n.uid,
        count: n.count,
        lastSeen: n.lastSeen,
        type: n.type,
        namespace: n.namespace,
      });
    }
  });

  it('does not read the fields it does not need', () => {
    const event = { ...aCoreEvent({ uid: 'u-9' }), message: 42 } as unknown as EnvelopeV1['event'];
    assert.equal(eventFacts(event).uid, 'u-9');
  });
});

describe('queue envelopes', () => {
  it('decodes a valid envelope', () => {
    assert.equal(decodeEnvelope(JSON.stringify(anEnvelope())).cluster, 'prod-sh');
  });
  for (const [name, body, path] of [
    ['a body that is not JSON', '{"v":1,', '$'],
    ['an unknown version', JSON.stringify({ ...anEnvelope(), v: 2 }), '$.v'],
    ['a missing event', JSON.stringify({ ...anEnvelope(), event: undefined }), '$.event'],
    ['a DELETED watch type', JSON.stringify({ ...anEnvelope(), watchType: 'DELETED' }), '$.watchType'],
    ['a JSON array', '[]', '$'],
  ] as const) {
    it(`treats ${name} as poison, with the path`, () => {
      assert.throws(
        () => decodeEnvelope(body),
        (err: unknown) => err instanceof PoisonMessageError && err.path === path,
      );
    });
  }
});
