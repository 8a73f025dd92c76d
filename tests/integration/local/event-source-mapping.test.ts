import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  EventSourceMapping,
  InvalidBatchResponseError,
  InvocationTimeoutError,
  type BatchOutcome,
} from '../../../local/index.ts';
import { startSqsEmulator, type SqsEmulator } from '../../../emulators/sqs/index.ts';
import { waitFor } from '../../helpers/wait-for.ts';

let sqs: SqsEmulator;
let queueCounter = 0;
const mappings: EventSourceMapping[] = [];

before(async () => {
  sqs = await startSqsEmulator();
});
afterEach(async () => {
  await Promise.all(mappings.splice(0).map((m) => m.stop()));
});
after(async () => {
  await sqs.stop();
});

/** A fresh queue (and DLQ when `maxReceiveCount` is given) with a 1 s visibility timeout, so failures come back fast. */
function createQueues(maxReceiveCount?: number) {
  const name = `events-${++queueCounter}`;
  const dlq = sqs.createQueue(`${name}-dlq`);
  const attributes: Record<string, string> = { VisibilityTimeout: '1' };
  if (maxReceiveCount !== undefined) {
    attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount });
  }
  return { queue: sqs.createQueue(name, attributes), dlq };
}

async function send(queueUrl: string, bodies: string[]) {
  for (let start = 0; start < bodies.length; start += 10) {
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(start, start + 10).map((body, i) => ({
          Id: String(i),
          MessageBody: body,
          MessageAttributes: {
            cluster: { DataType: 'String', StringValue: 'prod-sh' },
            blob: { DataType: 'Binary', BinaryValue: Buffer.from(body) },
          },
        })),
      }),
    );
  }
}

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** Starts a mapping that records every delivery (body → receive counts) and every batch outcome. */
async function startMapping(
  queueUrl: string,
  handler: Handler,
  options: { batchSize?: number; window?: number } = {},
) {
  const deliveries = new Map<string, number[]>();
  const outcomes: BatchOutcome[] = [];
  const batches: SQSRecord[][] = [];
  const mapping = new EventSourceMapping({
    sqs: sqs.client,
    queueUrl,
    batchSize: options.batchSize ?? 10,
    maximumBatchingWindowSeconds: options.window ?? 0,
    idleWaitSeconds: 1,
    functionTimeoutSeconds: 5,
    handler: async (event, context) => {
      batches.push(event.Records);
      for (const r of event.Records) {
        deliveries.set(r.body, [
          ...(deliveries.get(r.body) ?? []),
          Number(r.attributes.ApproximateReceiveCount),
        ]);
      }
      return handler(event, context);
    },
    onBatch: (outcome) => outcomes.push(outcome),
    onError: (error) => assert.fail(`unexpected poller error: ${String(error)}`),
  });
  mappings.push(mapping);
  await mapping.start();
  return { mapping, deliveries, outcomes, batches };
}

const failing = (event: SQSEvent, predicate: (r: SQSRecord) => boolean): SQSBatchResponse => ({
  batchItemFailures: event.Records.filter(predicate).map((r) => ({ itemIdentifier: r.messageId })),
});
const deletedCount = (outcomes: BatchOutcome[]) => outcomes.reduce((n, o) => n + o.deleted.length, 0);

