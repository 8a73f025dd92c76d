/**
 * `npm run drill:storm`: the shared robot budget proven in real time, with production's event source mapping
 * (batch 100, window 10 s, maximum concurrency 5, timeout 60 s, visibility 60 s, 5 receives) and a separate
 * handler instance per concurrent invocation, as separate Lambda containers run. Two forwarders (two clusters) on
 * one queue, fauxqs, dynalite, and the WeCom emulator with the real window (20 a minute per key, then a 60 s block).
 *
 * Load: a storm of Warning events over 30 namespaces to two robots that digest by namespace (one receiver a pool of
 * two keys), then quiet until drained; then a burst, then quiet again. Real clock everywhere; bounded; exits 1 when
 * a check fails. Not part of `npm test`: it takes minutes, by design.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startFakeApiServer, type FakeApiServer } from '../../emulators/kube-apiserver/index.ts';
import { startSqsEmulator } from '../../emulators/sqs/index.ts';
import { startWecomEmulator } from '../../emulators/wecom/index.ts';
import { validateBundle } from '../../functions/bundle/index.ts';
import { ALLOWED_HOSTS_ENV } from '../../functions/channels/wecom/index.ts';
import { silentLogger } from '../../functions/ports.ts';
import { buildHandler } from '../../functions/lambda/index.ts';
import type { BatchResult } from '../../functions/pipeline/index.ts';
import { EventSourceMapping, inProcessForwarder, startLocalStateTable } from '../../local/index.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'storm-seconds': { type: 'string', default: '180' },
    'storm-rate': { type: 'string', default: '100' },
    'burst-seconds': { type: 'string', default: '30' },
    'burst-rate': { type: 'string', default: '1000' },
    'drain-timeout': { type: 'string', default: '300' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npm run drill:storm -- [--json] [--storm-seconds 180] [--storm-rate 100] [--burst-seconds 30]
                         [--burst-rate 1000] [--drain-timeout 300]

Runs the storm and the burst in real time through two forwarders, the queue, five concurrent handler instances
(one per container) and the WeCom emulator, then checks: every key at most 20 accepted messages in every minute
(and in any 60 s), no 45009, every offered event covered by an accepted message or suppressed, none
dead-lettered, p99 latency from the event's write to the first accepted message covering it at most 90 s.
Prints a summary, or the figures as JSON with --json; exits 1 when a check fails.

Example: npm run drill:storm -- --json --storm-seconds 60 --burst-seconds 10`);
  process.exit(0);
}

const STORM = { seconds: Number(args['storm-seconds']), rate: Number(args['storm-rate']) };
const BURST = { seconds: Number(args['burst-seconds']), rate: Number(args['burst-rate']) };
const DRAIN_TIMEOUT_MS = Number(args['drain-timeout']) * 1000;
const NAMESPACES = Array.from({ length: 30 }, (_, i) => `team-${String(i).padStart(2, '0')}`);
const REASONS = ['BackOff', 'Unhealthy', 'FailedMount', 'FailedScheduling', 'OOMKilling'];
const KEYS = { a: 'drill-robot-a', b1: 'drill-robot-b1', b2: 'drill-robot-b2' };
const TABLE = 'kube-wecom-drill-state';
const MAPPING = {
  batchSize: 100,
  windowSeconds: 10,
  concurrency: 5,
  timeoutSeconds: 60,
  visibilitySeconds: 60,
};
const MAX_RECEIVE_COUNT = 5;
const LIMITS = { perMinute: 20, p99LatencyMs: 90_000 };

const BUNDLE = {
  version: 1,
  timezone: 'Asia/Shanghai',
  receivers: {
    'ops-a': { webhook: 'env:DRILL_ROBOT_A', msgtype: 'markdown' },
    'ops-b': { webhook: 'env:DRILL_ROBOT_B1', pool: ['env:DRILL_ROBOT_B2'], msgtype: 'markdown' },
  },
  routes: [
    {
      name: 'warnings',
      match: { types: ['Warning'] },
      receivers: ['ops-a', 'ops-b'],
      group: { by: ['namespace'] },
    },
  ],
};

/** What the drill saw of each offered event. */
interface Offered {
  phase: string;
  writtenAt: number;
  coveredAt: Map<string, number>;
}

