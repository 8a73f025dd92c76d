import { startFakeApiServer } from '../emulators/kube-apiserver/index.ts';
import { startSqsEmulator } from '../emulators/sqs/index.ts';
import type { SqsEmulator } from '../emulators/sqs/index.ts';
import { startWecomEmulator } from '../emulators/wecom/index.ts';
import { EventFeed } from './event-feed.ts';
import { ForwarderProcess, buildForwarderBundle } from './forwarder-process.ts';
import type { ForwarderBundle, ProcessMemory } from './forwarder-process.ts';
import { KubeEventerProcess, serveSeedBody, unpackKubeEventer } from './kube-eventer.ts';
import type { KubeEventerBinary } from './kube-eventer.ts';
import { median } from './measure.ts';
import type { BenchResult } from './measure.ts';

const QUEUE = 'bench-events';
const ROBOT = 'k1';

interface Timing {
  /** Rates real clusters run at (1–50 events/s), and a busy one; the first also measures idle CPU. */
  rates: number[];
  /** Seconds each rate is offered and measured, after `warmSeconds` at the same rate. */
  seconds: number;
  warmSeconds: number;
  /** Before the idle measurement: a start-up's garbage and compilation are not idle. */
  startupSeconds: number;
  idleSeconds: number;
  /** kube-eventer's `--frequency` (its batching period): its default in full runs. */
  frequency: string;
}

const FULL: Timing = {
  rates: [1, 50, 1000],
  seconds: 60,
  warmSeconds: 15,
  startupSeconds: 60,
  idleSeconds: 60,
  frequency: '30s',
};
/**
 * CI's smoke run (the whole quick bench should stay near two minutes): one rate, a few seconds. kube-eventer
 * refuses a `--frequency` under 5 s.
 */
const QUICK: Timing = {
  rates: [50],
  seconds: 4,
  warmSeconds: 1,
  startupSeconds: 2,
  idleSeconds: 2,
  frequency: '5s',
};

/** One process's figures over a measured window. */
interface ProcessFigures {
  cpuMs: number;
  memory: ProcessMemory;
}

interface RateResult {
  rate: number;
  events: number;
  warnings: number;
  forwarder: ProcessFigures;
  /** Event write (fake API server) to SQS's SentTimestamp, ms, for every measured event. */
  latenciesMs: number[];
  peer?: ProcessFigures & { delivered: number };
  idle?: { forwarder: number; peer?: number };
}

/**
 * The forwarder at the rates clusters really run at, beside kube-eventer (the tool our users run today) watching
 * the same fake API server in the same run: CPU per event and peak RSS of each whole process, idle CPU, and the
 * forwarder's event-to-SQS latency. kube-eventer runs as the seed does (webhook sink, Warnings, the seed's body)
 * and posts to the WeCom emulator; without its binary (../shared/peers/) the comparison is skipped with a note.
 */
export async function benchRealRates(opts: { quick: boolean; long: boolean }): Promise<BenchResult[]> {
  const timing = opts.quick ? QUICK : FULL;
  const bundle = buildForwarderBundle();
  const peer = unpackKubeEventer();
  try {
    const results: RateResult[] = [];
    for (const rate of timing.rates) {
      const result = await measureRate(bundle, peer, rate, timing, { idle: rate === timing.rates[0] });
      // A full run takes minutes: what each rate measured is kept even if a later one fails.
      process.stderr.write(
        `real-rates: ${JSON.stringify({ ...result, latenciesMs: result.latenciesMs.length })}\n`,
      );
      results.push(result);
    }
    const rows = rowsOf(results, timing);
    if (!peer)
      rows.push({
        case: 'kube-eventer: not found at ../shared/peers/kube-eventer/kube-eventer.gz; comparison skipped',
        value: 0,
        unit: '',
      });
    if (opts.long) rows.push(await idleAfterTenMinutes(bundle));
    return rows;
  } finally {
    peer?.remove();
    bundle.remove();
  }
}

/**
 * A fresh fake API server, fauxqs, WeCom emulator, forwarder and kube-eventer; optionally the idle CPU after
 * start-up; then the rate offered for the warm-up and the measured window, and each process's CPU over the same
 * window: from the first measured write until the forwarder has sent everything and kube-eventer has posted
 * what it will (a batching period with no post).
 */
