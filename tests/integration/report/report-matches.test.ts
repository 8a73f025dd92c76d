import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Context, SQSEvent } from 'aws-lambda';
import type { EnvelopeV1 } from '../../../contracts/index.ts';
import { buildHandler } from '../../../functions/lambda/index.ts';
import type { BatchResult } from '../../../functions/pipeline/index.ts';
import { validateBundle } from '../../../functions/bundle/index.ts';
import type { BundleInput } from '../../../functions/bundle/index.ts';
import { startWecomEmulator, type WecomEmulator } from '../../../emulators/wecom/index.ts';
import { createLambdaContext, toSqsRecord } from '../../../local/index.ts';
import { runPreview } from '../../../cli/preview/run.ts';
import { runReport } from '../../../cli/report/run.ts';
import type { ReportFigures } from '../../../local/report/figures.ts';
import { anEnvelope } from '../../helpers/builders.ts';
import type { EventSpec } from '../../helpers/builders.ts';

// `report`, `preview --batch` and the Lambda handler (built by its real cold start) judge the same input, one queue
// batch's worth (all updates within the 10 s batching window, within every robot's budget): their counts must agree.

const RECEIVERS = ['ops', 'payments', 'audit'] as const;
const BUNDLE: BundleInput = {
  version: 1,
  receivers: Object.fromEntries(
    RECEIVERS.map((name) => [name, { webhook: `env:WECOM_${name.toUpperCase()}` }]),
  ),
  routes: [
    {
      name: 'payments',
      match: { namespaces: ['payments'] },
      receivers: ['payments'],
      group: { by: ['reason'] },
    },
    {
      name: 'warnings',
      match: { level: 'Warning' },
      exclude: { reasons: ['Unhealthy'] },
      receivers: ['ops'],
    },
    {
      name: 'probes',
      match: { reasons: ['Unhealthy'], persistedFor: '5m' },
      receivers: ['ops'],
      repeat: { every: '10m' },
    },
    { name: 'audit', match: { types: ['Normal'] }, receivers: ['audit'], repeat: 'first' },
  ],
  silences: [
    { match: { namespaces: ['batch'] }, endsAt: '2030-01-01T00:00:00Z', comment: 'batch jobs, test' },
  ],
};

const LAST_SEEN = Date.parse('2026-11-27T10:06:00Z');
/** An update last seen `seconds` into the batch window, first seen `recurringFor` seconds before. */
function update(spec: EventSpec, seconds: number, recurringFor = 360): EnvelopeV1 {
  const lastSeen = new Date(LAST_SEEN + seconds * 1000).toISOString();
  const envelope = anEnvelope({ ...spec, lastSeen });
  (envelope.event as { firstTimestamp: string }).firstTimestamp = new Date(
    LAST_SEEN + (seconds - recurringFor) * 1000,
  ).toISOString();
  return envelope;
}

const INPUT: EnvelopeV1[] = [
  // A crash loop bumped 3, 4, 5 within the batch: one message, because 4 qualifies.
  ...[3, 4, 5].map((count, i) =>
    update({ namespace: 'shop', name: 'cart', uid: 'crash', watchType: 'MODIFIED', count }, i),
  ),
  update({ namespace: 'shop', name: 'api', uid: 'crash-3', watchType: 'MODIFIED', count: 3 }, 1),
  ...['a', 'b', 'c'].map((pod, i) =>
    update({ namespace: 'payments', name: `pay-${pod}`, uid: `pay-${pod}` }, i),
  ),
  update({ namespace: 'payments', name: 'pay-d', uid: 'pay-d', reason: 'FailedMount' }, 2),
  // Probes: persisted for 6 minutes (two updates of one window: one message), and a fresh one (no route).
  update(
    { namespace: 'shop', name: 'web', uid: 'probe', reason: 'Unhealthy', watchType: 'MODIFIED', count: 20 },
    2,
  ),
  update(
    { namespace: 'shop', name: 'web', uid: 'probe', reason: 'Unhealthy', watchType: 'MODIFIED', count: 21 },
    4,
  ),
  update({ namespace: 'shop', name: 'web-2', uid: 'probe-2', reason: 'Unhealthy', count: 2 }, 3, 60),
  ...['x', 'y'].map((pod, i) =>
    update(
      { namespace: 'kube-system', name: pod, uid: `sched-${pod}`, type: 'Normal', reason: 'Scheduled' },
      i,
    ),
  ),
  update(
    {
      namespace: 'kube-system',
      name: 'z',
      uid: 'pulled',
      type: 'Normal',
      reason: 'Pulled',
      watchType: 'MODIFIED',
      count: 2,
    },
    5,
  ),
  update({ namespace: 'batch', name: 'job', uid: 'silenced', type: 'Normal', reason: 'Completed' }, 5),
];
/** The mapping closes the batch 10 s after its first record became visible: the clock of the handler too. */
const BATCH_CLOSES = LAST_SEEN + 10_000;