async function main(): Promise<number> {
  const validated = validateBundle(BUNDLE);
  if (!validated.bundle) throw new Error(`drill bundle: ${JSON.stringify(validated.problems)}`);
  const bundle = validated.bundle;
  const closers: Array<() => Promise<unknown> | unknown> = [];
  const offered = new Map<string, Offered>();
  const parkings = new Map<string, { receiver: string; uids: string[] }>();
  const sentParkings: { id: string; receiver: string; at: number }[] = [];
  const totals = { batches: 0, suppressed: 0, deadLetters: 0, sent: 0, budgetFallbacks: 0, dynamoCalls: 0 };
  let invoking = 0;
  const warnings = new Map<string, number>();
  try {
    const state = await startLocalStateTable(TABLE);
    closers.push(() => state.stop());
    const dynamoClient = () => {
      const client = state.client();
      countCalls(client, () => totals.dynamoCalls++);
      return client;
    };

    const sqs = await startSqsEmulator();
    closers.push(() => sqs.stop());
    const dlq = sqs.createQueue('kube-wecom-drill-events-dlq');
    const queue = sqs.createQueue('kube-wecom-drill-events', {
      VisibilityTimeout: String(MAPPING.visibilitySeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
    });

    const wecom = await startWecomEmulator({
      keys: Object.values(KEYS),
      rateLimit: { perMinute: LIMITS.perMinute, windowMs: 60_000, blockMs: 60_000, window: 'sliding' },
    });
    closers.push(() => wecom.stop());

    const env = {
      DRILL_ROBOT_A: wecom.webhookUrl(KEYS.a),
      DRILL_ROBOT_B1: wecom.webhookUrl(KEYS.b1),
      DRILL_ROBOT_B2: wecom.webhookUrl(KEYS.b2),
      [ALLOWED_HOSTS_ENV]: `127.0.0.1:${wecom.port}`,
      KUBE_WECOM_STATE_TABLE: TABLE,
      KUBE_WECOM_EVENTS_QUEUE_URL: queue.url,
      KUBE_WECOM_DLQ_URL: dlq.url,
      KUBE_WECOM_MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
      KUBE_WECOM_MAX_CONCURRENCY: String(MAPPING.concurrency),
    };
    const observe = (result: BatchResult) => {
      const at = Date.now();
      totals.batches++;
      totals.sent += result.stats.sent;
      totals.deadLetters += result.stats.deadLetters;
      totals.budgetFallbacks += result.stats.budgetFallbacks;
      totals.suppressed += Object.values(result.stats.suppressed).reduce((sum, n) => sum + (n ?? 0), 0);
      for (const deferral of result.deferrals) {
        if (deferral.parking)
          parkings.set(deferral.parking.id, { receiver: deferral.receiver, uids: deferral.parking.uids });
      }
      for (const outcome of result.outcomes) {
        if (outcome.status !== 'sent') continue;
        const receiver = outcome.planned.message.receiver;
        for (const event of outcome.planned.events) cover(offered, event.event.uid, receiver, at);
        for (const id of outcome.planned.parked?.parkings ?? []) sentParkings.push({ id, receiver, at });
      }
    };
    // Warnings and errors are counted by message, so the report shows what went wrong without a flood of lines.
    const logger = {
      ...silentLogger,
      warn: (message: string) => void warnings.set(message, (warnings.get(message) ?? 0) + 1),
      error: (message: string) => void warnings.set(message, (warnings.get(message) ?? 0) + 1),
    };
    const mapping = new EventSourceMapping({
      sqs: sqs.client,
      queueUrl: queue.url,
      handler: () => undefined,
      handlerPerContainer: () => {
        const handler = buildHandler({
          bundle,
          env,
          sqs: sqs.client,
          dynamodb: dynamoClient(),
          logger,
          metrics: { publish() {} },
          observer: observe,
        });
        return async (event, context, callback) => {
          invoking++;
          try {
            return await handler(event, context, callback);
          } finally {
            invoking--;
          }
        };
      },
      batchSize: MAPPING.batchSize,
      maximumBatchingWindowSeconds: MAPPING.windowSeconds,
      maximumConcurrency: MAPPING.concurrency,
      functionTimeoutSeconds: MAPPING.timeoutSeconds,
      visibilityTimeoutSeconds: MAPPING.visibilitySeconds,
      idleWaitSeconds: 2,
      onError: (error) => console.error('drill: event source mapping:', error),
    });
    await mapping.start();
    closers.push(() => mapping.stop());

    const clusters: FakeApiServer[] = [];
    for (const name of ['drill-sh', 'drill-bj']) {
      const fake = await startFakeApiServer({ bookmarkIntervalMs: 5000 });
      closers.push(() => fake.close());
      clusters.push(fake);
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(fake.kubeconfig());
      const { forwarder } = inProcessForwarder({
        kubeConfig,
        sqs: sqs.client,
        queueUrl: queue.url,
        clusterName: name,
        logger: pino({ level: 'error' }),
        flags: { checkpointConfigmap: '' },
      });
      await forwarder.start();
      closers.unshift(() => forwarder.stop());
    }

    const phases: PhaseReport[] = [];
    for (const [phase, load] of [
      ['storm', STORM],
      ['burst', BURST],
    ] as const) {
      if (load.seconds <= 0 || load.rate <= 0) continue;
      const start = Date.now();
      await writeEvents(clusters, phase, load, offered);
      const loadEnd = Date.now();
      const drained = await drain(
        () => coveredOrGone(offered, parkings, sentParkings, phase) && invoking === 0,
        async () => {
          const depth = await sqs.depth(queue.url);
          return depth.visible + depth.inFlight === 0;
        },
      );
      phases.push(
        phaseReport(phase, load, offered, parkings, sentParkings, start, loadEnd, Date.now(), drained),
      );
    }
    const dlqDepth = await sqs.depth(dlq.url);
    const report = finalReport(
      phases,
      wecom.requests(),
      totals,
      dlqDepth.visible + dlqDepth.inFlight,
      warnings,
    );
    print(report);
    return report.passed ? 0 : 1;
  } finally {
    for (const close of closers.splice(0)) await close();
  }
}

/** Adds a middleware that counts every request the client sends (each is one DynamoDB request billed). */
function countCalls(client: DynamoDBClient, count: () => void): void {
  client.middlewareStack.add(
    (next) => async (input) => {
      count();
      return next(input);
    },
    { step: 'initialize', name: 'drillCountCalls' },
  );
}

function cover(offered: Map<string, Offered>, uid: string, receiver: string, at: number): void {
  const event = offered.get(uid);
  if (event && !event.coveredAt.has(receiver)) event.coveredAt.set(receiver, at);
}

/** Writes `rate` Warning events a second for `seconds`, alternating clusters, in 100 ms steps. */
async function writeEvents(
  clusters: FakeApiServer[],
  phase: string,
  load: { seconds: number; rate: number },
  offered: Map<string, Offered>,
): Promise<void> {
  const start = Date.now();
  const end = start + load.seconds * 1000;
  let written = 0;
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - start) / 1000) * load.rate);
    for (; written < due; written++) {
      const fake = clusters[written % clusters.length]!;
      const namespace = NAMESPACES[written % NAMESPACES.length]!;
      const object = fake.createEvent({
        namespace,
        type: 'Warning',
        reason: REASONS[written % REASONS.length]!,
        message: `drill ${phase} event ${written}`,
        involvedObject: { kind: 'Pod', namespace, name: `web-${written % 97}`, apiVersion: 'v1' },
      });
      const uid = String((object.metadata as { uid?: string }).uid);
      offered.set(uid, { phase, writtenAt: Date.now(), coveredAt: new Map() });
    }
    await sleep(100);
  }
}