async function measureRate(
  bundle: ForwarderBundle,
  binary: KubeEventerBinary | undefined,
  rate: number,
  timing: Timing,
  { idle }: { idle: boolean },
): Promise<RateResult> {
  const fake = await startFakeApiServer();
  const sqs = await startSqsEmulator();
  const wecom = await startWecomEmulator({ keys: [ROBOT], rateLimit: false });
  const { url: queueUrl } = sqs.createQueue(QUEUE);
  let forwarder: ForwarderProcess | undefined;
  let peer: KubeEventerProcess | undefined;
  try {
    serveSeedBody(fake);
    const warm = new EventFeed(Math.ceil(rate * timing.warmSeconds), 300 + rate);
    const measured = new EventFeed(rate * timing.seconds, 400 + rate);
    warm.prepare(fake);
    measured.prepare(fake);
    forwarder = await ForwarderProcess.start({
      bundle,
      kubeconfig: fake.kubeconfig(),
      queueUrl,
      sqsEndpoint: sqs.endpoint,
    });
    if (binary)
      peer = await KubeEventerProcess.start({
        binary,
        apiServerUrl: fake.url,
        webhookUrl: wecom.webhookUrl(ROBOT),
        frequency: timing.frequency,
      });
    const result: Partial<RateResult> = {};
    if (idle) {
      await sleep(timing.startupSeconds * 1000);
      const [f0, p0] = [forwarder.processCpuMs(), peer?.cpuMs()];
      await sleep(timing.idleSeconds * 1000);
      result.idle = {
        forwarder: (forwarder.processCpuMs() - f0) / timing.idleSeconds,
        ...(peer ? { peer: (peer.cpuMs() - p0!) / timing.idleSeconds } : {}),
      };
    }
    await warm.offer(fake, rate);
    await untilQueued(sqs.server, warm.size);
    const written = new Map<string, number>();
    const unsubscribe = fake.store.subscribe((change) => {
      if (change.resource === 'events')
        written.set(String(change.object.metadata?.resourceVersion), Date.now());
    });
    const [f0, p0, posted0] = [forwarder.processCpuMs(), peer?.cpuMs(), wecom.requests(ROBOT).length];
    await measured.offer(fake, rate);
    unsubscribe();
    await untilQueued(sqs.server, warm.size + measured.size);
    // Its sink posts one Warning each 50 ms and never catches up at 1,000 events/s: the window ends at the
    // first batching period without a post, or two periods after the last write.
    const periodMs = parseSeconds(timing.frequency) * 1000;
    if (peer) await untilQuiet(() => wecom.requests(ROBOT).length, periodMs + 2000, 2 * periodMs + 2000);
    const forwarderCpu = forwarder.processCpuMs() - f0;
    return {
      ...result,
      rate,
      events: measured.size,
      warnings: measured.warnings,
      forwarder: { cpuMs: forwarderCpu, memory: forwarder.memory() },
      latenciesMs: latencies(sqs.server, written),
      ...(peer
        ? {
            peer: {
              cpuMs: peer.cpuMs() - p0!,
              memory: peer.memory(),
              delivered: wecom.messages(ROBOT).length - posted0,
            },
          }
        : {}),
    };
  } finally {
    await Promise.all([forwarder?.stop(), peer?.stop()]);
    await wecom.stop();
    await sqs.stop();
    await fake.close();
  }
}

/** The forwarder alone, started and left without events for ten minutes: what it holds for most of its life. */
async function idleAfterTenMinutes(bundle: ForwarderBundle): Promise<BenchResult> {
  const fake = await startFakeApiServer();
  const sqs = await startSqsEmulator();
  const { url: queueUrl } = sqs.createQueue(QUEUE);
  const forwarder = await ForwarderProcess.start({
    bundle,
    kubeconfig: fake.kubeconfig(),
    queueUrl,
    sqsEndpoint: sqs.endpoint,
  });
  try {
    await sleep(600_000);
    return {
      case: 'forwarder: RSS after 10 min without events (--long)',
      value: round(forwarder.memory().rssMiB),
      unit: 'MiB',
      target: '≤ 60',
    };
  } finally {
    await forwarder.stop();
    await sqs.stop();
    await fake.close();
  }
}

