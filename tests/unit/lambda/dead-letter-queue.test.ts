import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES, SqsDeadLetterQueue } from '../../../functions/lambda/index.ts';
import type { DeadLetterEntry } from '../../../functions/lambda/index.ts';
import { startSqsEmulator } from '../../../emulators/sqs/index.ts';
import type { SqsEmulator } from '../../../emulators/sqs/index.ts';

const FAILED_AT = Date.parse('2026-11-27T10:00:00Z');
let sqs: SqsEmulator;
let serial = 0;

before(async () => {
  sqs = await startSqsEmulator();
});
after(() => sqs.stop());

function letter(i: number, overrides: Partial<DeadLetterEntry> = {}): DeadLetterEntry {
  return { messageId: `m-${i}`, body: `{"n":${i}}`, reason: `reason ${i}`, errcode: 93000, ...overrides };
}

async function drain(queueUrl: string): Promise<Message[]> {
  const found: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return found;
    found.push(...Messages);
  }
}

describe('SqsDeadLetterQueue', () => {
  it('puts every entry on the DLQ with its body and the reason, errcode, source id and time as attributes', async () => {
    const dlq = sqs.createQueue(`dlq-${++serial}`);
    const queue = new SqsDeadLetterQueue(sqs.client, dlq.url, () => FAILED_AT);
    const entries = Array.from({ length: 25 }, (_, i) => letter(i));

    assert.deepEqual(await queue.send(entries), []);

    const received = await drain(dlq.url);
    assert.equal(received.length, 25, 'three SendMessageBatch calls of at most 10');
    const byId = new Map(
      received.map((m) => [m.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.sourceMessageId]?.StringValue, m]),
    );
    const m7 = byId.get('m-7')!;
    assert.equal(m7.Body, '{"n":7}');
    assert.deepEqual(m7.MessageAttributes, {
      [DEAD_LETTER_ATTRIBUTES.reason]: { DataType: 'String', StringValue: 'reason 7' },
      [DEAD_LETTER_ATTRIBUTES.errcode]: { DataType: 'Number', StringValue: '93000' },
      [DEAD_LETTER_ATTRIBUTES.sourceMessageId]: { DataType: 'String', StringValue: 'm-7' },
      [DEAD_LETTER_ATTRIBUTES.failedAt]: { DataType: 'String', StringValue: '2026-11-27T10:00:00.000Z' },
    });
  });

  it('leaves out the errcode of a poison message and cuts an overlong reason', async () => {
    const dlq = sqs.createQueue(`dlq-${++serial}`);
    const queue = new SqsDeadLetterQueue(sqs.client, dlq.url, () => FAILED_AT);

    await queue.send([letter(1, { errcode: null, reason: `poison message: ${'x'.repeat(5000)}` })]);

    const [message] = await drain(dlq.url);
    const attributes = message!.MessageAttributes!;
    assert.equal(attributes[DEAD_LETTER_ATTRIBUTES.errcode], undefined);
    assert.equal(attributes[DEAD_LETTER_ATTRIBUTES.reason]!.StringValue!.length, 1000);
    assert.match(attributes[DEAD_LETTER_ATTRIBUTES.reason]!.StringValue!, /^poison message: x+$/);
  });

  it('returns the ids SQS refused one by one, and keeps the rest of the chunk', async () => {
    const dlq = sqs.createQueue(`dlq-${++serial}`);
    const queue = new SqsDeadLetterQueue(sqs.client, dlq.url, () => FAILED_AT);
    // SQS refuses a body with U+0000 per entry (InvalidMessageContents): a stand-in for any per-entry refusal.
    const entries = [letter(1), letter(2, { body: 'bad \u0000 body' }), letter(3)];

    assert.deepEqual(await queue.send(entries), ['m-2']);
    assert.equal((await drain(dlq.url)).length, 2);
  });

  it('returns every id when the DLQ cannot be reached at all', async () => {
    const missing = `${sqs.endpoint}/000000000000/no-such-dlq`;
    const queue = new SqsDeadLetterQueue(sqs.client, missing, () => FAILED_AT);
    const entries = Array.from({ length: 12 }, (_, i) => letter(i));

    assert.deepEqual(
      await queue.send(entries),
      entries.map((e) => e.messageId),
    );
  });

  it('makes its SQS client on the first dead letter, once, and again after making it failed', async () => {
    const dlq = sqs.createQueue(`dlq-${++serial}`);
    let made = 0;
    let fail = true;
    const queue = new SqsDeadLetterQueue(
      async () => {
        made++;
        if (fail) throw new Error('no credentials yet');
        return sqs.client;
      },
      dlq.url,
      () => FAILED_AT,
    );
    assert.equal(made, 0, 'nothing is made before a dead letter');

    assert.deepEqual(await queue.send([letter(1), letter(2)]), ['m-1', 'm-2']);
    fail = false;
    assert.deepEqual(await queue.send([letter(3)]), []);
    assert.deepEqual(await queue.send([letter(4)]), []);

    assert.equal(made, 2);
    assert.equal((await drain(dlq.url)).length, 2);
  });
});
