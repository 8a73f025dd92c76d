import { startFakeApiServer } from '../emulators/kube-apiserver/index.ts';
import type { FakeApiServer } from '../emulators/kube-apiserver/index.ts';
import { startSqsEmulator, type SqsEmulator } from '../emulators/sqs/index.ts';
import { EventFeed } from './event-feed.ts';
import { ForwarderProcess, buildForwarderBundle } from './forwarder-process.ts';
import type { ForwarderBundle } from './forwarder-process.ts';
import { protocolFloorsUs } from './forwarder-floor.ts';
import { inProcessUsPerEvent } from './forwarder-inprocess.ts';
import { medianMs } from './measure.ts';
import { startSlowEndpoint } from './slow-endpoint.ts';
import type { BenchResult } from './measure.ts';

const QUEUE = 'bench-events';
/**
 * Events a forwarder has sent before its sustained figures are taken. Profiles (`perf` with `--perf-basic-prof`)
 * show V8's compiler threads still busy through the first 20,000 or so, and CPU per event settling by 40,000.
 */
const WARM_EVENTS = 60_000;
/** A SendMessageBatch round trip to SQS from within its region, on the slow side (answers take 5–20 ms). */
const SQS_ROUND_TRIP_MS = 20;

/**
 * The forwarder, in a process of its own running the container bundle, fed by the fake API server's watch with
 * the seeded corpus and sending to fauxqs (both in this process, on loopback). Throughput counts messages that
 * reached fauxqs; CPU time is the forwarder's own (`process_cpu_seconds_total` on its /metrics); memory is its
 * RSS from /proc. The floor is `JSON.parse` of the same watch lines, timed here, per event.
 */