describe('local event source mapping', () => {
  it('hands Lambda-shaped records to the handler and deletes the whole batch when nothing failed', async () => {
    const { queue } = createQueues();
    await send(queue.url, ['a', 'b', 'c', 'd', 'e']);
    const { outcomes, batches } = await startMapping(queue.url, async () => ({ batchItemFailures: [] }));

    await waitFor('5 deletions', () => deletedCount(outcomes) === 5);
    assert.deepEqual(await sqs.depth(queue.url), { visible: 0, inFlight: 0 });
    assert.deepEqual(
      batches
        .flat()
        .map((r) => r.body)
        .sort(),
      ['a', 'b', 'c', 'd', 'e'],
    );
    const record = batches.flat().find((r) => r.body === 'c')!;
    assert.equal(record.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, queue.arn);
    assert.equal(record.awsRegion, 'us-east-1');
    assert.equal(record.md5OfBody, createHash('md5').update('c').digest('hex'));
    assert.equal(record.attributes.ApproximateReceiveCount, '1');
    assert.match(record.attributes.SentTimestamp, /^\d+$/);
    assert.deepEqual(record.messageAttributes.cluster, {
      dataType: 'String',
      stringValue: 'prod-sh',
      stringListValues: [],
      binaryListValues: [],
    });
    assert.equal(record.messageAttributes.blob?.binaryValue, Buffer.from('c').toString('base64'));
    assert.ok(record.receiptHandle.length > 0);
  });

  it('gives the handler a context whose remaining time counts down from the function timeout', async () => {
    const { queue } = createQueues();
    await send(queue.url, ['x']);
    let clock = 1_000_000;
    const remaining: number[] = [];
    let context: Context | undefined;
    const mapping = new EventSourceMapping({
      sqs: sqs.client,
      queueUrl: queue.url,
      functionTimeoutSeconds: 30,
      idleWaitSeconds: 1,
      now: () => clock,
      handler: async (_event, ctx) => {
        context = ctx;
        remaining.push(ctx.getRemainingTimeInMillis());
        clock += 12_500;
        remaining.push(ctx.getRemainingTimeInMillis());
        clock += 60_000;
        remaining.push(ctx.getRemainingTimeInMillis());
      },
    });
    mappings.push(mapping);
    await mapping.start();
    await waitFor('the invocation', () => remaining.length === 3);
    assert.deepEqual(remaining, [30_000, 17_500, 0]);
    assert.equal(context?.functionName, 'kube-wecom-local-events');
    assert.match(context?.awsRequestId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('never hands the handler more records than the batch size', async () => {
    const { queue } = createQueues();
    const bodies = Array.from({ length: 25 }, (_, i) => `m${i}`);
    await send(queue.url, bodies);
    const { outcomes, batches } = await startMapping(queue.url, async () => undefined, {
      batchSize: 7,
      window: 1,
    });

    await waitFor('25 deletions', () => deletedCount(outcomes) === 25);
    assert.ok(
      batches.every((b) => b.length <= 7),
      `batch sizes ${batches.map((b) => b.length).join(',')}`,
    );
    assert.deepEqual(
      batches
        .flat()
        .map((r) => r.body)
        .sort(),
      [...bodies].sort(),
    );
  });

  it('keeps receiving within the batching window until the batch is full', async () => {
    const { queue } = createQueues();
    await send(queue.url, ['first']);
    // A 60 s window: only a full batch can end it within the test's time.
    const { outcomes, batches } = await startMapping(queue.url, async () => undefined, {
      batchSize: 3,
      window: 60,
    });
    await send(queue.url, ['second', 'third']);

    await waitFor('one full batch', () => outcomes.length === 1, 15_000);
    assert.deepEqual(batches[0]!.map((r) => r.body).sort(), ['first', 'second', 'third']);
  });

  it('deletes the successes of a partial failure and redelivers exactly the reported failures', async () => {
    const { queue } = createQueues();
    await send(queue.url, ['ok-1', 'bad-1', 'ok-2', 'bad-2', 'ok-3']);
    const { deliveries, outcomes } = await startMapping(queue.url, async (event) =>
      failing(event, (r) => r.body.startsWith('bad') && r.attributes.ApproximateReceiveCount === '1'),
    );

    await waitFor('every message deleted', () => deletedCount(outcomes) === 5);
    assert.deepEqual(Object.fromEntries([...deliveries].sort()), {
      'bad-1': [1, 2],
      'bad-2': [1, 2],
      'ok-1': [1],
      'ok-2': [1],
      'ok-3': [1],
    });
    const first = outcomes.find((o) => o.failed.length > 0)!;
    assert.equal(first.failed.length, 2);
    assert.equal(first.deleted.length, 3);
    assert.deepEqual(await sqs.depth(queue.url), { visible: 0, inFlight: 0 });
  });

  it('lets SQS move a message that always fails to the DLQ after maxReceiveCount, and nothing else', async () => {
    const { queue, dlq } = createQueues(2);
    await send(queue.url, ['good-1', 'poison', 'good-2']);
    const { deliveries } = await startMapping(queue.url, async (event) =>
      failing(event, (r) => r.body === 'poison'),
    );

    await waitFor(
      'the poison message in the DLQ',
      async () => (await sqs.depth(dlq.url)).visible === 1,
      15_000,
    );
    const inDlq = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    assert.deepEqual(
      inDlq.Messages?.map((m) => m.Body),
      ['poison'],
    );
    assert.equal(inDlq.Messages?.[0]?.MessageAttributes?.cluster?.StringValue, 'prod-sh');
    assert.deepEqual(deliveries.get('poison'), [1, 2]);
    assert.deepEqual(deliveries.get('good-1'), [1]);
    assert.deepEqual(deliveries.get('good-2'), [1]);
    assert.deepEqual(await sqs.depth(queue.url), { visible: 0, inFlight: 0 });
  });

  it('redelivers the whole batch when the handler throws', async () => {
    const { queue } = createQueues();
    await send(queue.url, ['p', 'q', 'r']);
    let calls = 0;
    const { deliveries, outcomes } = await startMapping(queue.url, async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    });

    await waitFor('every message deleted', () => deletedCount(outcomes) === 3);
    assert.deepEqual(outcomes[0]!.deleted, []);
    assert.equal(outcomes[0]!.failed.length, 3);
    assert.equal((outcomes[0]!.error as Error).message, 'boom');
    assert.deepEqual(Object.fromEntries([...deliveries].sort()), { p: [1, 2], q: [1, 2], r: [1, 2] });
  });

  it('fails the whole batch, as Lambda does, when a reported failure names a message not in the batch', async () => {
    const { queue } = createQueues();
    await send(queue.url, ['u', 'v']);
    let calls = 0;
    const { deliveries, outcomes } = await startMapping(queue.url, async () => {
      calls += 1;
      return calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'no-such-id' }] } : undefined;
    });

    await waitFor('every message deleted', () => deletedCount(outcomes) === 2);
    assert.ok(outcomes[0]!.error instanceof InvalidBatchResponseError);
    assert.deepEqual(Object.fromEntries([...deliveries].sort()), { u: [1, 2], v: [1, 2] });
  });

  it('fails the whole batch when the handler outlives the function timeout', async () => {
    const { queue } = createQueues();
    await send(queue.url, ['slow']);
    let release: () => void = () => undefined;
    const outcomes: BatchOutcome[] = [];
    const mapping = new EventSourceMapping({
      sqs: sqs.client,
      queueUrl: queue.url,
      functionTimeoutSeconds: 0.05,
      idleWaitSeconds: 1,
      handler: () => new Promise<void>((resolve) => (release = resolve)),
      onBatch: (outcome) => outcomes.push(outcome),
    });
    mappings.push(mapping);
    await mapping.start();

    await waitFor('the timed-out invocation', () => outcomes.length === 1);
    release();
    assert.ok(outcomes[0]!.error instanceof InvocationTimeoutError);
    assert.deepEqual(outcomes[0]!.deleted, []);
  });

  it('stops promptly while long-polling an empty queue', { timeout: 5000 }, async () => {
    const { queue } = createQueues();
    const mapping = new EventSourceMapping({
      sqs: sqs.client,
      queueUrl: queue.url,
      handler: async () => undefined,
    });
    await mapping.start();
    // A 20 s long poll is in flight; stop() must abort it rather than wait it out.
    await mapping.stop();
  });
});