/** Waits until `done` holds twice in a row, 2 s apart, or the drain timeout passes; false on a timeout. */
async function drain(done: () => boolean, queueEmpty: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let calm = 0;
  while (Date.now() < deadline) {
    await sleep(2000);
    calm = done() && (await queueEmpty()) ? calm + 1 : 0;
    if (calm >= 2) return true;
  }
  return false;
}

const RECEIVERS = Object.keys(BUNDLE.receivers);

/** Every event of the phase covered for every receiver (directly, or through a parking a sent summary carried). */
function coveredOrGone(
  offered: Map<string, Offered>,
  parkings: Map<string, { receiver: string; uids: string[] }>,
  sentParkings: { id: string; receiver: string; at: number }[],
  phase: string,
): boolean {
  resolveParkings(offered, parkings, sentParkings);
  for (const event of offered.values()) {
    if (event.phase === phase && RECEIVERS.some((receiver) => !event.coveredAt.has(receiver))) return false;
  }
  return true;
}

/** A summary that carried a parking covers its events for that receiver, at the time the summary went out. */
function resolveParkings(
  offered: Map<string, Offered>,
  parkings: Map<string, { receiver: string; uids: string[] }>,
  sentParkings: { id: string; receiver: string; at: number }[],
): void {
  for (let i = sentParkings.length - 1; i >= 0; i--) {
    const sent = sentParkings[i]!;
    const parking = parkings.get(sent.id);
    if (!parking) continue;
    for (const uid of parking.uids) cover(offered, uid, sent.receiver, sent.at);
    sentParkings.splice(i, 1);
  }
}

