import { SQSClient } from '@aws-sdk/client-sqs';
import { KubeConfig } from '@kubernetes/client-node';
import { startFauxqs } from 'fauxqs';
import { pino } from 'pino';
import {
  Forwarder,
  ForwarderMetrics,
  clientNodeKubeApi,
  sqsQueueClient,
  systemClock,
} from '../forwarder/index.ts';
import { startFakeApiServer } from '../tests/harness/fake-apiserver/index.ts';
import type { FakeApiServer } from '../tests/harness/fake-apiserver/index.ts';

interface Row {
  case: string;
  value: number;
  unit: string;
  floor?: number;
  ratio?: number;
}

const REASONS = ['BackOff', 'Pulled', 'Scheduled', 'FailedMount', 'Unhealthy', 'OOMKilling'];

/**
 * Forwarder throughput from the fake API server's watch stream to fauxqs (both in this process, on loopback):
 * events/s when offered as fast as possible and at 1,000 and 10,000 events/s, with the bench process's peak RSS.
 * The floor is `JSON.parse` of the same watch lines, the least any watch consumer must do per event.
 */
export async function benchForwarder(opts: { quick: boolean }): Promise<Row[]> {
  const burst = opts.quick ? 2000 : 10_000;
  const seconds = opts.quick ? 1 : 3;
  const rows: Row[] = [];

  const flat = await run(async (fake, offer) => offer(fake, burst, Infinity));
  const floorMs = parseFloorMs(flat.lines);
  rows.push({
    case: `forwarder watch→SQS, ${burst} events as fast as offered`,
    value: round(flat.eventsPerSecond),
    unit: 'events/s',
    floor: round(floorMs),
    ratio: round(flat.elapsedMs / floorMs),
  });
  rows.push({
    case: 'forwarder floor: JSON.parse of the same watch lines',
    value: round((burst / floorMs) * 1000),
    unit: 'events/s',
  });
  for (const rate of [1000, 10_000]) {
    const paced = await run(async (fake, offer) => offer(fake, rate * seconds, rate));
    rows.push({
      case: `forwarder watch→SQS, offered ${rate} events/s for ${seconds}s`,
      value: round(paced.eventsPerSecond),
      unit: 'events/s',
    });
    rows.push({
      case: `forwarder peak RSS at ${rate} events/s offered (bench process incl. fake API server and fauxqs)`,
      value: round(paced.peakRssMiB),
      unit: 'MiB',
    });
  }
  return rows;
}

type Offer = (fake: FakeApiServer, count: number, perSecond: number) => Promise<void>;

interface RunResult {
  eventsPerSecond: number;
  elapsedMs: number;
  peakRssMiB: number;
  lines: string[];
}

async function run(drive: (fake: FakeApiServer, offer: Offer) => Promise<void>): Promise<RunResult> {
  const fake = await startFakeApiServer();
  const sqs = await startFauxqs({ port: 0, logger: false });
  const { queueUrl } = sqs.createQueue('bench');
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfig());
  const client = new SQSClient({
    endpoint: `http://127.0.0.1:${sqs.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
  });
  const metrics = new ForwarderMetrics();
  const forwarder = new Forwarder({
    kube: clientNodeKubeApi(kc, { watchInactivityMs: 60_000 }),
    queue: sqsQueueClient(client, queueUrl),
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    metrics,
    clusterName: 'bench',
    api: 'core',
    types: [],
    namespaces: [],
    maxEventAgeMs: 300_000,
    bufferMaxEvents: 100_000,
    lingerMs: 200,
    sendConcurrency: 4,
    watchTimeoutSeconds: 240,
    graceMs: 5000,
  });
  const lines: string[] = [];
  fake.store.subscribe((change) => lines.push(JSON.stringify({ type: change.type, object: change.object })));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    fake.upsertNamespace('default', { team: 'bench' });
    await forwarder.start();
    const start = performance.now();
    let offered = 0;
    await drive(fake, async (f, count, perSecond) => {
      offered = count;
      await offer(f, count, perSecond);
    });
    const forwarded = async () => (await metrics.forwarded.get()).values[0]?.value ?? 0;
    while ((await forwarded()) < offered) await new Promise((r) => setTimeout(r, 5));
    const elapsedMs = performance.now() - start;
    return {
      eventsPerSecond: (offered / elapsedMs) * 1000,
      elapsedMs,
      peakRssMiB: peakRss / 1024 / 1024,
      lines: lines.filter((l) => l.includes('"Event"')),
    };
  } finally {
    clearInterval(sampler);
    await forwarder.stop();
    client.destroy();
    await sqs.stop();
    await fake.close();
  }
}

/** Creates `count` events, in 10 ms ticks at `perSecond`, or in chunks of 500 as fast as possible. */
async function offer(fake: FakeApiServer, count: number, perSecond: number): Promise<void> {
  const perTick = Number.isFinite(perSecond) ? Math.max(1, Math.round(perSecond / 100)) : 500;
  const start = performance.now();
  for (let created = 0, tick = 0; created < count; tick++) {
    for (let i = 0; i < perTick && created < count; i++, created++) {
      fake.createEvent({
        namespace: 'default',
        name: `bench.${created}`,
        reason: REASONS[created % REASONS.length]!,
        type: created % 4 === 0 ? 'Warning' : 'Normal',
      });
    }
    const due = Number.isFinite(perSecond) ? start + (tick + 1) * 10 : 0;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
  }
}

function parseFloorMs(lines: string[]): number {
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    for (const line of lines) JSON.parse(line);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[2]!;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