function rowsOf(results: RateResult[], timing: Timing): BenchResult[] {
  const rows: BenchResult[] = [];
  const window = `${timing.seconds} s after ${timing.warmSeconds} s warm-up`;
  for (const r of results) {
    const rate = `${r.rate.toLocaleString('en-US')} events/s`;
    const forwarderUs = (r.forwarder.cpuMs * 1000) / r.events;
    const peerUs = r.peer && (r.peer.cpuMs * 1000) / r.events;
    rows.push({
      case: `forwarder: CPU per event at ${rate} offered (${window}, whole process)`,
      value: round(forwarderUs),
      unit: 'µs',
      target: '≤ 1.0× kube-eventer',
      ...against(forwarderUs, peerUs),
    });
    if (r.peer)
      rows.push({
        case: `kube-eventer: the same events, whole process (webhook sink to the WeCom emulator, --frequency=${timing.frequency}); ${r.peer.delivered} posts in the window, ${r.warnings} Warnings offered`,
        value: round(peerUs!),
        unit: 'µs',
      });
    if (r.rate >= 50) {
      rows.push({
        case: `forwarder: peak RSS at ${rate}`,
        value: round(r.forwarder.memory.peakMiB),
        unit: 'MiB',
        target: '≤ 1.25× kube-eventer',
        ...against(r.forwarder.memory.peakMiB, r.peer?.memory.peakMiB),
      });
      if (r.peer)
        rows.push({
          case: `kube-eventer: peak RSS at ${rate}`,
          value: round(r.peer.memory.peakMiB),
          unit: 'MiB',
        });
    }
    if (r.rate === 50) {
      const sorted = [...r.latenciesMs].sort((a, b) => a - b);
      rows.push(
        {
          case: `forwarder: event written → in SQS at ${rate}, p50 (${sorted.length} events)`,
          value: median(sorted),
          unit: 'ms',
        },
        {
          case: `forwarder: event written → in SQS at ${rate}, p99`,
          value: sorted[Math.floor(sorted.length * 0.99)] ?? NaN,
          unit: 'ms',
          target: '≤ 250',
        },
      );
    }
    if (r.idle) {
      rows.push({
        case: `forwarder: idle CPU, ${timing.idleSeconds} s without events after a ${timing.startupSeconds} s start-up`,
        value: round(r.idle.forwarder),
        unit: 'ms/s',
        target: '≤ 2',
        ...against(r.idle.forwarder, r.idle.peer),
      });
      if (r.idle.peer !== undefined)
        rows.push({
          case: 'kube-eventer: idle CPU, the same window',
          value: round(r.idle.peer),
          unit: 'ms/s',
        });
    }
  }
  return rows;
}

/** The ratio to kube-eventer's figure, when it ran. */
function against(ours: number, theirs: number | undefined): Partial<BenchResult> {
  // An idle process can measure 0 (under one 10 ms tick of /proc over the window): no ratio then.
  return !theirs ? {} : { floor: theirs, ratio: ours / theirs, against: 'kube-eventer' };
}

/** SentTimestamp minus the time the event was written, for every queued message of a written event. */
function latencies(server: SqsEmulator['server'], written: Map<string, number>): number[] {
  const out: number[] = [];
  for (const message of server.inspectQueue(QUEUE)?.messages.ready ?? []) {
    const envelope = JSON.parse(message.body) as { event: { metadata?: { resourceVersion?: string } } };
    const at = written.get(String(envelope.event.metadata?.resourceVersion));
    if (at !== undefined) out.push(message.sentTimestamp - at);
  }
  return out;
}

async function untilQueued(server: SqsEmulator['server'], n: number) {
  const deadline = Date.now() + 60_000;
  while (Number(server.inspectQueue(QUEUE)?.attributes.ApproximateNumberOfMessages ?? 0) < n) {
    if (Date.now() > deadline) throw new Error(`fewer than ${n} messages reached fauxqs within 60 s`);
    await sleep(20);
  }
}

/** Resolves once `count` has not changed for `quietMs`, or after `maxMs`. */
async function untilQuiet(count: () => number, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let [last, since] = [count(), Date.now()];
  while (Date.now() - since < quietMs && Date.now() < deadline) {
    await sleep(250);
    if (count() !== last) [last, since] = [count(), Date.now()];
  }
}

function parseSeconds(duration: string): number {
  return Number(duration.replace(/s$/, ''));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