interface PhaseReport {
  phase: string;
  rate: number;
  seconds: number;
  offered: number;
  /** (event, receiver) pairs an accepted message covered, of offered × receivers. */
  covered: number;
  uncovered: number;
  drained: boolean;
  latencyMs: { p50: number; p99: number; max: number };
  loadSeconds: number;
  drainSeconds: number;
}

function phaseReport(
  phase: string,
  load: { seconds: number; rate: number },
  offered: Map<string, Offered>,
  parkings: Map<string, { receiver: string; uids: string[] }>,
  sentParkings: { id: string; receiver: string; at: number }[],
  start: number,
  loadEnd: number,
  end: number,
  drained: boolean,
): PhaseReport {
  resolveParkings(offered, parkings, sentParkings);
  const latencies: number[] = [];
  let offeredCount = 0;
  let covered = 0;
  for (const event of offered.values()) {
    if (event.phase !== phase) continue;
    offeredCount++;
    for (const receiver of RECEIVERS) {
      const at = event.coveredAt.get(receiver);
      if (at === undefined) continue;
      covered++;
      latencies.push(at - event.writtenAt);
    }
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    phase,
    rate: load.rate,
    seconds: load.seconds,
    offered: offeredCount,
    covered,
    uncovered: offeredCount * RECEIVERS.length - covered,
    drained,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 },
    loadSeconds: Math.round((loadEnd - start) / 1000),
    drainSeconds: Math.round((end - loadEnd) / 1000),
  };
}

