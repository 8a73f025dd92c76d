import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planBatch, processBatch } from '../../../functions/pipeline/index.ts';
import { grantAll } from '../../helpers/budget.ts';
import type { BatchRecord, MessageSender } from '../../../functions/pipeline/index.ts';
import { compileRenderer } from '../../../functions/render/index.ts';
import type { RenderedMessage } from '../../../functions/render/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { WecomRejectedError, WecomRetriesExhaustedError } from '../../../functions/channels/wecom/index.ts';
import { aBundle, anEnvelope, NOW } from '../../helpers/builders.ts';
import type { EventSpec } from '../../helpers/builders.ts';

function deps(overrides: Partial<BundleInput>) {
  const result = validateBundle(aBundle(overrides));
  if (!result.bundle) throw new Error(JSON.stringify(result.problems));
  return {
    engine: compileRules(result.bundle),
    renderer: compileRenderer(result.bundle, { now: () => NOW }),
  };
}

let serial = 0;
function record(spec: EventSpec = {}): BatchRecord {
  return { messageId: `m-${serial++}`, body: JSON.stringify(anEnvelope(spec)) };
}

/** A sender that records what it is given and fails the receivers it is told to, with the client's real errors. */
class RecordingSender implements MessageSender {
  readonly sent: RenderedMessage[] = [];
  readonly reserve = grantAll;
  constructor(private readonly failures: Record<string, 'permanent' | 'transient'> = {}) {}
  async send(message: RenderedMessage): Promise<{ attempts: number }> {
    const failure = this.failures[message.receiver];
    if (failure === 'permanent')
      throw new WecomRejectedError(93000, 'invalid webhook url', 1, 'key=****1234');
    if (failure === 'transient') throw new WecomRetriesExhaustedError(-1, 'system busy', 3, 'key=****1234');
    this.sent.push(message);
    return { attempts: 1 };
  }
}

const context = { now: NOW, deadline: NOW + 60_000 };

