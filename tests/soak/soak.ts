import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pipeline } from '../harness/pipeline-rig/index.ts';

// `npm run soak [-- --minutes N]`: the whole pipeline at a steady 200 events/s with storms, and a 10× burst, while
// the forwarder process's RSS and this process's RSS and heap (the function, with the emulators beside it) are
// sampled. Passes when memory is flat after the burst, the queue drains, and nothing is dead-lettered.

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '200' },
    'burst-seconds': { type: 'string', default: '60' },
    'sample-seconds': { type: 'string', default: '5' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const burstMs = Math.min(Number(values['burst-seconds']) * 1000, minutes * 60_000 * 0.2);
const sampleMs = Number(values['sample-seconds']) * 1000;
const totalMs = minutes * 60_000;
const burstAt = totalMs * 0.4;
const STORM_EVERY_MS = 60_000;
const STORM_SIZE = 500;

interface Sample {
  t: number;
  phase: 'warm-up' | 'steady' | 'burst' | 'after' | 'settled';
  forwarderRss: number;
  rss: number;
  heap: number;
  backlog: number;
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/** Resident set size of another process, from /proc (Linux). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** How many of these send times real WeCom would accept: 20 in any 60 s, and a 60 s block after the 21st. */
function realWecomAccepts(times: number[]): number {
  const window: number[] = [];
  let accepted = 0;
  let blockedUntil = 0;
  for (const t of times) {
    if (t < blockedUntil) continue;
    while (window.length > 0 && window[0]! <= t - 60_000) window.shift();
    if (window.length >= 20) {
      blockedUntil = t + 60_000;
      continue;
    }
    window.push(t);
    accepted++;
  }
  return accepted;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const p = await Pipeline.start({ concurrency: 4, lean: { keepLive: 5000 } });
let failed = false;
try {
  const forwarder = await p.startForwarderProcess();
  await p.startFunction();
  const start = Date.now();
  const samples: Sample[] = [];
  let delivered = 0;
  // The real time of each accepted message, per robot: the rig's warp clock passes budget waits at once, so its
  // emulator accepts more per real minute than real WeCom would.
  const realTimes = new Map<string, number[]>();
  p.wecom.onMessage((message) => {
    delivered++;
    realTimes.set(message.key, [...(realTimes.get(message.key) ?? []), Date.now()]);
  });
  let settled = false;
  const phase = (t: number): Sample['phase'] => {
    if (settled) return 'settled';
    if (t < Math.min(60_000, burstAt / 2)) return 'warm-up';
    if (t < burstAt) return 'steady';
    return t < burstAt + burstMs ? 'burst' : 'after';
  };

  // Keep the harness's own memory flat: forget watch history older than 20 s (the forwarder's watch is
  // current; during a 10x burst a minute of history is ~70k object snapshots, which hid the function's own heap) and what the emulator recorded, which only the fault drills need.
  const marks: number[] = [];
  const housekeeping = setInterval(() => {
    marks.push(p.fake.store.resourceVersion);
    if (marks.length > 2) p.fake.compact(marks.shift());
    p.wecom.reset();
  }, 10_000);
  const sampler = setInterval(() => {
    void p.sqs.depth(p.queueUrl).then((depth) => {
      const t = Date.now() - start;
      const usage = process.memoryUsage();
      const sample: Sample = {
        t,
        phase: phase(t),
        forwarderRss: rssOf(forwarder.child.pid!),
        rss: usage.rss,
        heap: usage.heapUsed,
        backlog: depth.visible + depth.inFlight,
      };
      samples.push(sample);
      console.log(
        `${(t / 1000).toFixed(0).padStart(5)} s ${sample.phase.padEnd(7)} written ${p.mix.written}` +
          ` processed ${p.processed} delivered ${delivered} backlog ${sample.backlog}` +
          ` | forwarder rss ${mb(sample.forwarderRss)} MB | function process rss ${mb(sample.rss)} MB heap ${mb(sample.heap)} MB`,
      );
    });
  }, sampleMs);

  let nextStorm = STORM_EVERY_MS;
  while (Date.now() - start < totalMs) {
    const t = Date.now() - start;
    const current = t >= burstAt && t < burstAt + burstMs ? rate * 10 : rate;
    const until = Math.min(
      totalMs,
      t < burstAt ? burstAt : t < burstAt + burstMs ? burstAt + burstMs : totalMs,
    );
    const sliceMs = Math.min(1000, until - t);
    await p.mix.pace(Math.ceil((sliceMs / 1000) * current), current);
    if (t >= nextStorm) {
      p.mix.storm(STORM_SIZE);
      nextStorm += STORM_EVERY_MS;
    }
  }
  const writtenAt = Date.now();
  const written = () => p.mix.written;
  // Drained: the queue has been empty, and the function idle, for 5 s (or 10 minutes passed).
  let depth = await p.sqs.depth(p.queueUrl);
  let quietSince = Date.now();
  let lastProcessed = p.processed;
  while (Date.now() - quietSince < 5000 && Date.now() - writtenAt < 10 * 60_000) {
    await sleep(500);
    depth = await p.sqs.depth(p.queueUrl);
    if (depth.visible + depth.inFlight > 0 || p.processed !== lastProcessed) quietSince = Date.now();
    lastProcessed = p.processed;
  }
  const drainMs = Date.now() - writtenAt;
  // Memory is judged once the backlog is gone: 30 s more at the steady rate, with the queue keeping up.
  settled = true;
  await p.mix.pace(rate * 30, rate);
  clearInterval(sampler);
  clearInterval(housekeeping);
  const dlq = await p.sqs.depth(p.dlqUrl);
  const metrics = await (await fetch(`${forwarder.url}/metrics`)).text();
  const metric = (pattern: RegExp) =>
    [...metrics.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
  const forwarded = metric(/^kube_wecom_forwarder_events_forwarded_total (\d+)/gm);
  const dropped = metric(/^kube_wecom_forwarder_events_dropped_total\{[^}]*\} (\d+)/gm);

  const of = (ph: Sample['phase']) => samples.filter((s) => s.phase === ph);
  const steady = of('steady');
  const tail = of('settled');
  const summary = {
    minutes,
    rate,
    burstSeconds: burstMs / 1000,
    written: written(),
    forwarded,
    droppedByForwarder: dropped,
    processed: p.processed,
    delivered,
    /** Of those, what real WeCom would have accepted in real time (20 a minute per robot, then a minute's block). */
    realWecomWouldAccept: Object.fromEntries(
      [...realTimes].map(([key, times]) => [
        key,
        { accepted: times.length, realWecom: realWecomAccepts(times) },
      ]),
    ),
    deadLetters: dlq.visible + dlq.inFlight,
    drainMsAfterLastWrite: drainMs - 5000,
    peakBacklog: Math.max(...samples.map((s) => s.backlog)),
    forwarderRssMb: {
      steady: mb(median(steady.map((s) => s.forwarderRss))),
      burstPeak: mb(Math.max(...of('burst').map((s) => s.forwarderRss))),
      end: mb(median(tail.map((s) => s.forwarderRss))),
    },
    functionProcessRssMb: {
      steady: mb(median(steady.map((s) => s.rss))),
      burstPeak: mb(Math.max(...of('burst').map((s) => s.rss))),
      end: mb(median(tail.map((s) => s.rss))),
    },
    functionProcessHeapMb: {
      steady: mb(median(steady.map((s) => s.heap))),
      burstPeak: mb(Math.max(...of('burst').map((s) => s.heap))),
      end: mb(median(tail.map((s) => s.heap))),
    },
  };
  console.log(JSON.stringify(summary, null, 2));
  console.log(
    `drain ${drainMs - 5000} ms after the last write; peak backlog ${summary.peakBacklog}` +
      `; forwarder dropped ${dropped} of ${written()}`,
  );

  // Flat, once the burst's backlog is gone: the heap's floor (its size right after a major GC; medians of a GC
  // sawtooth say little) within 25 % (+32 MB) of the steady state's; the process RSS no higher than its high-water
  // mark before settling (+32 MB: the allocator keeps the burst's pages, which is not growth); the forwarder's RSS
  // median within 25 % (+32 MB) of the steady state's.
  const floor = (xs: number[]) => Math.min(...xs);
  const heapFlat = floor(tail.map((s) => s.heap)) <= floor(steady.map((s) => s.heap)) * 1.25 + 32 * 1048576;
  const highWater = Math.max(...samples.filter((s) => s.phase !== 'settled').map((s) => s.rss));
  const rssFlat = Math.max(...tail.map((s) => s.rss)) <= highWater + 32 * 1048576;
  const flat = (steadyMb: number, endMb: number) => endMb <= steadyMb * 1.25 + 32;
  for (const letter of await p.deadLetters()) {
    const reason =
      letter.MessageAttributes?.['kube-wecom-reason']?.StringValue ?? '(none: moved by the redrive policy)';
    console.log(`dead letter: ${reason.slice(0, 200)}`);
  }
  const checks: [string, boolean][] = [
    // The forwarder's buffer is bounded: what it cannot hold while SQS lags is dropped and counted, never silently.
    [
      'every event written reached the function or was counted as dropped',
      p.processed + dropped >= written(),
    ],
    ['every event forwarded reached the function', p.processed >= forwarded],
    ['the queue drained after the burst', depth.visible + depth.inFlight === 0],
    ['nothing was dead-lettered', summary.deadLetters === 0],
    ['forwarder RSS is flat', flat(summary.forwarderRssMb.steady, summary.forwarderRssMb.end)],
    ['function process RSS stays under its high-water mark', rssFlat],
    ['function heap floor is flat', heapFlat],
  ];
  for (const [what, ok] of checks) console.log(`${ok ? 'ok' : 'FAIL'}: ${what}`);
  failed = checks.some(([, ok]) => !ok);
  if (failed) console.log(p.logs.slice(-20).join('\n'));
} finally {
  await p.stop();
}
process.exit(failed ? 1 : 0);
