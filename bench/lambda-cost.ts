import { readFileSync } from 'node:fs';
import type { SQSHandler } from 'aws-lambda';
import { parse } from 'yaml';
import { buildHandler } from '../functions/lambda/index.ts';
import { validateBundle } from '../functions/bundle/index.ts';
import { ALLOWED_HOSTS_ENV } from '../functions/channels/wecom/index.ts';
import { EventSourceMapping, startLocalStateTable } from '../local/index.ts';
import { startFakeApiServer } from '../emulators/kube-apiserver/index.ts';
import { startWecomEmulator } from '../emulators/wecom/index.ts';
import { startSqsEmulator } from '../emulators/sqs/index.ts';
import { generateBundle } from './corpus.ts';
import { EventFeed } from './event-feed.ts';
import { ForwarderProcess, buildForwarderBundle } from './forwarder-process.ts';
import type { BenchResult } from './measure.ts';

const RATE = 50;
const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

/** The production stage's event source mapping and function settings, as `serverless.yml` deploys them. */
interface Production {
  batchSize: number;
  maximumBatchingWindow: number;
  maximumConcurrency: number;
  memorySize: number;
  functionTimeout: number;
}

function productionSettings(): Production {
  // CloudFormation's tags (`!Ref`, `!GetAtt`) elsewhere in the file are not ours to resolve.
  const text = readFileSync(new URL('../serverless.yml', import.meta.url), 'utf8');
  const params = (
    parse(text, { logLevel: 'error' }) as {
      params: Record<'default' | 'prod', Partial<Production>>;
    }
  ).params;
  return { ...params.default, ...params.prod } as Production;
}

/**
 * What the function side costs per 1,000 events at 50 events/s, from a measured run: the forwarder (its own
 * process, default flags) sends the corpus through fauxqs to the local event source mapping with production's
 * settings, which invokes the handler (the 50-route bundle, WeCom emulator without rate limit). Invocations and
 * records come from the mapping; billed duration is each invocation's time rounded up to the millisecond, as
 * Lambda bills it, times the memory size; SQS requests are the forwarder's SendMessageBatch calls and the
 * mapping's ReceiveMessage and DeleteMessageBatch calls (Lambda's pollers are billed to the account too).
 */
export async function benchLambdaCost(opts: { quick: boolean }): Promise<BenchResult[]> {
  const production = productionSettings();
  const seconds = opts.quick ? 4 : 60;
  const feed = new EventFeed(RATE * seconds, 500);
  const forwarderBundle = buildForwarderBundle();
  const fake = await startFakeApiServer();
  const sqs = await startSqsEmulator();
  const emulator = await startWecomEmulator({ acceptAnyKey: true, rateLimit: false });
  const queueUrl = sqs.createQueue('cost-events', { VisibilityTimeout: '370' }).url;
  // As deployed: the shared robot budgets and parked events in the state table.
  const state = await startLocalStateTable('kube-wecom-cost-state');
  const requests = new Map<string, number>();
  sqs.client.middlewareStack.add(
    (next, context) => (args) => {
      requests.set(context.commandName!, (requests.get(context.commandName!) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  let forwarder: ForwarderProcess | undefined;
  let mapping: EventSourceMapping | undefined;
  try {
    const input = generateBundle(50);
    const env: Record<string, string> = {
      [ALLOWED_HOSTS_ENV]: `127.0.0.1:${emulator.port}`,
      KUBE_WECOM_STATE_TABLE: state.tableName,
      KUBE_WECOM_EVENTS_QUEUE_URL: queueUrl,
    };
    for (const [name, receiver] of Object.entries(input.receivers))
      if (receiver.webhook.startsWith('env:')) env[receiver.webhook.slice(4)] = emulator.webhookUrl(name);
    const { bundle, problems } = validateBundle(input);
    if (!bundle) throw new Error(`cost bundle is invalid: ${JSON.stringify(problems)}`);
    const handler = buildHandler({
      bundle,
      env,
      sqs: sqs.client,
      dynamodb: state.client(),
      logger: SILENT,
      metrics: { publish() {} },
    });
    let billedMs = 0;
    const timed: SQSHandler = async (event, context, callback) => {
      const start = performance.now();
      try {
        return await handler(event, context, callback);
      } finally {
        billedMs += Math.ceil(performance.now() - start);
      }
    };
    let invocations = 0;
    let processed = 0;
    let lastInvocationAt = Date.now();
    mapping = new EventSourceMapping({
      sqs: sqs.client,
      queueUrl,
      handler: timed,
      batchSize: production.batchSize,
      maximumBatchingWindowSeconds: production.maximumBatchingWindow,
      maximumConcurrency: production.maximumConcurrency,
      functionTimeoutSeconds: production.functionTimeout,
      memoryLimitInMB: production.memorySize,
      onBatch: (outcome) => {
        invocations++;
        processed += outcome.deleted.length;
        lastInvocationAt = Date.now();
      },
    });
    feed.prepare(fake);
    await mapping.start();
    forwarder = await ForwarderProcess.start({
      bundle: forwarderBundle,
      kubeconfig: fake.kubeconfig(),
      queueUrl,
      sqsEndpoint: sqs.endpoint,
    });
    const receivesBefore = requests.get('ReceiveMessageCommand') ?? 0;
    await feed.offer(fake, RATE);
    // Events a robot's budget defers come back later as further invocations; the run ends at the first quiet
    // batching window, and counts per event sent.
    const quietMs = (production.maximumBatchingWindow + 2) * 1000;
    while (processed < feed.size && Date.now() - lastInvocationAt < quietMs)
      await new Promise((r) => setTimeout(r, 100));
    const sends = await forwarder.metric('kube_wecom_forwarder_sqs_batches_total');
    const receives = (requests.get('ReceiveMessageCommand') ?? 0) - receivesBefore;
    const deletes = requests.get('DeleteMessageBatchCommand') ?? 0;
    const per1000 = (n: number) => Math.round((n * 1000 * 1000) / feed.size) / 1000;
    const settings = `batch ${production.batchSize}, window ${production.maximumBatchingWindow} s, concurrency ${production.maximumConcurrency}, ${production.memorySize} MB`;
    return [
      {
        case: `function per 1,000 events at ${RATE} events/s, production mapping (${settings}): invocations (${processed} of ${feed.size} events deleted by the end)`,
        value: per1000(invocations),
        unit: 'invocations',
      },
      {
        case: 'function per 1,000 events: billed duration × memory',
        value: per1000(((billedMs / 1000) * production.memorySize) / 1024),
        unit: 'GB-s',
      },
      {
        case: `function per 1,000 events: SQS requests (SendMessageBatch ${per1000(sends)}, ReceiveMessage ${per1000(receives)}, DeleteMessageBatch ${per1000(deletes)})`,
        value: per1000(sends + receives + deletes),
        unit: 'requests',
      },
    ];
  } finally {
    await forwarder?.stop();
    await mapping?.stop();
    await emulator.stop();
    await state.stop();
    await sqs.stop();
    await fake.close();
    forwarderBundle.remove();
  }
}
