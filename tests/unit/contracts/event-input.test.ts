import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { normalizeEvent, PoisonMessageError } from '../../../contracts/index.ts';
import { readEventInput, stringifyWithoutRecursion } from '../../../inputs/index.ts';
import { aCoreEvent } from '../../helpers/builders.ts';

const options = { cluster: 'local', observedAt: '2026-11-27T10:00:00.000Z' };
const fixture = (name: string) => readFileSync(`tests/fixtures/events/${name}`, 'utf8');

describe('reading event input', () => {
  it('reads JSON lines of core/v1 Events as ADDED', () => {
    const { events, problems } = readEventInput(fixture('core-v1.jsonl'), options);
    assert.equal(events.length, 12);
    assert.deepEqual(problems, []);
    assert.equal(events[0]!.envelope.watchType, 'ADDED');
    assert.equal(events[0]!.envelope.cluster, 'local');
    assert.deepEqual(
      events.map((e) => e.line),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
  });

  it('reads events.k8s.io/v1 Events', () => {
    const { events } = readEventInput(fixture('events-v1.jsonl'), options);
    assert.equal(events.length, 4);
    assert.equal(normalizeEvent(events[0]!.envelope).count, 16);
  });

  it('reads a pretty-printed `kubectl get events -o json` list', () => {
    const { events, problems } = readEventInput(fixture('kubectl-list.json'), options);
    assert.deepEqual(problems, []);
    assert.equal(events.length, 5);
    assert.ok(events.every((e) => e.line === 1));
  });

  it('reads watch events and skips DELETED with a note', () => {
    const { events, problems } = readEventInput(fixture('watch.jsonl'), options);
    assert.deepEqual(
      events.map((e) => e.envelope.watchType),
      ['ADDED', 'MODIFIED', 'MODIFIED'],
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.severity, 'skipped');
    assert.equal(problems[0]!.line, 4);
  });

  it('keeps the cluster and namespace enrichment of envelopes', () => {
    const { events } = readEventInput(fixture('envelopes.jsonl'), options);
    assert.equal(events[0]!.envelope.cluster, 'prod-sh');
    assert.equal(
      normalizeEvent(events[0]!.envelope).namespaceAnnotations['kube-wecom/owners'],
      'wangqing,lihua',
    );
  });

  it('reads a JSON array and concatenated pretty-printed objects, keeping each start line', () => {
    const pretty = JSON.stringify(aCoreEvent(), null, 2);
    const { events } = readEventInput(`${pretty}\n${pretty}\n[${JSON.stringify(aCoreEvent())}]`, options);
    const lines = pretty.split('\n').length;
    assert.deepEqual(
      events.map((e) => e.line),
      [1, lines + 1, 2 * lines + 1],
    );
  });

  it('names the line of every bad value and still reads the rest', () => {
    const { events, problems } = readEventInput(fixture('bad-lines.jsonl'), options);
    assert.deepEqual(
      problems.map((p) => [p.line, p.severity]),
      [
        [2, 'error'],
        [3, 'error'],
        [4, 'error'],
      ],
    );
    assert.match(problems[0]!.message, /not valid JSON/);
    assert.match(problems[1]!.message, /not an Event: kind "Pod"/);
    assert.match(problems[2]!.message, /unknown envelope version 2/);
    assert.equal(
      events.length,
      3,
      'the event with a bad count is read; normalizing it fails later with a path',
    );
    assert.throws(() => normalizeEvent(events[1]!.envelope), PoisonMessageError);
  });

  it('says a pile of parked events from the DLQ is no Event, and how to send it', () => {
    const pile = JSON.stringify({ parked: 'ops', tally: { total: 2 }, parkings: ['p1'] });
    const { events, problems } = readEventInput(`${pile}\n`, options);
    assert.equal(events.length, 0);
    assert.match(problems[0]!.message, /pile of parked events .*kube-wecom redrive/);
    assert.equal(problems[0]!.line, 1);
  });

  it('reports an unterminated value', () => {
    const { problems } = readEventInput('{"kind":"Event",\n"reason":"x"', options);
    assert.equal(problems[0]!.line, 1);
    assert.match(problems[0]!.message, /unterminated/);
  });

  it('reads every event after an unterminated line, and reports each bad line with its number', () => {
    const good = (name: string) => JSON.stringify(aCoreEvent({ name }));
    const text = [
      '{"kind":"Event", broken',
      good('a'),
      '{"kind":"Event","message":"an unterminated string',
      good('b'),
      '[{"kind":"Event"',
      good('c'),
    ].join('\n');
    const { events, problems } = readEventInput(text, options);
    assert.deepEqual(
      events.map((e) => e.line),
      [2, 4, 6],
    );
    assert.deepEqual(
      problems.map((p) => [p.line, /unterminated/.test(p.message)]),
      [
        [1, true],
        [3, true],
        [5, true],
      ],
    );
  });

  it('still reads a value whose nested lines start in the first column inside a top-level array', () => {
    const text = `[\n${JSON.stringify(aCoreEvent({ name: 'a' }))},\n${JSON.stringify(aCoreEvent({ name: 'b' }))}\n]`;
    const { events, problems } = readEventInput(text, options);
    assert.equal(events.length, 2);
    assert.deepEqual(problems, []);
  });

  it('serialises a value too deep for JSON.stringify, and any other value exactly as it does (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.equal(stringifyWithoutRecursion(value), JSON.stringify(value));
      }),
    );
    const depth = 20_000;
    const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    assert.equal(stringifyWithoutRecursion(JSON.parse(deep)), deep);
  });

  it('never throws, whatever the input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.array(fc.json()).map((a) => a.join('\n')),
        ),
        (text) => {
          const result = readEventInput(text, options);
          for (const item of result.events) {
            try {
              normalizeEvent(item.envelope);
            } catch (err) {
              assert.ok(err instanceof PoisonMessageError, `normalize threw ${String(err)}`);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('normalizing arbitrary objects shaped like events only ever throws PoisonMessageError (property)', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
      fc.object(),
      fc.array(fc.string()),
    );
    const eventLike = fc.record(
      {
        apiVersion: fc.oneof(fc.constant('v1'), fc.constant('events.k8s.io/v1'), value),
        kind: fc.constant('Event'),
        metadata: fc.oneof(
          fc.record({ name: value, namespace: value, uid: value }, { requiredKeys: [] }),
          value,
        ),
        involvedObject: fc.oneof(
          fc.record({ kind: value, name: value, namespace: value }, { requiredKeys: [] }),
          value,
        ),
        regarding: fc.oneof(fc.record({ kind: value, name: value }, { requiredKeys: [] }), value),
        reason: value,
        message: value,
        note: value,
        type: value,
        count: value,
        series: fc.oneof(fc.record({ count: value, lastObservedTime: value }, { requiredKeys: [] }), value),
        firstTimestamp: value,
        lastTimestamp: value,
        eventTime: value,
        source: value,
      },
      { requiredKeys: ['kind'] },
    );
    fc.assert(
      fc.property(eventLike, (event) => {
        const { events } = readEventInput(JSON.stringify(event), options);
        for (const item of events) {
          try {
            normalizeEvent(item.envelope);
          } catch (err) {
            assert.ok(err instanceof PoisonMessageError, `normalize threw ${String(err)}`);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
