import { memoryLedger } from '../../helpers/budget.ts';
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { createHandler, SqsDeadLetterQueue, WebhookSender } from '../../../functions/lambda/index.ts';
import type { DeadLetterEntry, DeadLetterQueue } from '../../../functions/lambda/index.ts';
import type { BatchStats, MessageSender } from '../../../functions/pipeline/index.ts';
import { compileRenderer } from '../../../functions/render/index.ts';
import { compileRules } from '../../../functions/rules/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { Bundle } from '../../../functions/bundle/index.ts';
import { WebhookResolver, WecomClient } from '../../../functions/channels/wecom/index.ts';
import { recordingLogger, type LogLine } from '../../helpers/recording-logger.ts';
import { createLambdaContext, toSqsRecord } from '../../../local/index.ts';
import { startSqsEmulator } from '../../../emulators/sqs/index.ts';
import type { SqsEmulator } from '../../../emulators/sqs/index.ts';
import { startWecomEmulator } from '../../../emulators/wecom/index.ts';
import type { WecomEmulator } from '../../../emulators/wecom/index.ts';
import { aBundle, anEnvelope, NOW } from '../../helpers/builders.ts';

// The handler wired to real parts: the rules engine, the renderer, the WeCom client against the loopback emulator,
// and (where a DLQ is needed for real) fauxqs. Namespaces pick the robot: ok, gone (93000), busy (-1 throughout).
const KEYS = {
  ok: 'ok0-key-1111-2222-3333-aaaa',
  gone: 'gone-key-4444-5555-6666-bbbb',
  busy: 'busy-key-7777-8888-cccc',
};
const MAX_ATTEMPTS = 3;

let wecom: WecomEmulator;
let sqs: SqsEmulator;
const lines: LogLine[] = [];
let published: BatchStats[];

before(async () => {
  wecom = await startWecomEmulator({ keys: Object.values(KEYS) });
  sqs = await startSqsEmulator();
});
after(async () => {
  await wecom.stop();
  await sqs.stop();
});
beforeEach(() => {
  wecom.reset();
  wecom.inject({ kind: 'revoke', key: KEYS.gone });
  wecom.inject({ kind: 'errcode', errcode: -1, key: KEYS.busy });
  lines.length = 0;
  published = [];
});

function bundle(): Bundle {
  const names = Object.keys(KEYS) as (keyof typeof KEYS)[];
  const validated = validateBundle(
    aBundle({ routes: names.map((ns) => ({ name: ns, match: { namespaces: [ns] }, receivers: [ns] })) }),
  );
  return validated.bundle!;
}

const logger = recordingLogger(lines);

/** The real sender: webhook URLs (with their keys) from the environment, the client against the emulator. */
function webhookSender(rules: Bundle): WebhookSender {
  const env = Object.fromEntries(
    Object.entries(KEYS).map(([ns, key]) => [`WECOM_${ns.toUpperCase()}`, wecom.webhookUrl(key)]),
  );
  const client = new WecomClient({
    // The handler's clock: deadlines are computed from it.
    clock: () => NOW,
    allowedHosts: [`127.0.0.1:${wecom.port}`],
    maxAttempts: MAX_ATTEMPTS,
    backoff: { baseMs: 1, capMs: 2 },
    logger,
  });
  return new WebhookSender({
    bundle: rules,
    resolver: new WebhookResolver({ env }),
    client,
    ledger: memoryLedger(),
  });
}

function handlerWith(
  deadLetters: DeadLetterQueue | undefined,
  sender?: MessageSender,
  maxReceiveCount?: number,
) {
  const rules = bundle();
  return createHandler({
    pipeline: {
      engine: compileRules(rules),
      renderer: compileRenderer(rules, { now: () => NOW }),
      sender: sender ?? webhookSender(rules),
    },
    deadLetters,
    logger,
    metrics: { publish: (stats) => void published.push(stats) },
    clock: () => NOW,
    ...(maxReceiveCount ? { maxReceiveCount } : {}),
  });
}