export async function benchForwarder(opts: { quick: boolean }): Promise<BenchResult[]> {
  const bundle = buildForwarderBundle();
  try {
    const burstSize = opts.quick ? 5000 : 20_000;
    const seconds = opts.quick ? 3 : 10;
    const quietMs = opts.quick ? 10_000 : 600_000;
    const rows: BenchResult[] = [];

    // Bursts of the same size to one forwarder. The first meets code V8 has not optimised yet (a fresh process),
    // and V8 may still be compiling through the second; the last, after WARM_EVENTS, is what a forwarder that has
    // been running for a while does with a storm.
    const warmUps = Math.max(1, Math.ceil(WARM_EVENTS / burstSize) - 1);
    const bursts = await scenario(
      bundle,
      [
        new EventFeed(burstSize),
        ...Array.from({ length: warmUps }, (_, i) => new EventFeed(burstSize, 100 + i)),
        new EventFeed(burstSize, 8),
      ],
      Infinity,
    );
    const [cold, second, burst] = [bursts[0], bursts[1], bursts.at(-1)];
    const warmed = (warmUps + 1) * burstSize;
    // The same two bursts with SQS as far away as it really is: in-flight calls, not CPU, bound this rate.
    const [, distant] = await scenario(
      bundle,
      [new EventFeed(burstSize), new EventFeed(burstSize, 8)],
      Infinity,
      { sqsDelayMs: SQS_ROUND_TRIP_MS },
    );
    const floorUs = parseFloorUs(burst!.lines);
    const { readUs, protocolUs } = await protocolFloorsUs(burst!.lines);
    const inProcessUs = await inProcessUsPerEvent(burst!.lines);
    const size = burstSize.toLocaleString('en-US');
    const againstFloor = (text: string, us: number, unit: string): BenchResult => ({
      case: text,
      value: round(us),
      unit,
      floor: floorUs,
      ratio: us / floorUs,
    });
    rows.push(
      {
        case: `forwarder: ${size} watch events as fast as offered → fauxqs, fresh process`,
        value: round(cold!.eventsPerSecond),
        unit: 'events/s',
      },
      {
        case: `forwarder: ${size} more, sustained (the same process, after forwarding ${warmed.toLocaleString('en-US')})`,
        value: round(burst!.eventsPerSecond),
        unit: 'events/s',
        target: '≥ 5000',
      },
      {
        case: `forwarder: the same, SQS answering after ${SQS_ROUND_TRIP_MS} ms (a round trip within an AWS region)`,
        value: round(distant!.eventsPerSecond),
        unit: 'events/s',
        target: '≥ 5000',
      },
      againstFloor(
        'forwarder: CPU time per event, fresh process (forwarder process only)',
        cold!.cpuUsPerEvent,
        'µs',
      ),
      againstFloor('forwarder: CPU time per event, its second burst', second!.cpuUsPerEvent, 'µs'),
      {
        ...againstFloor(
          'forwarder: CPU time per event, sustained (forwarder process only)',
          burst!.cpuUsPerEvent,
          'µs',
        ),
        target: '≤ 2.5× floor',
      },
      againstFloor(
        'forwarder: of which its main thread (the rest: V8 garbage collection and compiler threads)',
        burst!.mainThreadUsPerEvent,
        'µs',
      ),
      {
        case: 'forwarder floor: JSON.parse of the same watch lines',
        value: round(floorUs),
        unit: 'µs/event',
      },
      againstFloor(
        'forwarder read floor: the same watch read through node:http (a chunk per event) and parsed, CPU',
        readUs,
        'µs/event',
      ),
      againstFloor(
        'forwarder in process: its own work per event on the same lines, no network (parse included), CPU',
        inProcessUs,
        'µs/event',
      ),
      againstFloor(
        'forwarder protocol floor: a minimal forwarder (read, parse, SendMessageBatch) of the same lines, CPU',
        protocolUs,
        'µs/event',
      ),
    );
    for (const [rate, limit] of [
      [1000, 120],
      [10_000, 160],
    ] as const) {
      const feed = new EventFeed(rate * seconds, rate);
      const [paced] = await scenario(bundle, [feed], rate, { quietMs: rate === 10_000 ? quietMs : 0 });
      rows.push(
        {
          case: `forwarder: offered ${rate.toLocaleString('en-US')} events/s for ${seconds} s, achieved`,
          value: round(paced!.eventsPerSecond),
          unit: 'events/s',
          // A fresh process, like the first burst: the sustained rate is the second burst's row.
          ...(rate === 10_000 ? {} : { target: `${rate}` }),
        },
        {
          case: `forwarder: events dropped at ${rate.toLocaleString('en-US')} events/s offered (buffer full)`,
          value: paced!.dropped,
          unit: 'events',
        },
        {
          case: `forwarder: peak RSS at ${rate.toLocaleString('en-US')} events/s offered`,
          value: round(paced!.memory.peakMiB),
          unit: 'MiB',
          target: `≤ ${limit}`,
        },
      );
      if (paced!.idleMiB !== undefined)
        rows.push({
          case: `forwarder: RSS after ${quietMs / 1000} s quiet${opts.quick ? ' (full run: 600 s)' : ''}`,
          value: round(paced!.idleMiB),
          unit: 'MiB',
          target: '≤ 80',
        });
    }
    return rows;
  } finally {
    bundle.remove();
  }
}

interface ScenarioResult {
  eventsPerSecond: number;
  cpuUsPerEvent: number;
  /** The part of `cpuUsPerEvent` spent on the main (JavaScript) thread. */
  mainThreadUsPerEvent: number;
  memory: { rssMiB: number; peakMiB: number };
  idleMiB?: number;
  /** Events the forwarder gave up (buffer overflow while SQS lagged behind the watch). */
  dropped: number;
  /** The watch lines the fake API server wrote, for the floor. */
  lines: string[];
}

/**
 * A fresh fake API server, fauxqs and forwarder child; offers the feeds one after the other, each once the one
 * before has all arrived in fauxqs, and measures each. Memory is the process's after the last feed.
 */