let wecom: WecomEmulator;
let dir: string;
before(async () => {
  wecom = await startWecomEmulator({ keys: RECEIVERS.map(keyOf) });
  dir = await mkdtemp(join(tmpdir(), 'report-matches-'));
  await writeFile(join(dir, 'bundle.json'), JSON.stringify(BUNDLE));
  await writeFile(join(dir, 'events.jsonl'), INPUT.map((e) => JSON.stringify(e)).join('\n'));
});
after(async () => {
  await wecom.stop();
  await rm(dir, { recursive: true });
});

function keyOf(receiver: string): string {
  return `${receiver}-key-0000-1111-2222`;
}

function output() {
  let text = '';
  return { write: (chunk: string) => void (text += chunk), text: () => text };
}
const noInput = { async *[Symbol.asyncIterator]() {} };

async function reportOf(): Promise<ReportFigures> {
  const stdout = output();
  const code = await runReport(
    { config: join(dir, 'bundle.json'), events: join(dir, 'events.jsonl'), cluster: 'c', json: true },
    { stdin: noInput, stdout, stderr: output() },
  );
  assert.equal(code, 0);
  return JSON.parse(stdout.text()) as ReportFigures;
}

async function previewMessagesPerReceiver(): Promise<Record<string, number>> {
  const stdout = output();
  const code = await runPreview(
    {
      config: join(dir, 'bundle.json'),
      events: join(dir, 'events.jsonl'),
      cluster: 'c',
      batch: true,
      now: new Date(BATCH_CLOSES).toISOString(),
    },
    { stdin: noInput, stdout, stderr: output() },
  );
  assert.equal(code, 0);
  const counts: Record<string, number> = {};
  for (const line of stdout.text().trim().split('\n')) {
    const { receiver } = JSON.parse(line) as { receiver: string };
    counts[receiver] = (counts[receiver] ?? 0) + 1;
  }
  return counts;
}

async function handlerRun(): Promise<{ perReceiver: Record<string, number>; result: BatchResult }> {
  const results: BatchResult[] = [];
  const env = {
    KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS: `127.0.0.1:${wecom.port}`,
    ...Object.fromEntries(RECEIVERS.map((r) => [`WECOM_${r.toUpperCase()}`, wecom.webhookUrl(keyOf(r))])),
  };
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const handler = buildHandler({
    bundle: validateBundle(BUNDLE).bundle!,
    env,
    clock: () => BATCH_CLOSES,
    logger: silent,
    metrics: { publish() {} },
    observer: (result) => void results.push(result),
  });
  const source = { eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events', awsRegion: 'us-east-1' };
  const event: SQSEvent = {
    Records: INPUT.map((envelope, i) =>
      toSqsRecord({ MessageId: `m-${i}`, ReceiptHandle: `rh-${i}`, Body: JSON.stringify(envelope) }, source),
    ),
  };
  const context: Context = createLambdaContext({
    functionName: 'events',
    awsRegion: 'us-east-1',
    memoryLimitInMB: 512,
    timeoutMs: 60_000,
    now: () => BATCH_CLOSES,
  });
  await handler(event, context, () => undefined);
  const perReceiver = Object.fromEntries(
    RECEIVERS.map((r) => [r, wecom.messages(keyOf(r)).length] as const).filter(([, n]) => n > 0),
  );
  return { perReceiver, result: results[0]! };
}

describe('report agrees with preview --batch and the handler', () => {
  it('counts the same messages per receiver, notifications and suppressions for one batch of input', async () => {
    const report = await reportOf();
    const preview = await previewMessagesPerReceiver();
    const handler = await handlerRun();
    const reported = Object.fromEntries(
      report.receivers.filter((r) => r.messages > 0).map((r) => [r.receiver, r.messages]),
    );
    assert.equal(report.batches, 1, 'the input is one batch as deployed');
    assert.deepEqual(reported, preview, 'messages per receiver: report vs preview --batch');
    assert.deepEqual(reported, handler.perReceiver, 'messages per receiver: report vs the handler');
    const { stats } = handler.result;
    assert.equal(report.totals.notified, stats.notified);
    assert.deepEqual(report.totals.suppressed, { 'no-route': 0, repeat: 0, silence: 0, ...stats.suppressed });
    // The input exercises every verdict, so agreement is not agreement on nothing.
    assert.deepEqual(
      [
        report.totals.suppressed['no-route'],
        report.totals.suppressed.repeat,
        report.totals.suppressed.silence,
      ],
      [1, 2, 1],
    );
  });
});