describe('the function pipeline', () => {
  it('sends one message per event and receiver, and reports nothing to retry', async () => {
    const sender = new RecordingSender();
    const result = await processBatch(
      [record(), record({ name: 'api-1', uid: 'u-api' })],
      { ...deps({}), sender },
      context,
    );
    assert.equal(sender.sent.length, 2);
    assert.deepEqual(result.retry, []);
    assert.deepEqual(result.deadLetters, []);
    assert.equal(result.stats.sent, 2);
  });

  it('collapses updates of one event to the latest and notifies once', async () => {
    const d = deps({ routes: [{ name: 'r', receivers: ['ops'] }] });
    const records = [3, 4, 5].map((count) => record({ uid: 'same', count, watchType: 'MODIFIED' }));
    const { planned, stats } = await planBatch(records, d, NOW);
    assert.equal(stats.collapsed, 1);
    assert.equal(planned.length, 1);
    const content = (planned[0]!.message.body.markdown as { content: string }).content;
    assert.match(content, /<font color="comment">×5 · first /, 'the newest count, not 3 or 4');
    assert.deepEqual(
      planned[0]!.events[0]!.messageIds,
      records.map((r) => r.messageId),
    );
  });

  it('holds back collapsed updates none of which qualifies under the repeat policy', async () => {
    const d = deps({ routes: [{ name: 'r', receivers: ['ops'] }] });
    const records = [5, 6, 7].map((count) => record({ uid: 'same2', count, watchType: 'MODIFIED' }));
    const { planned, stats } = await planBatch(records, d, NOW);
    assert.equal(planned.length, 0);
    assert.equal(stats.suppressed.repeat, 1);
  });

  it('groups events into one digest per receiver and group.by values', async () => {
    const d = deps({ routes: [{ name: 'r', receivers: ['ops'], group: { by: ['namespace'] } }] });
    const records = [
      record({ namespace: 'payments', uid: 'a' }),
      record({ namespace: 'payments', uid: 'b', reason: 'Unhealthy' }),
      record({ namespace: 'orders', uid: 'c' }),
    ];
    const { planned } = await planBatch(records, d, NOW);
    assert.equal(planned.length, 2);
    assert.deepEqual(
      planned.map((p) => p.events.length),
      [2, 1],
    );
  });

  it('renders a digest several receivers get alike once, and each gets it under its own name', async () => {
    const routes = ['ops-a', 'ops-b', 'ops-text'].map((receiver) => ({
      name: receiver,
      receivers: [receiver],
      group: { by: ['namespace'] },
    }));
    const d = deps({ receivers: { 'ops-text': { webhook: 'env:OPS_TEXT', msgtype: 'text' } }, routes });
    const rendered: string[] = [];
    const renderer = {
      ...d.renderer,
      renderDigest: (...args: Parameters<typeof d.renderer.renderDigest>) => {
        rendered.push(args[0]);
        return d.renderer.renderDigest(...args);
      },
    };
    const records = [
      record({ namespace: 'payments', uid: 'd1' }),
      record({ namespace: 'payments', uid: 'd2' }),
    ];

    const { planned } = await planBatch(records, { ...d, renderer }, NOW);

    assert.deepEqual(rendered, ['ops-a', 'ops-text'], 'ops-b renders as ops-a does; text differs');
    assert.deepEqual(
      planned.map((p) => p.message.receiver),
      ['ops-a', 'ops-b', 'ops-text'],
    );
    assert.deepEqual(planned[1]!.message.body, planned[0]!.message.body);
    assert.deepEqual(planned[1]!.events, planned[0]!.events);
    assert.notDeepEqual(planned[2]!.message.body, planned[0]!.message.body);
  });

  it('folds what exceeds a robot budget into one overflow message that covers every remaining event', async () => {
    const d = deps({
      receivers: { ops: { webhook: 'env:OPS', maxMessagesPerMinute: 3 } },
      routes: [{ name: 'r', receivers: ['ops'] }],
    });
    const records = Array.from({ length: 10 }, (_, i) => record({ uid: `storm-${i}`, name: `pod-${i}` }));
    const { planned, stats } = await planBatch(records, d, NOW);
    assert.equal(planned.length, 3);
    assert.equal(stats.overflowMessages, 1);
    const covered = new Set(planned.flatMap((p) => p.events.flatMap((e) => e.messageIds)));
    assert.equal(covered.size, 10, 'every event is in some message');
    const summary = (planned[2]!.message.body.markdown as { content: string }).content;
    assert.match(summary, /^\*\*prod-sh: \+8 more events\*\*/, 'the summary counts the 8 events beyond the first two');
    assert.equal(planned[2]!.events.length, 8);
  });

  it('renders a storm digest only as far as the robot’s budget and folds the rest into the summary', async () => {
    const d = deps({
      receivers: { ops: { webhook: 'env:OPS', maxMessagesPerMinute: 4 } },
      routes: [
        {
          name: 'digest',
          receivers: ['ops'],
          group: { by: ['namespace'] },
          match: { namespaces: ['payments'] },
        },
        { name: 'single', receivers: ['ops'], match: { namespaces: ['orders'] } },
      ],
    });
    const message = 'connection refused '.repeat(12);
    const records = [
      ...Array.from({ length: 300 }, (_, i) => record({ uid: `p-${i}`, name: `pay-${i}`, message })),
      record({ uid: 'o-1', namespace: 'orders', name: 'orders-1' }),
    ];
    const { planned, stats } = await planBatch(records, d, NOW);
    assert.equal(planned.length, 4);
    assert.equal(stats.overflowMessages, 1);
    const parts = planned.slice(0, 3).map((p) => JSON.stringify(p.message.body));
    parts.forEach((body, i) => assert.ok(body.includes(`(${i + 1}/3)`), body.slice(0, 120)));
    const summary = planned[3]!;
    assert.ok(summary.overflow);
    assert.ok(
      summary.events.some((e) => e.event.namespace === 'orders'),
      'the later single notice is folded',
    );
    const covered = planned.flatMap((p) => p.events.flatMap((e) => e.messageIds));
    assert.equal(covered.length, records.length, 'no event in two messages');
    assert.equal(new Set(covered).size, records.length, 'every event is in some message');
    assert.match(JSON.stringify(summary.message.body), new RegExp(`\\+${summary.events.length} more events`));
  });

  it('reports transient failures for redelivery and permanent ones as dead letters with the errcode', async () => {
    const sender = new RecordingSender({ flaky: 'transient', gone: 'permanent' });
    const d = deps({
      routes: [
        { name: 'a', match: { namespaces: ['payments'] }, receivers: ['ok'] },
        { name: 'b', match: { namespaces: ['orders'] }, receivers: ['flaky'] },
        { name: 'c', match: { namespaces: ['data'] }, receivers: ['gone'] },
      ],
    });
    const good = record({ namespace: 'payments', uid: 'p' });
    const transient = record({ namespace: 'orders', uid: 'o' });
    const permanent = record({ namespace: 'data', uid: 'd' });
    const result = await processBatch([good, transient, permanent], { ...d, sender }, context);
    assert.deepEqual(result.retry, [transient.messageId]);
    assert.deepEqual(
      result.deadLetters.map((l) => [l.messageId, l.errcode]),
      [[permanent.messageId, 93000]],
    );
    assert.match(result.deadLetters[0]!.reason, /\berrcode 93000\b/);
    assert.deepEqual(result.stats.failuresByErrcode, { '-1': 1, '93000': 1 });
    assert.equal(result.stats.retries, 2);
  });

  it('retries a message whose event failed transiently at one robot even if another robot failed permanently', async () => {
    const sender = new RecordingSender({ flaky: 'transient', gone: 'permanent' });
    const d = deps({ routes: [{ name: 'r', receivers: ['flaky', 'gone'] }] });
    const both = record();
    const result = await processBatch([both], { ...d, sender }, context);
    assert.deepEqual(result.retry, [both.messageId]);
    assert.deepEqual(result.deadLetters, []);
  });

  it('dead-letters poison messages with the reason and still delivers the rest of the batch', async () => {
    const sender = new RecordingSender();
    const poison = [
      { messageId: 'not-json', body: '{"v":1,' },
      { messageId: 'v2', body: JSON.stringify({ ...anEnvelope(), v: 2 }) },
      { messageId: 'no-event', body: JSON.stringify({ v: 1, cluster: 'c', watchType: 'ADDED' }) },
      {
        messageId: 'bad-count',
        body: JSON.stringify({ ...anEnvelope(), event: { ...anEnvelope().event, count: 'x' } }),
      },
    ];
    const result = await processBatch([...poison, record()], { ...deps({}), sender }, context);
    assert.deepEqual(
      result.deadLetters.map((l) => l.messageId),
      ['not-json', 'v2', 'no-event', 'bad-count'],
    );
    assert.match(result.deadLetters[1]!.reason, /\$\.v: unknown envelope version 2/);
    assert.match(result.deadLetters[3]!.reason, /\$\.event\.count/);
    assert.equal(sender.sent.length, 1);
  });

  it('accounts for every event: delivered, suppressed with a reason, or dead-lettered', async () => {
    const sender = new RecordingSender({ gone: 'permanent' });
    const d = deps({
      routes: [
        { name: 'warn', match: { types: ['Warning'] }, receivers: ['ops'], group: { by: ['namespace'] } },
        { name: 'data', match: { namespaces: ['data'] }, receivers: ['gone'] },
      ],
      silences: [{ match: { reasons: ['Silenced'] }, endsAt: '2030-01-01T00:00:00Z', comment: 'test' }],
    });
    const records = [
      record({ uid: '1' }),
      record({ uid: '2', type: 'Normal' }),
      record({ uid: '3', reason: 'Silenced' }),
      record({ uid: '4', watchType: 'MODIFIED', count: 3 }),
      record({ uid: '5', namespace: 'data', type: 'Normal' }),
      { messageId: 'poison', body: 'nope' },
    ];
    const result = await processBatch(records, { ...d, sender }, context);
    const delivered = new Set(
      result.outcomes
        .filter((o) => o.status === 'sent')
        .flatMap((o) => o.planned.events.flatMap((e) => e.messageIds)),
    );
    const dead = new Set(result.deadLetters.map((l) => l.messageId));
    const suppressed =
      (result.stats.suppressed['no-route'] ?? 0) +
      (result.stats.suppressed.repeat ?? 0) +
      (result.stats.suppressed.silence ?? 0);
    assert.equal(delivered.size + dead.size + suppressed, records.length);
    assert.deepEqual(result.stats.suppressed, { 'no-route': 1, silence: 1, repeat: 1 });
  });
});