async function scenario(
  bundle: ForwarderBundle,
  feeds: EventFeed[],
  perSecond: number,
  { quietMs = 0, sqsDelayMs = 0 }: { quietMs?: number; sqsDelayMs?: number } = {},
): Promise<ScenarioResult[]> {
  const fake = await startFakeApiServer();
  const sqs = await startSqsEmulator();
  const { url: queueUrl } = sqs.createQueue(QUEUE);
  const slow = sqsDelayMs > 0 ? await startSlowEndpoint(sqs.endpoint, sqsDelayMs) : undefined;
  let forwarder: ForwarderProcess | undefined;
  try {
    for (const feed of feeds) feed.prepare(fake);
    forwarder = await ForwarderProcess.start({
      bundle,
      kubeconfig: fake.kubeconfig(),
      queueUrl,
      sqsEndpoint: slow?.url ?? sqs.endpoint,
      args: (process.env.BENCH_FORWARDER_ARGS ?? '').split(' ').filter(Boolean),
      nodeArgs: (process.env.BENCH_FORWARDER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    });
    const results: ScenarioResult[] = [];
    let before = 0;
    for (const feed of feeds) {
      const lines = recordWatchLines(fake);
      const cpuBefore = await forwarder.cpuMs();
      const mainBefore = forwarder.mainThreadCpuMs();
      const droppedBefore = await forwarder.metric('kube_wecom_forwarder_events_dropped_total');
      const start = performance.now();
      await feed.offer(fake, perSecond);
      const { arrived, at } = await settled(sqs, forwarder, before, feed.size);
      before += arrived;
      const cpuMs = (await forwarder.cpuMs()) - cpuBefore;
      const mainMs = forwarder.mainThreadCpuMs() - mainBefore;
      results.push({
        eventsPerSecond: (arrived / (at - start)) * 1000,
        cpuUsPerEvent: (cpuMs * 1000) / arrived,
        mainThreadUsPerEvent: (mainMs * 1000) / arrived,
        dropped: (await forwarder.metric('kube_wecom_forwarder_events_dropped_total')) - droppedBefore,
        memory: forwarder.memory(),
        lines: lines.stop(),
      });
    }
    if (quietMs > 0) {
      await new Promise((r) => setTimeout(r, quietMs));
      results.at(-1)!.idleMiB = forwarder.memory().rssMiB;
    }
    return results;
  } finally {
    await forwarder?.stop();
    await slow?.close();
    await sqs.stop();
    await fake.close();
  }
}

function queued(sqs: SqsEmulator): number {
  return Number(sqs.server.inspectQueue(QUEUE)?.attributes.ApproximateNumberOfMessages ?? 0);
}

/** The lines the fake writes to a core/v1 watch for each Event change (it serialises the same way). */
function recordWatchLines(fake: FakeApiServer): { stop(): string[] } {
  const lines: string[] = [];
  const unsubscribe = fake.store.subscribe((change) => {
    if (change.resource === 'events')
      lines.push(JSON.stringify({ type: change.type, object: { ...change.object, apiVersion: 'v1' } }));
  });
  return {
    stop() {
      unsubscribe();
      return lines;
    },
  };
}

/** Median over 7 runs (after 2 warm-ups) of `JSON.parse` of every line, in µs per line. */
function parseFloorUs(lines: string[]): number {
  let sink = 0;
  const ms = medianMs(
    () => {
      for (const line of lines) sink += (JSON.parse(line) as { type: string }).type.length;
    },
    7,
    2,
  );
  if (sink < 0) console.log(sink);
  return (ms * 1000) / lines.length;
}

/**
 * Waits until fauxqs holds every event of a feed (beyond the `before` already there), or the forwarder's buffer
 * is empty and nothing arrived for a second (the rest was dropped); returns how many of the feed arrived. Every
 * write of the corpus is news (a new Event or a higher count), so each is one message.
 */
async function settled(
  sqs: SqsEmulator,
  forwarder: ForwarderProcess,
  before: number,
  expected: number,
): Promise<{ arrived: number; at: number }> {
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const n = queued(sqs) - before;
    if (n >= expected) return { arrived: n, at: performance.now() };
    if (n !== last) [last, lastChange] = [n, performance.now()];
    else if (
      performance.now() - lastChange > 1000 &&
      (await forwarder.metric('kube_wecom_forwarder_buffer_events')) === 0
    )
      return { arrived: n, at: lastChange };
    await new Promise((r) => setTimeout(r, 5));
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
