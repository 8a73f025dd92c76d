import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SendMessageBatchRequestEntry, SendMessageBatchResult } from '@aws-sdk/client-sqs';
import type { Clock, Logger, Timer } from '../../../forwarder/index.ts';
import { manualTime, settle } from '../../helpers/manual-time.ts';
import { ForwarderMetrics } from '../../../forwarder/metrics/index.ts';
import { SqsSender } from '../../../forwarder/queue/index.ts';
import type { QueueClient } from '../../../forwarder/queue/index.ts';

/** A queue that records each batch's bodies and answers with `outcome` (default: all sent). */
function recordingQueue(outcome: () => 'ok' | 'down' = () => 'ok') {
  const batches: string[][] = [];
  const queue: QueueClient = {
    async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<SendMessageBatchResult> {
      if (outcome() === 'down') throw new Error('connect ECONNREFUSED');
      batches.push(entries.map((e) => e.MessageBody!));
      return {
        Successful: entries.map((e) => ({ Id: e.Id!, MessageId: e.Id!, MD5OfMessageBody: '' })),
        Failed: [],
      };
    },
    async probe() {},
  };
  return { queue, batches };
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function sender(queue: QueueClient, time: Clock & Timer) {
  return new SqsSender({
    queue,
    metrics: new ForwarderMetrics(),
    logger: quiet,
    maxEvents: 1000,
    maxBytes: 1 << 20,
    lingerMs: 50,
    concurrency: 1,
    retryBackoff: { initialMs: 1000, maxMs: 8000 },
    clock: time,
    timer: time,
  });
}

function enqueue(target: SqsSender, bodies: string[], settled: string[] = []) {
  for (const body of bodies)
    target.enqueue({ body, warning: false, settle: (fate) => void settled.push(`${body}:${fate}`) });
}

describe('SqsSender on an injected clock', () => {
  it('holds a partial batch for the linger, then sends it', async () => {
    const time = manualTime();
    const { queue, batches } = recordingQueue();
    const target = sender(queue, time);
    enqueue(target, ['a', 'b']);
    await time.advance(49);
    assert.deepEqual(batches, [], 'still lingering for company');
    await time.advance(1);
    assert.deepEqual(batches, [['a', 'b']]);
  });

  it('sends a full batch of ten at once, without waiting for the linger', async () => {
    const time = manualTime();
    const { queue, batches } = recordingQueue();
    const target = sender(queue, time);
    enqueue(
      target,
      Array.from({ length: 10 }, (_, i) => `e${i}`),
    );
    await settle();
    assert.equal(batches.length, 1);
    assert.equal(batches[0]!.length, 10);
  });

  it('pauses after a failed call and retries when the backoff has passed, losing nothing', async () => {
    const time = manualTime();
    let down = true;
    const { queue, batches } = recordingQueue(() => (down ? 'down' : 'ok'));
    const target = sender(queue, time);
    const settled: string[] = [];
    enqueue(target, ['a'], settled);
    await time.advance(50);
    assert.equal(target.sqsReachable, false);
    down = false;
    // The first retry waits between half and all of the initial 1000 ms.
    await time.advance(499);
    assert.deepEqual(batches, []);
    await time.advance(501);
    assert.deepEqual(batches, [['a']]);
    assert.deepEqual(settled, ['a:sent']);
    assert.equal(target.depth, 0);
  });
});
