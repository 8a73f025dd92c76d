import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BatchRecord } from '../../../functions/pipeline/index.ts';
import { readEventInput } from '../../../inputs/index.ts';
import { anEnvelope } from '../../helpers/builders.ts';
import { auditedUids, envelopeCorpus, invokeHandler } from './rig.ts';
import type { Invocation } from './rig.ts';

// Queue messages are untrusted input. Whatever a message holds, the handler answers; a bad message becomes a dead
// letter with a reason naming where it is bad; the good messages of the same batch are delivered.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function goodRecord(i: number, prefix = 'good'): BatchRecord & { uid: string } {
  const uid = `${prefix}-${i}`;
  const envelope = anEnvelope({ name: `web-${prefix}-${i}`, uid, namespace: i % 2 ? 'payments' : 'orders' });
  return { messageId: `${prefix}-${i}`, body: JSON.stringify(envelope), uid };
}

/** The guarantees of every invocation: an answer, nothing lost, nothing retried (the sender never fails). */
function assertAccounted(records: readonly BatchRecord[], run: Invocation): void {
  assert.deepEqual(run.failures, [], 'nothing is left to retry: the sender never fails');
  const ids = new Set(records.map((r) => r.messageId));
  for (const letter of run.deadLetters) {
    assert.ok(ids.has(letter.messageId), `dead letter for an unknown message ${letter.messageId}`);
    assert.match(letter.reason, /^poison message: \$.*?: ./);
    assert.ok(letter.reason.length < 400, `reason of ${letter.reason.length} characters`);
    assert.equal(letter.body, records.find((r) => r.messageId === letter.messageId)!.body);
  }
  const { stats } = run;
  assert.equal(stats.records, records.length);
  assert.equal(stats.poison, run.deadLetters.length);
  assert.equal(stats.events, records.length - stats.poison, 'every other message decoded into an event');
  assert.equal(stats.notified, stats.collapsed, 'the bundle notifies every event');
  assert.equal(stats.sent, stats.messages);
  assert.equal(stats.sent, run.sent.length);
}