const source = { eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events', awsRegion: 'us-east-1' };
function record(messageId: string, body: string): SQSRecord {
  return toSqsRecord({ MessageId: messageId, ReceiptHandle: `rh-${messageId}`, Body: body }, source);
}
const BATCH = [
  record('m-ok', JSON.stringify(anEnvelope({ namespace: 'ok', name: 'web-1' }))),
  record('m-gone', JSON.stringify(anEnvelope({ namespace: 'gone', name: 'web-2' }))),
  record('m-busy', JSON.stringify(anEnvelope({ namespace: 'busy', name: 'web-3' }))),
  record('m-poison', 'this is not JSON'),
];

async function invoke(
  handler: ReturnType<typeof createHandler>,
  records: SQSRecord[] = BATCH,
): Promise<string[]> {
  const context = createLambdaContext({
    functionName: 'events',
    awsRegion: 'us-east-1',
    memoryLimitInMB: 512,
    timeoutMs: 30_000,
    now: () => NOW,
  });
  const response = (await handler({ Records: records }, context, () => undefined)) as SQSBatchResponse;
  return response.batchItemFailures.map((failure) => failure.itemIdentifier).sort();
}

/** A DLQ that takes what it is given, except the ids it is told to refuse. */
function recordingDlq(refuse: string[] = []): DeadLetterQueue & { entries: DeadLetterEntry[] } {
  const entries: DeadLetterEntry[] = [];
  return {
    entries,
    async send(given) {
      entries.push(...given.filter((entry) => !refuse.includes(entry.messageId)));
      return given.filter((entry) => refuse.includes(entry.messageId)).map((entry) => entry.messageId);
    },
  };
}

describe('createHandler', () => {
  it('reports only transient failures in batchItemFailures and sends poison and permanent failures to the DLQ', async () => {
    const dlq = recordingDlq();

    assert.deepEqual(await invoke(handlerWith(dlq)), ['m-busy']);

    const letters = new Map(dlq.entries.map((entry) => [entry.messageId, entry]));
    assert.deepEqual([...letters.keys()].sort(), ['m-gone', 'm-poison']);
    assert.equal(letters.get('m-gone')!.errcode, 93000);
    assert.equal(letters.get('m-gone')!.body, BATCH[1]!.body);
    assert.match(letters.get('m-gone')!.reason, /errcode 93000/);
    assert.equal(letters.get('m-poison')!.errcode, null);
    assert.equal(letters.get('m-poison')!.body, 'this is not JSON');
    assert.match(letters.get('m-poison')!.reason, /^poison message: \$: body is not valid JSON/);
    assert.equal(wecom.messages(KEYS.ok).length, 1);
    assert.equal(published.length, 1, 'one set of metrics per invocation');
    assert.deepEqual(
      {
        records: published[0]!.records,
        sent: published[0]!.sent,
        deadLetters: published[0]!.deadLetters,
        retryLater: published[0]!.retryLater,
        retries: published[0]!.retries,
      },
      { records: 4, sent: 1, deadLetters: 2, retryLater: 1, retries: MAX_ATTEMPTS - 1 },
    );
  });

  it('dead-letters a message still failing on its last receive, with the last failure as the reason', async () => {
    const dlq = recordingDlq();
    const lastTry = { ...BATCH[2]!, attributes: { ...BATCH[2]!.attributes, ApproximateReceiveCount: '5' } };
    const earlier = {
      ...BATCH[2]!,
      messageId: 'm-busy-2',
      attributes: { ...BATCH[2]!.attributes, ApproximateReceiveCount: '4' },
    };
    assert.deepEqual(await invoke(handlerWith(dlq, undefined, 5), [lastTry, earlier]), ['m-busy-2']);
    assert.deepEqual(
      dlq.entries.map((entry) => entry.messageId),
      ['m-busy'],
    );
    assert.match(dlq.entries[0]!.reason, /^still failing on receive 5 of 5: /);
    assert.equal(dlq.entries[0]!.body, BATCH[2]!.body);
  });

  it('says SQS will redeliver only for the messages it leaves to SQS, not for those on their last receive', async () => {
    const lastTry = { ...BATCH[2]!, attributes: { ...BATCH[2]!.attributes, ApproximateReceiveCount: '5' } };
    assert.deepEqual(await invoke(handlerWith(recordingDlq(), undefined, 5), [lastTry]), []);
    assert.equal(lines.filter((line) => line.message === 'delivery failed; SQS will redeliver').length, 0);

    lines.length = 0;
    const earlier = { ...lastTry, attributes: { ...lastTry.attributes, ApproximateReceiveCount: '4' } };
    assert.deepEqual(await invoke(handlerWith(recordingDlq(), undefined, 5), [earlier]), ['m-busy']);
    const redelivered = lines.filter((line) => line.message === 'delivery failed; SQS will redeliver');
    assert.deepEqual(
      redelivered.map((line) => line.fields.messageIds),
      [['m-busy']],
    );
  });

  it('without a DLQ, reports dead letters as failures too, so the redrive policy moves them', async () => {
    assert.deepEqual(await invoke(handlerWith(undefined)), ['m-busy', 'm-gone', 'm-poison']);
    const dead = lines.filter((line) => line.message === 'dead-lettering a queue message');
    assert.deepEqual(dead.map((line) => (line.fields as { messageId: string }).messageId).sort(), [
      'm-gone',
      'm-poison',
    ]);
  });

  it('falls back to batchItemFailures for dead letters the DLQ did not take, and says so', async () => {
    assert.deepEqual(await invoke(handlerWith(recordingDlq(['m-poison']))), ['m-busy', 'm-poison']);
    const warning = lines.find((line) => line.message.startsWith('could not send to the DLQ'));
    assert.deepEqual(warning?.fields, { messageIds: ['m-poison'] });
  });

  it('falls back to batchItemFailures for every dead letter when the DLQ cannot be reached', async () => {
    const unreachable = new SqsDeadLetterQueue(sqs.client, `${sqs.endpoint}/000000000000/deleted-dlq`);
    assert.deepEqual(await invoke(handlerWith(unreachable)), ['m-busy', 'm-gone', 'm-poison']);
  });

  it('gives delivery until the Lambda deadline minus the safety margin', async () => {
    const deadlines: number[] = [];
    const rules = bundle();
    const real = webhookSender(rules);
    const sender: MessageSender = {
      reserve: (receiver, wanted, now) => real.reserve(receiver, wanted, now),
      send: (message, options) => {
        deadlines.push(options.deadline);
        return real.send(message, options);
      },
    };
    await invoke(handlerWith(recordingDlq(), sender), [BATCH[0]!]);
    assert.deepEqual(deadlines, [NOW + 30_000 - 3_000]);
  });

  it('never logs a webhook key, even when WeCom echoes it back', async () => {
    wecom.inject({
      kind: 'errcode',
      errcode: 40008,
      key: KEYS.ok,
      reason: `invalid message for key ${KEYS.ok}`,
    });
    const dlq = recordingDlq();

    await invoke(handlerWith(dlq));

    const logged = JSON.stringify(lines);
    assert.match(logged, /40008/, 'the failure itself is logged');
    assert.match(logged, /errcode":93000/);
    const everything = `${logged}\n${JSON.stringify(dlq.entries.map(({ reason }) => reason))}`;
    for (const key of Object.values(KEYS)) {
      assert.ok(!everything.includes(key), `key ${key} leaked`);
      assert.ok(!everything.includes(key.slice(0, 12)), `a prefix of ${key} leaked`);
    }
  });
});