function finalReport(
  phases: PhaseReport[],
  requests: { key: string; receivedAt: number; answer: number | string }[],
  totals: {
    batches: number;
    suppressed: number;
    deadLetters: number;
    sent: number;
    budgetFallbacks: number;
    dynamoCalls: number;
  },
  dlqDepth: number,
  warnings: Map<string, number>,
) {
  const first = requests[0]?.receivedAt ?? 0;
  const keys: Record<string, { perMinute: number[]; rateLimited: number; maxIn60s: number }> = {};
  for (const key of Object.values(KEYS)) {
    const own = requests.filter((request) => request.key === key);
    const accepted = own.filter((request) => request.answer === 0).map((request) => request.receivedAt);
    const perMinute: number[] = [];
    for (const at of accepted) {
      const minute = Math.floor((at - first) / 60_000);
      perMinute[minute] = (perMinute[minute] ?? 0) + 1;
    }
    let maxIn60s = 0;
    for (let i = 0, j = 0; j < accepted.length; j++) {
      while (accepted[j]! - accepted[i]! >= 60_000) i++;
      maxIn60s = Math.max(maxIn60s, j - i + 1);
    }
    keys[key] = {
      perMinute: Array.from(perMinute, (n) => n ?? 0),
      rateLimited: own.filter((request) => request.answer === 45009).length,
      maxIn60s,
    };
  }
  const accepted = requests.filter((request) => request.answer === 0).length;
  const checks = {
    'every key at most 20 accepted in every minute and in any 60 s': Object.values(keys).every(
      (key) => key.maxIn60s <= LIMITS.perMinute && key.perMinute.every((n) => n <= LIMITS.perMinute),
    ),
    'no 45009': Object.values(keys).every((key) => key.rateLimited === 0),
    'every offered event covered or suppressed': phases.every(
      (phase) => phase.uncovered <= totals.suppressed * RECEIVERS.length,
    ),
    'none dead-lettered': totals.deadLetters === 0 && dlqDepth === 0,
    'p99 latency at most 90 s': phases.every((phase) => phase.latencyMs.p99 <= LIMITS.p99LatencyMs),
    'drained before the timeout': phases.every((phase) => phase.drained),
  };
  return {
    passed: Object.values(checks).every(Boolean),
    checks,
    mapping: {
      ...MAPPING,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      forwarders: 2,
      handlerInstances: MAPPING.concurrency,
    },
    phases,
    keys,
    messages: { accepted, sentByHandlers: totals.sent, batches: totals.batches },
    events: { suppressed: totals.suppressed, deadLettered: totals.deadLetters, dlqDepth },
    warnings: Object.fromEntries(warnings),
    dynamodb: {
      requests: totals.dynamoCalls,
      perMessage: accepted === 0 ? 0 : Number((totals.dynamoCalls / accepted).toFixed(2)),
      fallbacks: totals.budgetFallbacks,
    },
  };
}

function print(report: ReturnType<typeof finalReport>): void {
  if (args.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  for (const phase of report.phases) {
    console.log(
      `${phase.phase}: ${phase.offered} events at ${phase.rate}/s for ${phase.seconds} s; ` +
        `${phase.covered}/${phase.offered * RECEIVERS.length} (event, receiver) pairs covered; ` +
        `latency p50 ${(phase.latencyMs.p50 / 1000).toFixed(1)} s, p99 ${(phase.latencyMs.p99 / 1000).toFixed(1)} s; ` +
        `drained in ${phase.drainSeconds} s`,
    );
  }
  for (const [key, figures] of Object.entries(report.keys)) {
    console.log(
      `${key}: accepted per minute ${figures.perMinute.join(' ')}; max in 60 s ${figures.maxIn60s}; 45009 × ${figures.rateLimited}`,
    );
  }
  console.log(
    `messages accepted ${report.messages.accepted}; dead-lettered ${report.events.deadLettered}; ` +
      `DynamoDB requests ${report.dynamodb.requests} (${report.dynamodb.perMessage} per message)`,
  );
  for (const [check, ok] of Object.entries(report.checks)) console.log(`${ok ? 'ok  ' : 'FAIL'} ${check}`);
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('drill:storm failed to run:', error);
    process.exit(2);
  },
);