function assertDelivered(goods: readonly { uid: string }[], run: Invocation): void {
  const delivered = auditedUids(run.sent);
  for (const { uid } of goods) assert.ok(delivered.has(uid), `${uid} was not delivered`);
}

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` levels, as text (building the value would recurse). */
function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** A good envelope's body with the value at `path` replaced by raw JSON text. */
function withRawValue(record: BatchRecord, path: readonly string[], raw: string): string {
  const marker = '"@@HOSTILE@@"';
  const envelope = JSON.parse(record.body) as Record<string, Json>;
  let node = envelope as Record<string, Json>;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, Json>;
  }
  node[path.at(-1)!] = '@@HOSTILE@@';
  return JSON.stringify(envelope).replace(marker, raw);
}

describe('hostile queue messages', () => {
  it('corpus: each bad message is a dead letter naming its JSON path, each good one is delivered', async () => {
    const corpus = envelopeCorpus();
    // SQS hands the function batches of ten, bad and good mixed.
    for (let start = 0; start < corpus.length; start += 10) {
      const chunk = corpus.slice(start, start + 10);
      const records = chunk.map((entry, i) => ({ messageId: `c-${start + i}`, body: entry.body }));
      const run = await invokeHandler(records);
      assertAccounted(records, run);
      const letters = new Map(run.deadLetters.map((letter) => [letter.messageId, letter.reason]));
      chunk.forEach((entry, i) => {
        const reason = letters.get(`c-${start + i}`);
        if (entry.poison === null) {
          assert.equal(reason, undefined, `${entry.name}: dead-lettered: ${reason}`);
        } else {
          assert.ok(reason?.startsWith(`poison message: ${entry.poison}: `), `${entry.name}: ${reason}`);
        }
      });
      const expected = chunk.filter((e) => e.poison === null).length;
      assert.equal(run.stats.events, expected);
    }
  });

  it('corpus: good messages come out inert (no mention, no markup, no control character)', async () => {
    const records = envelopeCorpus()
      .filter((e) => e.poison === null)
      .slice(0, 15)
      .map((entry, i) => ({ messageId: `g-${i}`, body: entry.body }));
    const run = await invokeHandler(records);
    for (const message of run.sent) {
      const body = message.body as Record<string, { content?: string; mentioned_list?: string[] }>;
      const content = body[message.msgtype]!.content!;
      assert.ok(!content.includes('<@'), content);
      assert.ok(!content.includes('<font color="warning">x'), content);
      // eslint-disable-next-line no-control-regex -- the point is that none is left
      assert.doesNotMatch(content, /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/);
      assert.ok((content as unknown as { isWellFormed(): boolean }).isWellFormed(), 'no lone surrogate');
      assert.equal(body[message.msgtype]!.mentioned_list, undefined, 'the bundle mentions no one');
    }
  });

  const deepCases: [path: string[], poison: string | null][] = [
    [['v'], '$.v'],
    [['cluster'], '$.cluster'],
    [['watchType'], '$.watchType'],
    [['observedAt'], '$.observedAt'],
    [['namespace'], '$.namespace'],
    [['namespace', 'labels'], '$.namespace.labels'],
    [['namespace', 'annotations', 'kube-wecom/owners'], '$.namespace.annotations["kube-wecom/owners"]'],
    [['event', 'apiVersion'], '$.event.apiVersion'],
    [['event', 'metadata'], '$.event.metadata'],
    [['event', 'metadata', 'uid'], '$.event.metadata.uid'],
    [['event', 'involvedObject', 'name'], '$.event.involvedObject.name'],
    [['event', 'reason'], '$.event.reason'],
    [['event', 'message'], '$.event.message'],
    [['event', 'count'], '$.event.count'],
    [['event', 'lastTimestamp'], '$.event.lastTimestamp'],
    [['event', 'series'], '$.event.series'],
    [['event', 'series', 'count'], '$.event.series.count'],
    [['event', 'source', 'component'], '$.event.source.component'],
    [['event', 'managedFields'], null],
    [['extra'], null],
  ];

  for (const depth of [10_000, 100_000]) {
    it(`a value nested ${depth} levels deep in any field never crashes the handler`, async () => {
      const good = goodRecord(0);
      const records: BatchRecord[] = [good, { messageId: 'whole-body', body: deepJson(depth, 'array') }];
      deepCases.forEach(([path], i) => {
        const kind = path[0] === 'extra' || path.at(-1) === 'managedFields' ? 'object' : 'array';
        records.push({
          messageId: `deep-${i}`,
          body: withRawValue(goodRecord(i + 1, 'deep'), path, deepJson(depth, kind)),
        });
      });
      const run = await invokeHandler(records);
      assertAccounted(records, run);
      const letters = new Map(run.deadLetters.map((letter) => [letter.messageId, letter.reason]));
      assert.match(letters.get('whole-body')!, /^poison message: \$: expected a JSON object, got an array/);
      deepCases.forEach(([path, poison], i) => {
        const reason = letters.get(`deep-${i}`);
        if (poison === null) assert.equal(reason, undefined, `${path.join('.')}: ${reason}`);
        else assert.ok(reason?.startsWith(`poison message: ${poison}: `), `${path.join('.')}: ${reason}`);
      });
      assertDelivered([good], run);
    });
  }

  // 1 MiB is the largest SQS message. Escaping a mebibyte of markup costs seconds (docs/security.md, "Known limits").
  it('megabyte strings: delivered within the byte limits, or dead-lettered with a short reason', async () => {
    const mb = (n: number, ch = 'x') => ch.repeat(n * 1024 * 1024);
    const huge = (i: number, path: string[], value: string) => ({
      messageId: `huge-${i}`,
      body: withRawValue(goodRecord(i, 'huge'), path, JSON.stringify(value)),
    });
    const records: BatchRecord[] = [
      goodRecord(0),
      huge(1, ['event', 'message'], mb(1, '<@all> *')),
      huge(2, ['event', 'reason'], mb(1)),
      huge(3, ['event', 'involvedObject', 'name'], mb(1, '名')),
      huge(4, ['cluster'], mb(1)),
      huge(5, ['event', 'lastTimestamp'], mb(1)),
      huge(6, ['watchType'], mb(1)),
      huge(7, ['event', 'apiVersion'], mb(1)),
      huge(8, ['namespace', 'labels', mb(1, 'k')], 5 as unknown as string),
    ];
    const run = await invokeHandler(records);
    assertAccounted(records, run);
    assert.deepEqual(run.deadLetters.map((l) => l.messageId).sort(), [
      'huge-5',
      'huge-6',
      'huge-7',
      'huge-8',
    ]);
    assert.match(
      run.deadLetters.find((l) => l.messageId === 'huge-8')!.reason,
      /labels\["kkkk.*… \(1048576 characters\)\]/,
    );
    for (const message of run.sent) {
      const limit = message.msgtype === 'text' ? 2048 : 4096;
      assert.ok(message.bytes <= limit, `${message.receiver}: ${message.bytes} bytes`);
      assert.ok(JSON.stringify(message.body).length < 3 * limit);
    }
    assertDelivered(
      [goodRecord(0), { uid: 'huge-1' }, { uid: 'huge-2' }, { uid: 'huge-3' }, { uid: 'huge-4' }],
      run,
    );
  });

  it('random bodies, random JSON and mutated envelopes mixed with good messages (property)', async () => {
    const corpus = envelopeCorpus();
    const path = fc.constantFrom(
      ['v'],
      ['cluster'],
      ['watchType'],
      ['observedAt'],
      ['namespace'],
      ['namespace', 'labels', 'team'],
      ['event'],
      ['event', 'apiVersion'],
      ['event', 'kind'],
      ['event', 'metadata'],
      ['event', 'metadata', 'uid'],
      ['event', 'metadata', 'name'],
      ['event', 'involvedObject'],
      ['event', 'involvedObject', 'kind'],
      ['event', 'regarding'],
      ['event', 'note'],
      ['event', 'reason'],
      ['event', 'message'],
      ['event', 'type'],
      ['event', 'count'],
      ['event', 'series'],
      ['event', 'series', 'count'],
      ['event', 'firstTimestamp'],
      ['event', 'eventTime'],
      ['event', 'source'],
      ['event', 'deprecatedCount'],
    );
    const hostile = fc.oneof(
      fc.string({ unit: 'binary' }).map((body) => ({ body })),
      fc.jsonValue().map((value) => ({ body: JSON.stringify(value) })),
      fc.constantFrom(...corpus).map((entry) => ({ body: entry.body })),
      fc
        .tuple(path, fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary' })), fc.nat())
        .map(([at, value, i]) => ({
          body: withRawValue(goodRecord(i, 'mutant'), at, JSON.stringify(value ?? null)),
        })),
      fc.tuple(path, fc.nat()).map(([at, i]) => {
        const envelope = JSON.parse(goodRecord(i, 'missing').body) as Record<string, Record<string, Json>>;
        if (at.length === 1) delete envelope[at[0]!];
        else if (at.length === 2) delete envelope[at[0]!]?.[at[1]!];
        return { body: JSON.stringify(envelope) };
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant(null), hostile), { minLength: 1, maxLength: 10 }),
        async (slots) => {
          const goods: (BatchRecord & { uid: string })[] = [];
          const records = slots.map((slot, i) => {
            if (slot !== null) return { messageId: `h-${i}`, body: slot.body };
            const good = goodRecord(i);
            goods.push(good);
            return good;
          });
          const run = await invokeHandler(records);
          assertAccounted(records, run);
          assertDelivered(goods, run);
          for (const good of goods) assert.ok(!run.deadLetters.some((l) => l.messageId === good.messageId));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('hostile preview input', () => {
  it('the input reader refuses lists nested too deep, instead of overflowing the stack', () => {
    const text = `${deepJson(100_000, 'array')}\n${JSON.stringify(anEnvelope())}\n`;
    const result = readEventInput(text, { cluster: 'c', observedAt: '2026-11-27T10:00:00Z' });
    assert.equal(result.events.length, 1);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0]!.message, /nested more than 8 deep/);
    assert.ok(result.problems[0]!.path.length < 100, 'the path stays short');
  });

  it('names a huge or deeply nested kind in a few words', () => {
    const text = `{"kind": ${JSON.stringify('K'.repeat(1_000_000))}}\n{"kind": ${deepJson(10_000, 'array')}}\n`;
    const result = readEventInput(text, { cluster: 'c', observedAt: '2026-11-27T10:00:00Z' });
    assert.deepEqual(
      result.problems.map((p) => p.message),
      [
        'not an Event: kind "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK"… (1000000 characters)',
        'not an Event: kind an array',
      ],
    );
  });
});
